"""Robots rules: robots.txt through protego (RFC 9309), robots meta tags and X-Robots-Tag.

Pure: text in, decisions out. A robots.txt body is parsed once per process: policies are
kept in a small LRU keyed by origin, body hash and user agent.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from protego import Protego

# RFC 9309 asks crawlers to parse at least 500 KiB; more than that is ignored.
MAX_ROBOTS_BYTES = 512 * 1024
# A Crawl-delay above this is read as this: one request a minute is as slow as a news
# crawler can go and still find new stories within minutes (a robots.txt asking for an
# hour between requests would otherwise stop a source for good).
MAX_CRAWL_DELAY = 60.0
# Parsed robots.txt policies kept per process (one per origin a worker crawls, roughly).
POLICY_CACHE_SIZE = 256


@dataclass(frozen=True, slots=True)
class RobotsPolicy:
    """The robots.txt rules of one origin as they apply to one user agent."""

    # None: no rules (allow all); else the parsed file and our product token in it.
    parser: Protego | None = None
    agent: str = "*"
    deny: bool = False
    crawl_delay: float | None = None
    # The `Sitemap:` URLs the file lists, as written, in order (they apply to every agent).
    sitemaps: tuple[str, ...] = ()

    @classmethod
    def allow_all(cls) -> RobotsPolicy:
        return cls()

    @classmethod
    def deny_all(cls) -> RobotsPolicy:
        return cls(deny=True)

    def allows(self, url: str) -> bool:
        """True when the URL may be fetched (robots.txt itself always may)."""
        if self.deny:
            return _is_robots_txt(url)
        if self.parser is None:
            return True
        return bool(self.parser.can_fetch(url, self.agent))


def _is_robots_txt(url: str) -> bool:
    rest = url.split("://", 1)[-1]
    path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return path.split("?", 1)[0] == "/robots.txt"


def product_token(user_agent: str) -> str:
    """The name robots.txt groups and robots meta tags call us by: the User-Agent's first word."""
    return user_agent.split("/", 1)[0].strip().lower() or "*"


def parse_robots(text: str, user_agent: str) -> RobotsPolicy:
    """The policy for `user_agent` from a robots.txt body (no cache; see `robots_policy`).

    The group naming our product token applies (several such groups are merged), else the
    `*` group, else everything is allowed. Longest match wins, allow on ties; `*` and `$`
    are wildcards; paths compare percent-decoded except reserved characters (`%2F` is not
    `/`).
    """
    parser = Protego.parse(text[:MAX_ROBOTS_BYTES])
    token = product_token(user_agent)
    delay = parser.crawl_delay(token)
    if delay is not None:
        delay = min(max(float(delay), 0.0), MAX_CRAWL_DELAY)
    sitemaps = tuple(dict.fromkeys(url.strip() for url in parser.sitemaps if url.strip()))
    return RobotsPolicy(parser=parser, agent=token, crawl_delay=delay, sitemaps=sitemaps)


class _PolicyCache:
    """A thread-safe LRU of parsed policies (crawl workers run many threads)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str, str], RobotsPolicy] = OrderedDict()
        self._lock = threading.Lock()
        self.parses = 0  # how many bodies were parsed (for tests and curiosity)

    def get(self, origin: str, body: str, user_agent: str) -> RobotsPolicy:
        digest = hashlib.blake2b(body.encode("utf-8", "replace"), digest_size=16).hexdigest()
        key = (origin, digest, user_agent)
        with self._lock:
            policy = self._items.get(key)
            if policy is not None:
                self._items.move_to_end(key)
                return policy
        policy = parse_robots(body, user_agent)  # outside the lock: parsing may take a while
        with self._lock:
            self.parses += 1
            self._items[key] = policy
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return policy

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.parses = 0


POLICIES = _PolicyCache(POLICY_CACHE_SIZE)


def robots_policy(origin: str, body: str, user_agent: str) -> RobotsPolicy:
    """The policy of an origin's robots.txt body, parsed once per process per body."""
    return POLICIES.get(origin, body, user_agent)


# --- robots meta tags and X-Robots-Tag ------------------------------------------------------

_META_TAG = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(
    r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""", re.IGNORECASE
)
# Directives that carry a value after a colon ("max-snippet: 20"), so a colon in a header
# part is not always a user-agent prefix ("otherbot: noindex").
_VALUED_DIRECTIVES = frozenset(
    {"max-snippet", "max-image-preview", "max-video-preview", "unavailable_after"}
)
# Only the head is read: robots meta tags belong there, and the body can be large.
_HEAD_END = re.compile(r"</head\s*>|<body\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PageDirectives:
    """What a page's robots meta tags and X-Robots-Tag header ask of us."""

    noindex: bool = False
    nofollow: bool = False
    # Where each directive came from: "meta", "header", or both.
    sources: tuple[str, ...] = ()


def _apply(words: Iterable[str], found: dict[str, bool]) -> None:
    """Fold robots directives into `found` (`none` is both noindex and nofollow)."""
    for raw in words:
        word = raw.strip().lower()
        if word in ("noindex", "none"):
            found["noindex"] = True
        if word in ("nofollow", "none"):
            found["nofollow"] = True


def meta_directives(html_text: str, user_agent: str) -> tuple[bool, bool]:
    """(noindex, nofollow) from `<meta name="robots|OUR-TOKEN" content="...">` in the head."""
    token = product_token(user_agent)
    end = _HEAD_END.search(html_text)
    head = html_text[: end.start()] if end else html_text[:MAX_ROBOTS_BYTES]
    found = {"noindex": False, "nofollow": False}
    for tag in _META_TAG.finditer(head):
        attributes: dict[str, str] = {}
        for match in _ATTRIBUTE.finditer(tag.group(0)[5:]):
            name = match.group(1).lower()
            value = next((g for g in match.group(2, 3, 4) if g is not None), "")
            attributes.setdefault(name, html.unescape(value))
        name = attributes.get("name", "").strip().lower()
        if name in ("robots", token):
            _apply(attributes.get("content", "").split(","), found)
    return found["noindex"], found["nofollow"]


def header_directives(value: str | None, user_agent: str) -> tuple[bool, bool]:
    """(noindex, nofollow) from an X-Robots-Tag value (repeated headers joined by commas).

    A part `agent: directive` starts directives for that agent only, until the next such
    part; parts without an agent apply to every crawler.
    """
    if not value:
        return False, False
    token = product_token(user_agent)
    found = {"noindex": False, "nofollow": False}
    applies = True
    for part in value.split(","):
        head, colon, rest = part.partition(":")
        name = head.strip().lower()
        words = part
        if colon and name not in _VALUED_DIRECTIVES and " " not in name:
            applies = name in (token, "*")
            words = rest
        if applies:
            _apply(words.split(), found)
    return found["noindex"], found["nofollow"]


def page_directives(html_text: str, robots_tag: str | None, user_agent: str) -> PageDirectives:
    """Both sources together: any `noindex` or `nofollow` from either applies."""
    meta_noindex, meta_nofollow = meta_directives(html_text, user_agent)
    header_noindex, header_nofollow = header_directives(robots_tag, user_agent)
    sources = []
    if meta_noindex or meta_nofollow:
        sources.append("meta")
    if header_noindex or header_nofollow:
        sources.append("header")
    return PageDirectives(
        noindex=meta_noindex or header_noindex,
        nofollow=meta_nofollow or header_nofollow,
        sources=tuple(sources),
    )
