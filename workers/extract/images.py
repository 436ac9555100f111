"""Which picture an element shows: lazy-load attributes, srcsets, placeholders, backgrounds.

The one vocabulary of image sources, read by the lead-image picker and the teaser scan alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Attributes lazy-loading scripts copy into `src` once the picture scrolls into view; they
# name the real picture while `src` still holds a placeholder. Checked in this order.
LAZY_SRC_ATTRS = (
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-lazy",
    "data-url",
    "data-hi-res-src",
    "data-full-src",
    "data-img-src",
)
# Candidate lists, read after `src` and the lazy attributes: the widest entry wins.
SRCSET_ATTRS = ("data-srcset", "data-lazy-srcset", "srcset")
# Lazy-loaded CSS backgrounds (cards often paint their picture this way).
BACKGROUND_ATTRS = ("data-bg", "data-background", "data-background-image", "data-bg-src")
BACKGROUND_ATTR_SET = frozenset(BACKGROUND_ATTRS)
# An <img> this many pixels wide or high (or less) is a tracking pixel or spacer.
MAX_PIXEL_SIDE = 2

# Placeholder files lazy loaders put in `src`: "blank.gif", "lazy-placeholder.png", "1x1.gif".
_PLACEHOLDER = re.compile(
    r"(?:blank|spacer|placeholder|pixel|transparent|lazy|loading|grey|gray|1x1)[^/]*"
    r"\.(?:gif|png|svg)(?:\?|$)",
    re.IGNORECASE,
)
_BACKGROUND_URL = re.compile(r"background(?:-image)?\s*:[^;]*url\(\s*['\"]?([^'\")]+)")


def usable(value: object) -> str | None:
    """The stripped value when it names a real picture (no data: URI, no placeholder)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or value.startswith("data:") or _PLACEHOLDER.search(value):
        return None
    return value


def _first_usable(attrs: Mapping[str, object], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        found = usable(attrs.get(key))
        if found:
            return found
    return None


def is_pixel(attrs: Mapping[str, object]) -> bool:
    """True for an <img> declared at most MAX_PIXEL_SIDE pixels wide or high."""
    for key in ("width", "height"):
        value = attrs.get(key)
        if isinstance(value, str) and value.strip().isdigit() and int(value) <= MAX_PIXEL_SIDE:
            return True
    return False


def img_src(attrs: Mapping[str, object]) -> str | None:
    """An <img>'s picture: lazy-load attributes first, then src, then the widest srcset entry."""
    return _first_usable(attrs, LAZY_SRC_ATTRS) or usable(attrs.get("src")) or srcset_src(attrs)


def srcset_src(attrs: Mapping[str, object]) -> str | None:
    """The widest candidate of the element's (lazy or plain) srcset, as on <source>."""
    for key in SRCSET_ATTRS:
        value = attrs.get(key)
        best = best_candidate(value) if isinstance(value, str) else None
        if best:
            return best
    return None


def background_src(attrs: Mapping[str, object]) -> str | None:
    """A CSS or lazy-load background picture on any element."""
    found = _first_usable(attrs, BACKGROUND_ATTRS)
    if found:
        return found
    style = attrs.get("style")
    match = _BACKGROUND_URL.search(style) if isinstance(style, str) else None
    return usable(match.group(1)) if match else None


def best_candidate(srcset: str) -> str | None:
    """The widest (or densest) candidate of a srcset attribute."""
    best: str | None = None
    best_size = -1.0
    pos, n = 0, len(srcset)
    while pos < n:
        while pos < n and (srcset[pos].isspace() or srcset[pos] == ","):
            pos += 1
        start = pos
        while pos < n and not srcset[pos].isspace():
            pos += 1
        candidate = srcset[start:pos]
        descriptor = ""
        if candidate.endswith(","):
            candidate = candidate.rstrip(",")
        else:
            comma = srcset.find(",", pos)
            stop = n if comma < 0 else comma
            descriptor = srcset[pos:stop].strip()
            pos = stop + 1
        candidate = usable(candidate) or ""
        if not candidate:
            continue
        size = 1.0
        if descriptor[-1:] in ("w", "x"):
            try:
                size = float(descriptor[:-1])
            except ValueError:
                size = 1.0
        if size > best_size:
            best, best_size = candidate, size
    return best
