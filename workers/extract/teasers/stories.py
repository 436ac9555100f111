"""Pass 2 of the teaser scan: subtree totals, and which anchors are primary story links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from workers.extract.flags import COMMERCE, EXCLUDED, IN_HEADING
from workers.extract.patterns import READ_MORE_LABEL, SHOW_ALL_LABEL
from workers.extract.teasers.tree import Tree
from workers.extract.teasers.vocab import (
    COMMERCE_HOST_LABELS,
    COMMERCE_SEGMENTS,
    COUNTRY_TLD_CHARS,
    HEADINGS,
    HEADLINE_CJK_WINDOW,
    HEADLINE_MIN_CHARS,
    HEADLINE_MIN_CJK,
    HEADLINE_MIN_SPACES,
    LINK_MIN_CHARS,
    NON_STORY_SEGMENTS,
    NON_STORY_SUFFIXES,
    OFF_SITE_HOSTS,
    SECOND_LEVEL,
    SECTION_MAX_WORDS,
    TITLE_MIN_CHARS,
)
from workers.extract.text import CJK_RE, clean_visible
from workers.urls import first_host_label, host_of, normalize_url

_DIGIT = re.compile(r"\d")
# Words of a URL slug, and the file names and suffixes of a section's index page.
_WORD_SPLIT = re.compile(r"[-_+.,~]+")
_INDEX = re.compile(r"(index|default|start|home)(\.[a-z]{2,5})?")
_PAGE_SUFFIX = re.compile(r"\.(html?|php|aspx?|jsp|cms)$")


def aggregate(tree: Tree) -> None:
    """Pass 2, reverse document order: subtree sizes, text, images, primary story links."""
    n = len(tree.tags)
    parent, names, text = tree.parent, tree.names, tree.text
    size = [1] * n
    has_img = [False] * n
    headings = [0] * n
    h1s = [0] * n
    paras = [0] * n
    prim = [0] * n
    url: list[str | None] = [None] * n
    multi = [False] * n
    hrefs, flags, story = tree.hrefs, tree.flags, tree.story
    url_cache: dict[str, str | None] = {}
    for i in range(n - 1, -1, -1):
        name = names[i]
        if name in ("img", "picture"):
            has_img[i] = True
        elif name in HEADINGS:
            headings[i] += 1
            if name == "h1":
                h1s[i] += 1
        elif name == "p":
            paras[i] += 1
        if i in hrefs and not flags[i] & EXCLUDED:
            target = _primary_target(tree, i, has_img[i], url_cache)
            if target is not None:
                story[i] = target
                prim[i] += 1
                if url[i] is None:
                    url[i] = target
                elif url[i] != target:
                    multi[i] = True
        p = parent[i]
        if p < 0:
            continue
        size[p] += size[i]
        text[p] += text[i]
        headings[p] += headings[i]
        h1s[p] += h1s[i]
        paras[p] += paras[i]
        prim[p] += prim[i]
        if has_img[i]:
            has_img[p] = True
        if multi[i]:
            multi[p] = True
        elif url[i] is not None:
            if url[p] is None:
                url[p] = url[i]
            elif url[p] != url[i]:
                multi[p] = True
    tree.end = [i + size[i] for i in range(n)]
    tree.has_img, tree.headings, tree.h1s, tree.paras = has_img, headings, h1s, paras
    tree.primaries, tree.url, tree.multi = prim, url, multi


def _primary_target(tree: Tree, i: int, has_img: bool, cache: dict[str, str | None]) -> str | None:
    """The story URL of anchor i when it is a primary link (headline, image, read-more)."""
    if not has_img and tree.text[i] < LINK_MIN_CHARS:
        label = overlay_label(tree, i)
        if label is None:
            return None
    else:
        label = clean_visible(tree.tags[i].get_text(" "))
    if SHOW_ALL_LABEL.match(label):
        return None
    if not (
        has_img
        or headline_ish(label)
        or READ_MORE_LABEL.match(label)
        or (tree.flags[i] & IN_HEADING and len(label) >= TITLE_MIN_CHARS and " " in label)
    ):
        return None
    href = tree.hrefs[i]
    if href in cache:
        target = cache[href]
    else:
        target = cache[href] = _story_url(href, tree.base, tree.self_urls)
    if target is not None:
        tree.anchor_text[i] = label
    return target


def overlay_label(tree: Tree, i: int) -> str | None:
    """The headline an empty anchor laid over a card names in its aria-label, else None.

    Card grids often print the headline in a heading beside a link with no text of its own
    that covers the whole card; the link's aria-label then carries the headline.
    """
    if tree.text[i]:
        return None
    attrs = tree.tags[i].attrs
    for name in ("aria-label", "title"):
        label = attrs.get(name)
        if isinstance(label, str) and headline_ish(label := clean_visible(label)):
            return label
    return None


# Links that open no page: scripts, mail, phone, inline data, messengers.
_NON_WEB_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "sms:", "whatsapp:")
_SCHEME_WINDOW = max(map(len, _NON_WEB_SCHEMES))


def _story_url(href: str, base: str, self_urls: set[str]) -> str | None:
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    if href[:_SCHEME_WINDOW].lower().startswith(_NON_WEB_SCHEMES):
        return None
    target = normalize_url(href, base)
    if target is None or target in self_urls:
        return None
    parts = urlsplit(target)
    host = parts.hostname or ""
    if any(host == social or host.endswith("." + social) for social in OFF_SITE_HOSTS):
        return None
    path = parts.path.lower()
    if (path == "/" and not parts.query) or path.endswith(NON_STORY_SUFFIXES):
        return None
    if any(segment in NON_STORY_SEGMENTS for segment in path.split("/")):
        return None
    return target


def headline_ish(text: str) -> bool:
    """Long enough to be a story headline rather than a menu entry or a kicker."""
    if len(text) >= HEADLINE_MIN_CHARS and text.count(" ") >= HEADLINE_MIN_SPACES:
        return True
    return len(CJK_RE.findall(text[:HEADLINE_CJK_WINDOW])) >= HEADLINE_MIN_CJK


def section_paths(tree: Tree) -> tuple[set[str], bool]:
    """The paths the page's own URLs and its story links lie under, and whether its own
    URL names an item by a number (an id or a date).

    A story link whose path holds another story's (or the page's) path as a leading part
    ("/politics/" under "/politics/2024/some-story") leads to the section they sit in.
    """
    under: set[str] = set()
    numbered = False
    for url in (*tree.self_urls, *tree.story.values()):
        parts = urlsplit(url)
        segments = _segments(parts.path)
        host = parts.hostname or ""
        under.update(host + "/" + "/".join(segments[:k]) for k in range(1, len(segments)))
        if url in tree.self_urls and _DIGIT.search(parts.path):
            numbered = True
    return under, numbered


def is_section(url: str, site: str, under: set[str], numbered: bool) -> bool:
    """True for a link to a section, topic or service page rather than to a content item.

    Judged on a page whose own URL names it by a number (an item page: an id or a date):
    another story (or the page) lies under the link's path, or the link carries no number
    and its last path segment is a few words at most ("/politics/politics-government/",
    "/all-about-america", "/help/handling/"). `site` is the page's publisher (`site_of`).
    """
    if not numbered:
        return False  # a page named by words: its items and sections look alike
    parts = urlsplit(url)
    segments = _segments(parts.path)
    if not segments:
        return False
    host = parts.hostname or ""
    if host + "/" + "/".join(segments) in under:
        return True
    if _DIGIT.search(parts.path) or _DIGIT.search(parts.query):
        return False
    if site_of(url) != site:
        return False  # another site's links say nothing of this one's sections
    return len(_WORD_SPLIT.split(segments[-1])) <= SECTION_MAX_WORDS


def site_of(url: str) -> str:
    """The publisher's name in a URL's host: "bbc" for both www.bbc.co.uk and bbc.com."""
    labels = host_of(url).split(".")
    if len(labels) > 2 and len(labels[-1]) == COUNTRY_TLD_CHARS and labels[-2] in SECOND_LEVEL:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def _segments(path: str) -> list[str]:
    """The path's segments, an index page's file name and a page suffix left out."""
    segments = [segment for segment in path.lower().split("/") if segment]
    if segments and _INDEX.fullmatch(segments[-1]):
        segments.pop()
    if segments:
        segments[-1] = _PAGE_SUFFIX.sub("", segments[-1])
    return segments


def is_commerce(tree: Tree, element: int, url: str) -> bool:
    """True for a card in a shop, job, coupon or course widget, or linking to such a page."""
    if tree.flags[element] & COMMERCE:
        return True
    if first_host_label(url) in COMMERCE_HOST_LABELS:
        return True
    return any(segment in COMMERCE_SEGMENTS for segment in urlsplit(url).path.lower().split("/"))
