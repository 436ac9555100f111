"""Pass 1 of the teaser scan: the page flattened into arrays, what it says of itself read."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PageElement

from workers.extract.flags import COMMERCE, CONTENT, EXCLUDED, IN_CAPTION, MUTED, PAID
from workers.extract.markup import attr_text, attr_words
from workers.extract.teasers.vocab import (
    CAPTION_CONTEXT,
    CHROME,
    COMMERCE_TOKENS,
    DRAWINGS,
    EMPTY,
    EXCLUDE_ROLES,
    EXCLUDE_TOKENS,
    KEEP_TOKENS,
    LINKING,
    NAME_FLAGS,
    NEVER_EXCLUDED,
    PAID_TOKENS,
    SITE_NAME_META,
    TITLE_SEPARATOR,
    TOKEN_SPLIT,
)
from workers.extract.text import clean_visible
from workers.urls import normalize_url

# rel=author/tag links name a person or a topic, never a story
_NOT_STORY_RELS = frozenset({"author", "tag"})


@dataclass(slots=True)
class Tree:
    """The page flattened into parallel arrays, in document (pre-)order."""

    page_url: str = ""
    tags: list[Tag] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)
    prev: list[int] = field(default_factory=list)  # previous element sibling, or -1
    names: list[str] = field(default_factory=list)
    tokens: list[frozenset[str]] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    text: list[int] = field(default_factory=list)
    # bit set of EXCLUDED, MUTED, ... per element, inherited from the ancestors
    flags: list[int] = field(default_factory=list)
    has_img: list[bool] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)
    h1s: list[int] = field(default_factory=list)
    paras: list[int] = field(default_factory=list)
    primaries: list[int] = field(default_factory=list)
    url: list[str | None] = field(default_factory=list)
    multi: list[bool] = field(default_factory=list)
    # anchor index -> raw href, and for primary anchors -> story URL and text
    hrefs: dict[int, str] = field(default_factory=dict)
    story: dict[int, str] = field(default_factory=dict)
    anchor_text: dict[int, str] = field(default_factory=dict)
    # what the page says of itself, as printed: <base> hrefs, <link rel=canonical> hrefs,
    # og:url, the first <title> outside drawings (the page model reads these too);
    # resolve_page() turns them into base, self_urls and site_names
    base_hrefs: list[str] = field(default_factory=list)
    canonical: list[str] = field(default_factory=list)
    og_urls: list[str] = field(default_factory=list)
    title: str | None = None
    base: str = ""
    self_urls: set[str] = field(default_factory=set)
    # case-folded names of the site itself: a heading saying only that names no block
    site_names: set[str] = field(default_factory=set)


def _tokens_of(
    attrs: Mapping[str, object], cache: dict[tuple[object, object], frozenset[str]]
) -> frozenset[str]:
    cls = attrs.get("class")
    ident = attrs.get("id")
    if not cls and not ident:
        return EMPTY
    if isinstance(cls, list):
        cls = attr_text(cls)
    # memo keyed on the raw values: a page repeats the same class attribute on many elements
    memo = (cls, ident)
    found = cache.get(memo)
    if found is None:
        key = attr_text(cls)
        if isinstance(ident, str):
            key = f"{key} {ident}"
        found = frozenset(tok for tok in TOKEN_SPLIT.split(key.lower()) if tok)
        cache[memo] = found
    return found


class TreeIndex:
    """Pass 1 of the scan: fills a Tree element by element, in document order.

    The page walk (workers.extract.walk) hands it every element as it goes, so the soup is
    walked once for the body and the teasers; subtree() flattens a part the walk does not
    enter (scripts, drawings, rule-removed elements) and index_page() a whole soup.
    """

    __slots__ = ("_cache", "_last_kid", "_top_kid", "tree")

    def __init__(self, page_url: str) -> None:
        self.tree = Tree(page_url=page_url)
        self._cache: dict[tuple[object, object], frozenset[str]] = {}
        self._last_kid: list[int] = []  # per element: its latest element child so far
        self._top_kid = -1

    def add(self, node: Tag, p: int) -> int:
        """Append one element under element p (-1: the document) and return its index."""
        tree = self.tree
        flags = tree.flags
        i = len(tree.tags)
        name = node.name
        attrs = node.attrs
        tok = _tokens_of(attrs, self._cache) if attrs else EMPTY
        f = (flags[p] if p >= 0 else 0) | NAME_FLAGS.get(name, 0)
        if not f & EXCLUDED and (attrs or name in CHROME) and _excluded(node, tok, f):
            f |= EXCLUDED
        if tok and name not in NEVER_EXCLUDED:
            if tok & PAID_TOKENS:
                f |= EXCLUDED | PAID
            elif tok & COMMERCE_TOKENS:
                f |= COMMERCE
        if tok and tok & CAPTION_CONTEXT:
            f |= IN_CAPTION
        tree.tags.append(node)
        tree.parent.append(p)
        last_kid = self._last_kid
        if p >= 0:
            tree.prev.append(last_kid[p])
            last_kid[p] = i
        else:
            tree.prev.append(self._top_kid)
            self._top_kid = i
        last_kid.append(-1)
        tree.names.append(name)
        tree.tokens.append(tok)
        tree.text.append(0)
        flags.append(f)
        if name in LINKING:
            _read_link(tree, node, i)
        return i

    def subtree(self, node: Tag, p: int) -> None:
        """Append an element and everything inside it, with the text each element owns."""
        self.children(iter((node,)), p)

    def children(self, nodes: Iterator[PageElement], p: int) -> None:
        """Append these nodes (children of element p) and their descendants."""
        flags, text = self.tree.flags, self.tree.text
        # open elements from the given level down, each with the iterator over its remaining
        # children: an explicit stack walks the tree in document order without recursion
        stack: list[tuple[Iterator[PageElement], int]] = [(nodes, p)]
        while stack:
            children, q = stack[-1]
            muted = q < 0 or bool(flags[q] & MUTED)
            for node in children:
                if type(node) is NavigableString:
                    if not muted:
                        stripped = node.strip()
                        if stripped:
                            text[q] += len(stripped)
                    continue
                if not isinstance(node, Tag):
                    continue
                i = self.add(node, q)
                if node.contents:
                    stack.append((iter(node.contents), i))
                    break
            else:
                stack.pop()


def index_page(soup: BeautifulSoup, page_url: str) -> Tree:
    """Pass 1 over a soup of its own: flatten elements, own text lengths, zones, hrefs."""
    index = TreeIndex(page_url)
    index.children(iter(soup.contents), -1)
    return index.tree


def resolve_page(tree: Tree) -> None:
    """Read the page's own URLs and site names from what pass 1 collected."""
    page_url = tree.page_url
    tree.base = page_url
    for href in tree.base_hrefs:
        if tree.base == page_url:
            tree.base = urljoin(page_url, href)
    for raw in [page_url, *tree.canonical, *tree.og_urls]:
        own = normalize_url(raw, page_url)
        if own is not None:
            tree.self_urls.add(own)
    if tree.title and urlsplit(page_url).path in ("", "/"):
        # on a home page the <title> is the site's name, maybe with a slogan
        for part in TITLE_SEPARATOR.split(tree.title):
            tree.site_names.add(clean_visible(part).casefold())


def _read_link(tree: Tree, node: Tag, i: int) -> None:
    """Record what a linking element says (story href, base, canonical, site name)."""
    name, attrs = node.name, node.attrs
    href = attrs.get("href")
    if name == "a":
        rel = attrs.get("rel")
        # rel=author/tag links and hreflang links to other editions are never stories
        if (
            isinstance(href, str)
            and "hreflang" not in attrs
            and not (rel and _NOT_STORY_RELS.intersection(attr_words(rel)))
        ):
            tree.hrefs[i] = href
    elif name == "base":
        if isinstance(href, str) and href.strip():
            tree.base_hrefs.append(href.strip())
    elif name == "link":
        rel = attrs.get("rel")
        if rel and "canonical" in attr_words(rel) and isinstance(href, str):
            tree.canonical.append(href)
    elif name == "title":
        if tree.title is None and not _in_drawing(tree, i):
            tree.title = node.get_text()
    else:
        key = attrs.get("property") or attrs.get("name")
        content = attrs.get("content")
        if isinstance(content, str) and key == "og:url":
            tree.og_urls.append(content)
        elif isinstance(content, str) and key in SITE_NAME_META:
            tree.site_names.add(clean_visible(content).casefold())


def _in_drawing(tree: Tree, i: int) -> bool:
    """True when element i sits inside an <svg> or <math> (whose <title> names a shape)."""
    parent, names = tree.parent, tree.names
    p = parent[i]
    while p >= 0:
        if names[p] in DRAWINGS:
            return True
        p = parent[p]
    return False


def _excluded(node: Tag, tok: frozenset[str], flags: int) -> bool:
    """True for navigation, page headers/footers, share bars, tag lists and the like.

    A class naming chrome on an element that holds the page's <main> is a layout wrapper
    ("sticky-footer", "flex-wrap-footer" push the footer down), not chrome.
    """
    name, attrs = node.name, node.attrs
    if name in CHROME and (name not in ("header", "footer") or not flags & CONTENT):
        return True
    if name in NEVER_EXCLUDED:
        return False
    role = attrs.get("role")
    if isinstance(role, str) and role.lower() in EXCLUDE_ROLES:
        return True
    if not tok or not tok & EXCLUDE_TOKENS or tok & KEEP_TOKENS:
        return False
    return node.find("main") is None
