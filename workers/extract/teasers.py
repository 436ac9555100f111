"""Teaser blocks: cards that point to other stories, on listing pages and inside articles."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

from workers.models import Image, Teaser
from workers.urls import host_of, normalize_url


@dataclass(slots=True)
class TeaserScan:
    """Teasers found on a page and the DOM containers they came from."""

    teasers: list[Teaser] = field(default_factory=list)
    # Elements holding teaser blocks/cards; the article extractor leaves them out of the body.
    blocks: list[Tag] = field(default_factory=list)


# --- tuning -------------------------------------------------------------------------------

# A card is at most this much text and this many paragraphs (headline, summary, caption).
CARD_MAX_TEXT = 1500
CARD_MAX_PARAS = 6
# Text outside cards a block container may hold (its heading, "Show more", ad labels).
BLOCK_MAX_OVERHEAD = 300
# An anchor is "standalone" when its text is at least this share of its enclosing block.
STANDALONE_SHARE = 0.6
# Block headings are short.
HEADING_MAX_CHARS = 80
HEADING_MAX_WORDS = 10
# How many nearby siblings may be looked at for a block heading.
HEADING_LOOKBACK = 1
# ...passing over at most this many siblings in all (empty ad slots, spacers).
HEADING_MAX_STEPS = 8
HEADLINE_MAX_CHARS = 300
# A block's first card that is a bare link this short, outside the list of the other cards,
# is the block's linked heading ("Most read" -> /ranking/), not a story.
HEADING_LINK_MAX_CHARS = 30
HEADING_LINK_MAX_CJK = 20
SUMMARY_MIN_CHARS = 20
SUMMARY_MAX_CHARS = 1000

# --- vocabularies -------------------------------------------------------------------------

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Elements whose text is never read and whose links are never teasers.
_MUTED = frozenset(
    {"script", "style", "template", "noscript", "svg", "select", "button", "head", "iframe"}
)
# Elements that make a <header>/<footer> inside them local to content rather than the page's.
_CONTENT = frozenset({"article", "section", "aside", "li", "main"})
# Inline elements an anchor's enclosing block is looked for through.
_INLINE = frozenset(
    {"a", "span", "strong", "b", "em", "i", "small", "font", "u", "mark", "time", "sup", "sub"}
    | {"abbr", "cite", "q", "s", "bdi", "bdo", "label"}
)
# Page chrome by element name; <header>/<footer> only outside article/section/aside/li/main.
_CHROME = frozenset({"nav", "menu", "address", "header", "footer"})
# Page-level containers: a stray class like "has-navigation" on them excludes nothing.
_NEVER_EXCLUDED = frozenset({"html", "body", "main", "article"})
_STOP = frozenset({"html", "body", "main", "[document]"})
_EXCLUDE_ROLES = frozenset({"navigation", "menu", "menubar", "banner", "contentinfo", "search"})
_EXCLUDE_TOKENS = frozenset(
    {"nav", "navbar", "navigation", "subnav", "menu", "mainmenu", "megamenu", "breadcrumb"}
    | {"breadcrumbs", "footer", "pagination", "pager", "paging", "share", "sharing", "sharebar"}
    | {"shares", "social", "socials", "tags", "tag", "tagcloud", "keywords", "comments"}
    | {"comment", "cookie", "cookies", "consent", "skiplink", "toolbar", "byline", "author"}
    | {"authors", "avatar"}
)
# Tokens by which a card or block names itself; they outweigh an incidental excluded token.
_KEEP_TOKENS = frozenset(
    {"card", "teaser", "teasers", "post", "posts", "story", "stories", "article", "articles"}
    | {"related", "more", "latest", "headline", "title"}
)
_TITLE_TOKENS = frozenset({"title", "headline", "heading", "hed", "heads"})
_BLOCK_TITLE_TOKENS = _TITLE_TOKENS | {"label", "head", "header"}
_SUMMARY_TOKENS = frozenset(
    {"summary", "excerpt", "dek", "deck", "description", "desc", "standfirst"}
    | {"lead", "intro", "abstract", "subtitle", "subheadline", "text", "snippet"}
)
_META_TOKENS = frozenset(
    {"date", "time", "timestamp", "byline", "author", "meta", "category", "kicker", "label"}
    | {"tag", "tags", "credit", "caption", "eyebrow", "overline", "topline", "section"}
)
_CAPTION_TOKENS = frozenset({"caption", "figcaption", "legend"})
_CREDIT_TOKENS = frozenset(
    {"credit", "credits", "copyright", "photographer", "photocredit", "mediarights", "rights"}
)
# Small lines above a headline, inside its element: "Politics", "Exclusive", "WWF-Studie".
_KICKER_TOKENS = frozenset(
    {"kicker", "dachzeile", "topline", "overline", "eyebrow", "roofline", "supertitle"}
    | {"overhead", "flag", "rubric", "category", "label", "tag", "marker", "spitzmarke"}
)
_CAPTION_CONTEXT = _CAPTION_TOKENS | _CREDIT_TOKENS
_SKIP_IMAGE_TOKENS = frozenset({"avatar", "logo", "icon", "author", "sprite", "emoji", "badge"})
_LAZY_SRC = (
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-lazy",
    "data-url",
    "data-hi-res-src",
    "data-full-src",
    "data-img-src",
)
_LAZY_SRCSET = ("data-srcset", "data-lazy-srcset", "srcset")
_BACKGROUND_ATTRS = ("data-bg", "data-background", "data-background-image", "data-bg-src")
_BACKGROUND_SET = frozenset(_BACKGROUND_ATTRS)
# Path segments of pages that are not stories.
_NON_STORY_SEGMENTS = frozenset(
    {"tag", "tags", "topic", "topics", "author", "authors", "autor", "autoren", "category"}
    | {"categories", "kategorie", "profile", "profiles", "user", "users", "search", "suche"}
    | {"login", "signin", "signup", "register", "subscribe", "subscription", "newsletter"}
    | {"newsletters", "account", "abo", "contact", "impressum", "imprint", "privacy"}
    | {"datenschutz", "terms", "about", "feed", "rss", "page", "comments", "cart"}
)
_NON_STORY_SUFFIXES = (
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".svg",
    ".pdf",
    ".mp3",
    ".mp4",
    ".xml",
    ".rss",
    ".zip",
)
_SOCIAL_HOSTS = (
    "facebook.com",
    "twitter.com",
    "x.com",
    "linkedin.com",
    "pinterest.com",
    "reddit.com",
    "whatsapp.com",
    "wa.me",
    "t.me",
    "telegram.me",
    "instagram.com",
    "tiktok.com",
    "flipboard.com",
    "vk.com",
    "news.google.com",
    "apps.apple.com",
    "play.google.com",
    "threads.net",
    "bsky.app",
    "mastodon.social",
)

_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\u3040-\u30ff\uf900-\ufaff]")
_READ_MORE = re.compile(
    r"^\W*(?:keep reading|read more|read on|read the full (?:story|article)|continue reading"
    r"|full story|more|view more|see more|show more|show less|learn more|mehr|weiterlesen"
    r"|lire la suite|lire plus|leer más|seguir leyendo|leggi (?:tutto|di più)|läs mer"
    r"|les mer|læs mere|lees meer|czytaj więcej|подробнее|читать далее|더보기|続きを読む)\W*$",
    re.IGNORECASE,
)
_RELATED_LABEL = re.compile(
    r"^\W*(?:also read|read also|read more|more for you|more from|more on|more stories|more news"
    r"|related|see also|further reading|recommended|you (?:may|might) also like|latest"
    r"|most (?:read|popular|viewed|shared)|trending|top stories|editor'?s picks|don'?t miss"
    r"|lesen sie auch|lesen sie mehr|auch interessant|mehr zum thema|weitere artikel"
    r"|das könnte sie auch interessieren|meistgelesen|(?:à )?lire aussi|a lire aussi|voir aussi"
    r"|sur le même sujet|lee también|leer más|te puede interesar|noticias relacionadas"
    r"|leggi anche|potrebbe interessarti|läs också|læs også|les også|lees ook|czytaj (?:też|także)"
    r"|читайте также|관련기사|関連記事|相关新闻|相關新聞)",
    re.IGNORECASE,
)
_LABEL_TRIM = " \t\n:|-–—»›>•·"
_PLACEHOLDER = re.compile(
    r"(?:blank|spacer|placeholder|pixel|transparent|lazy|loading|grey|gray|1x1)[^/]*"
    r"\.(?:gif|png|svg)(?:\?|$)",
    re.IGNORECASE,
)
_BACKGROUND_URL = re.compile(r"background(?:-image)?\s*:[^;]*url\(\s*['\"]?([^'\")]+)")

# Caption credits: a label ("Photo:"), a copyright sign, or a news/photo agency.
_CREDIT_LABEL = re.compile(
    r"^(?:photo(?:graph)?s?|foto(?:s|grafie)?|image|images|picture|pic|bild|credit|credits"
    r"|source|quelle|crédit|crédits|photo credit|image credit|copyright|fotó|kuva|billede"
    r"|bildrechte|bildquelle|(?:photo|picture|image)s? by)\s*[:：]?\s+",
    re.IGNORECASE,
)
_CREDIT_LABEL_STRICT = re.compile(
    r"^(?:photo(?:graph)?s?|foto(?:s|grafie)?|image|images|picture|pic|bild|bildrechte|credit|credits"
    r"|source|quelle|crédit|crédits|photo credit|image credit)\s*[:：]\s*",
    re.IGNORECASE,
)
_COPYRIGHT_ANYWHERE = re.compile(r"©|\(c\)\s", re.IGNORECASE)
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b)\s*", re.IGNORECASE)
_AGENCIES = (
    r"getty(?: images)?|reuters|afp|ap(?: photo)?|associated press|dpa|epa(?:-efe)?|efe"
    r"|shutterstock|alamy|pa(?: images| wire| media)?|bloomberg|anp|keystone|imago"
    r"|picture alliance|picture-alliance|ansa|xinhua|sipa|zuma|istock(?:photo)?|nurphoto"
    r"|sopa images|anadolu|pool|wikimedia commons|unsplash|pti|ians|ani|yonhap|kyodo|tt"
    r"|ntb|ritzau|apa|belga|tass|sputnik|adobe stock|stock\.adobe\.com|aap|ddp|kna"
)
_AGENCY = re.compile(rf"\b(?:{_AGENCIES})\b", re.IGNORECASE)
# A whole credit naming an agency: "Getty Images", "Ian Forsyth/Getty Images", "AP Photo/X".
_AGENCY_CREDIT = re.compile(
    rf"^(?:[^/.!?]{{1,40}}/\s*)?(?:{_AGENCIES})(?:\s*(?:/|via|for)\s*[^/.!?]{{1,40}})?\.?$",
    re.IGNORECASE,
)
_SLASH_CREDIT = re.compile(r"^[A-ZÀ-Þ][\w.'’ -]{0,40}\s*/\s*[A-Za-zÀ-ÿ][\w.'’ -]{0,40}$")
_LABEL_START = re.compile(
    r"(?:photo(?:graph)?s?|foto(?:s)?|image|picture|bild|credit|quelle|source)\s*[:：]",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"(?:[.!?;]\s+|\s+[|–—-]\s+|\s*\n\s*)")
_EMPTY: frozenset[str] = frozenset()
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Second-level labels under country domains: "co.uk", "com.au", "or.jp".
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go"})
# Elements read for page facts: links, <base>, canonical <link>, og: <meta>, <title>.
_LINKING = frozenset({"a", "base", "link", "meta", "title"})
_SITE_NAME_META = frozenset({"og:site_name", "application-name"})
_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s*::\s*|\s+·\s+")

# Per-element flags, inherited by descendants.
EXCLUDED = 1  # navigation, page chrome: links here are never teasers
MUTED = 2  # script, style and the like: no readable text
CONTENT = 4  # inside article/section/aside/li/main: <header>/<footer> here are local
IN_HEADING = 8  # inside h1-h6
CAPTION = 16  # inside an image caption or credit

# Flags an element's name alone sets on it and its descendants.
_NAME_FLAGS = {
    **dict.fromkeys(_MUTED, EXCLUDED | MUTED),
    **dict.fromkeys(_CONTENT, CONTENT),
    **dict.fromkeys(_HEADINGS, IN_HEADING),
    "figcaption": CAPTION,
}


# --- the scan -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tree:
    """The page flattened into parallel arrays, in document (pre-)order."""

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
    base: str = ""
    self_urls: set[str] = field(default_factory=set)
    # case-folded names of the site itself: a heading saying only that names no block
    site_names: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Card:
    """One validated card: its element index, story URL and what it says."""

    idx: int
    url: str
    headline: str
    summary: str | None
    image: Image | None
    label: str | None

    @property
    def heading_like(self) -> bool:
        """A bare short link, as block headings linking to their section page are."""
        limit = HEADING_LINK_MAX_CJK if _CJK.search(self.headline) else HEADING_LINK_MAX_CHARS
        return len(self.headline) <= limit and self.image is None and self.summary is None


def find_teasers(soup: BeautifulSoup, page_url: str) -> TeaserScan:
    """Find teaser blocks and cards on a parsed page without changing the tree.

    Cards are the largest elements around a story link that hold no other story's link;
    sibling cards under one parent form a block, widened to take in its heading.
    """
    tree = _index(soup, page_url)
    if not tree.tags:
        return TeaserScan()
    _aggregate(tree)
    cards = _find_cards(tree)
    if not cards:
        return TeaserScan()
    return _assemble(tree, cards, normalize_url(page_url) or page_url)


def _tokens_of(attrs: Mapping[str, object], cache: dict[str, frozenset[str]]) -> frozenset[str]:
    cls = attrs.get("class")
    ident = attrs.get("id")
    if not cls and not ident:
        return _EMPTY
    key = " ".join(cls) if isinstance(cls, list) else str(cls or "")
    if isinstance(ident, str):
        key = f"{key} {ident}"
    found = cache.get(key)
    if found is None:
        found = frozenset(tok for tok in _TOKEN_SPLIT.split(key.lower()) if tok)
        cache[key] = found
    return found


def _index(soup: BeautifulSoup, page_url: str) -> _Tree:
    """Pass 1, over the soup: flatten elements, own text lengths, zones, hrefs."""
    tree = _Tree(base=page_url)
    cache: dict[str, frozenset[str]] = {}
    canonical: list[str] = []
    page_title = ""
    tags, parent, names, tokens = tree.tags, tree.parent, tree.names, tree.tokens
    text, flags, hrefs, prev = tree.text, tree.flags, tree.hrefs, tree.prev
    last_kid: list[int] = []  # per element: its latest element child so far
    top_kid = -1
    # open elements from the root down: descendants come in document order, so a node's
    # parent is always on this stack once the finished subtrees above it are popped
    open_tags: list[object] = [soup]
    open_idx = [-1]
    for node in soup.descendants:
        up = node.parent
        while open_tags[-1] is not up and len(open_tags) > 1:
            open_tags.pop()
            open_idx.pop()
        p = open_idx[-1]
        if type(node) is NavigableString:
            if p >= 0 and not flags[p] & MUTED:
                stripped = node.strip()
                if stripped:
                    text[p] += len(stripped)
            continue
        if not isinstance(node, Tag):
            continue
        i = len(tags)
        open_tags.append(node)
        open_idx.append(i)
        name = node.name
        attrs = node.attrs
        tok = _tokens_of(attrs, cache) if attrs else _EMPTY
        f = (flags[p] if p >= 0 else 0) | _NAME_FLAGS.get(name, 0)
        if not f & EXCLUDED and (attrs or name in _CHROME) and _excluded(name, attrs, tok, f):
            f |= EXCLUDED
        if tok and tok & _CAPTION_CONTEXT:
            f |= CAPTION
        tags.append(node)
        parent.append(p)
        prev.append(last_kid[p] if p >= 0 else top_kid)
        if p >= 0:
            last_kid[p] = i
        else:
            top_kid = i
        last_kid.append(-1)
        names.append(name)
        tokens.append(tok)
        text.append(0)
        flags.append(f)
        if name not in _LINKING:
            continue
        href = attrs.get("href")
        if name == "a":
            rel = attrs.get("rel")
            # rel=author/tag links and hreflang links to other editions are never stories
            if (
                isinstance(href, str)
                and "hreflang" not in attrs
                and not (isinstance(rel, list) and ("author" in rel or "tag" in rel))
            ):
                hrefs[i] = href
        elif name == "base":
            if isinstance(href, str) and href.strip() and tree.base == page_url:
                tree.base = urljoin(page_url, href.strip())
        elif name == "link":
            rel = attrs.get("rel")
            if isinstance(rel, list) and "canonical" in rel and isinstance(href, str):
                canonical.append(href)
        elif name == "title":
            if not page_title:
                page_title = node.get_text()
        else:
            key = attrs.get("property") or attrs.get("name")
            content = attrs.get("content")
            if isinstance(content, str) and key == "og:url":
                canonical.append(content)
            elif isinstance(content, str) and key in _SITE_NAME_META:
                tree.site_names.add(_clean(content).casefold())
    for raw in [page_url, *canonical]:
        own = normalize_url(raw, page_url)
        if own is not None:
            tree.self_urls.add(own)
    if page_title and urlsplit(page_url).path in ("", "/"):
        # on a home page the <title> is the site's name, maybe with a slogan
        for part in _TITLE_SEPARATOR.split(page_title):
            tree.site_names.add(_clean(part).casefold())
    return tree


def _excluded(name: str, attrs: Mapping[str, object], tok: frozenset[str], flags: int) -> bool:
    """True for navigation, page headers/footers, share bars, tag lists and the like."""
    if name in _CHROME and (name not in ("header", "footer") or not flags & CONTENT):
        return True
    if name in _NEVER_EXCLUDED:
        return False
    role = attrs.get("role")
    if isinstance(role, str) and role.lower() in _EXCLUDE_ROLES:
        return True
    return bool(tok) and bool(tok & _EXCLUDE_TOKENS) and not tok & _KEEP_TOKENS


def _aggregate(tree: _Tree) -> None:
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
        elif name in _HEADINGS:
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


def _primary_target(tree: _Tree, i: int, has_img: bool, cache: dict[str, str | None]) -> str | None:
    """The story URL of anchor i when it is a primary link (headline, image, read-more)."""
    if not has_img and tree.text[i] < 6:
        return None
    label = _clean(tree.tags[i].get_text(" "))
    if not (
        has_img
        or _headline_ish(label)
        or _READ_MORE.match(label)
        or (tree.flags[i] & IN_HEADING and len(label) >= 10 and " " in label)
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


def _story_url(href: str, base: str, self_urls: set[str]) -> str | None:
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    lowered = href[:12].lower()
    if lowered.startswith(("javascript:", "mailto:", "tel:", "data:", "sms:", "whatsapp:")):
        return None
    target = normalize_url(href, base)
    if target is None or target in self_urls:
        return None
    parts = urlsplit(target)
    host = parts.hostname or ""
    if any(host == social or host.endswith("." + social) for social in _SOCIAL_HOSTS):
        return None
    path = parts.path.lower()
    if (path == "/" and not parts.query) or path.endswith(_NON_STORY_SUFFIXES):
        return None
    if any(segment in _NON_STORY_SEGMENTS for segment in path.split("/")):
        return None
    return target


def _clean(text: str) -> str:
    """Whitespace collapsed, zero-width characters and soft hyphens dropped."""
    return " ".join(text.translate(_INVISIBLE).split())


def _headline_ish(text: str) -> bool:
    """Long enough to be a story headline rather than a menu entry or a kicker."""
    if len(text) >= 20 and text.count(" ") >= 3:
        return True
    return len(_CJK.findall(text[:40])) >= 8


def _find_cards(tree: _Tree) -> list[_Card]:
    """Climb from each primary link to the largest element holding only that story."""
    parent, names, text, paras = tree.parent, tree.names, tree.text, tree.paras
    multi, h1s = tree.multi, tree.h1s
    anchors_of: dict[int, list[int]] = {}
    for a in sorted(tree.story):
        top = a
        while True:
            p = parent[top]
            if (
                p < 0
                or multi[p]
                or names[p] in _STOP
                or text[p] > CARD_MAX_TEXT
                or paras[p] > CARD_MAX_PARAS
                or h1s[p] > h1s[top]
            ):
                break
            top = p
        anchors_of.setdefault(top, []).append(a)
    cards: list[_Card] = []
    last_end = -1
    for top in sorted(anchors_of):
        if top < last_end:  # nested inside a card already read
            continue
        card = _read_card(tree, top, anchors_of[top])
        if card is not None:
            cards.append(card)
            last_end = tree.end[top]
    return cards


def _standalone(tree: _Tree, a: int) -> bool:
    """True when anchor a is not a link inside running prose."""
    if tree.has_img[a]:
        return True
    block = tree.parent[a]
    while block >= 0 and tree.names[block] in _INLINE:
        block = tree.parent[block]
    if block < 0:
        return True
    return tree.text[a] >= STANDALONE_SHARE * tree.text[block]


def _read_card(tree: _Tree, top: int, anchors: list[int]) -> _Card | None:
    """Headline, summary and image of the card at `top`, or None when it is no card."""
    if not any(_standalone(tree, a) for a in anchors):
        return None
    url = tree.story[anchors[0]]
    names, tokens, end = tree.names, tree.tokens, tree.end
    stop = end[top]
    heading = titled = fallback = -1  # linked h1-h6, linked "title" element, unlinked h1-h6
    for j in range(top, stop):
        if tree.flags[j] & (CAPTION | EXCLUDED) or tree.text[j] == 0:
            continue
        is_heading = names[j] in _HEADINGS
        if not is_heading and (titled >= 0 or not tokens[j] & _TITLE_TOKENS):
            continue
        if any(j <= a < end[j] or a <= j < end[a] for a in anchors):
            if is_heading:
                heading = j
                break
            titled = j
        elif is_heading and fallback < 0:
            fallback = j
    head = heading if heading >= 0 else titled
    headline = _headline_text(tree, head, fallback, anchors)
    if headline is None:
        return None
    headline_at = head if head >= 0 else fallback
    summary = _summary(tree, top, headline_at, headline)
    image = _image(tree, top)
    return _Card(top, url, headline, summary, image, _label(tree, top, headline))


def _headline_text(tree: _Tree, head: int, fallback: int, anchors: list[int]) -> str | None:
    """The story headline: a linked heading, else the longest link text, else any heading."""
    candidates: list[str] = []
    if head >= 0:
        candidates.append(_without_kicker(tree, head))
    for a in sorted(anchors, key=lambda x: -len(tree.anchor_text.get(x, ""))):
        label = tree.anchor_text.get(a, "")
        candidates.append(_first_line(tree, a) if len(label) > 150 else label)
    if fallback >= 0:
        candidates.append(_clean(tree.tags[fallback].get_text(" ")))
    for text in candidates:
        if not text or _READ_MORE.match(text):
            continue
        if _RELATED_LABEL.match(text) and not _headline_ish(text):
            continue
        if (len(text) < 10 or " " not in text) and len(_CJK.findall(text)) < 4:
            continue
        return text[:HEADLINE_MAX_CHARS]
    return None


def _without_kicker(tree: _Tree, head: int) -> str:
    """The text of a headline element minus a leading kicker ("WWF study", "Politics")."""
    text = _clean(tree.tags[head].get_text(" "))
    for j in range(head + 1, tree.end[head]):
        if tree.tokens[j] & _KICKER_TOKENS and tree.text[j]:
            kicker = _clean(tree.tags[j].get_text(" "))
            if kicker and text.startswith(kicker) and len(kicker) < len(text):
                return text[len(kicker) :].lstrip(_LABEL_TRIM)
            break
    return text


def _first_line(tree: _Tree, a: int) -> str:
    """First text-bearing child of an anchor that wraps a whole card."""
    j = a + 1
    while j < tree.end[a]:
        if tree.text[j] > 0:
            return _clean(tree.tags[j].get_text(" "))
        j = tree.end[j]
    return tree.anchor_text.get(a, "")


def _summary(tree: _Tree, top: int, head: int, headline: str) -> str | None:
    names, tokens, end = tree.names, tree.tokens, tree.end
    j = top + 1
    while j < end[top]:
        if tree.flags[j] & (CAPTION | EXCLUDED) or (head >= 0 and head <= j < end[head]):
            j = end[j]
            continue
        contains_head = head >= 0 and j < head < end[j]
        tok = tokens[j]
        if names[j] != "p" and tree.paras[j] > 0:
            j += 1  # a summary box of paragraphs: its first paragraph is the summary
            continue
        if (
            not contains_head
            and not tree.has_img[j]
            and (names[j] == "p" or tok & _SUMMARY_TOKENS)
            and not tok & _META_TOKENS
            and tree.text[j] >= SUMMARY_MIN_CHARS
            and j not in tree.story
        ):
            summary = _clean(tree.tags[j].get_text(" "))
            if summary and summary != headline and not _READ_MORE.match(summary):
                return summary[:SUMMARY_MAX_CHARS]
        j += 1
    return None


def _image(tree: _Tree, top: int) -> Image | None:
    """The card's picture with the caption and credit printed beside it."""
    names, tokens, tags = tree.names, tree.tokens, tree.tags
    src: str | None = None
    source_set: str | None = None
    cap_el = credit_el = -1
    for j in range(top, tree.end[top]):
        name = names[j]
        if tree.flags[j] & (EXCLUDED | MUTED) == EXCLUDED:
            continue
        tok = tokens[j]
        if credit_el < 0 and tok & _CREDIT_TOKENS:
            credit_el = j
        elif cap_el < 0 and (name == "figcaption" or tok & _CAPTION_TOKENS):
            cap_el = j
        if src is not None or tok & _SKIP_IMAGE_TOKENS:
            continue
        attrs = tags[j].attrs
        if name == "img":
            if _tiny(attrs):
                continue
            src = _img_src(attrs) or source_set
        elif name == "source" and source_set is None:
            srcset = attrs.get("srcset") or attrs.get("data-srcset")
            if isinstance(srcset, str):
                source_set = _best_candidate(srcset)
        elif attrs and ("style" in attrs or not _BACKGROUND_SET.isdisjoint(attrs)):
            src = _background(attrs)
    src = src or source_set
    if src is None:
        return None
    url = normalize_url(src, tree.base)
    if url is None:
        return None
    caption_text = _clean(tags[cap_el].get_text(" ")) if cap_el >= 0 else ""
    credit_text = _clean(tags[credit_el].get_text(" ")) if credit_el >= 0 else ""
    if credit_text and cap_el >= 0 and cap_el < credit_el < tree.end[cap_el]:
        caption_text = _clean(caption_text.replace(credit_text, " "))  # credit nested inside
    caption, credit = split_credit(caption_text)
    if credit_text:
        credit = _credit_name(credit_text) or credit_text.strip("()[] ")
        if caption and caption.endswith(credit_text):
            caption = caption[: -len(credit_text)].strip(" |–—-") or None
    return Image(url, caption, credit or None)


def _tiny(attrs: Mapping[str, object]) -> bool:
    for key in ("width", "height"):
        value = attrs.get(key)
        if isinstance(value, str) and value.strip().isdigit() and int(value.strip()) <= 2:
            return True
    return False


def _usable(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or value.startswith("data:") or _PLACEHOLDER.search(value):
        return None
    return value


def _first_usable(attrs: Mapping[str, object], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        found = _usable(attrs.get(key))
        if found:
            return found
    return None


def _img_src(attrs: Mapping[str, object]) -> str | None:
    """An <img>'s picture: lazy-load attributes first, then src, then the widest srcset entry."""
    found = _first_usable(attrs, _LAZY_SRC) or _usable(attrs.get("src"))
    if found:
        return found
    for key in _LAZY_SRCSET:
        value = attrs.get(key)
        best = _best_candidate(value) if isinstance(value, str) else None
        if best:
            return best
    return None


def _background(attrs: Mapping[str, object]) -> str | None:
    """A CSS or lazy-load background picture on any element."""
    found = _first_usable(attrs, _BACKGROUND_ATTRS)
    if found:
        return found
    style = attrs.get("style")
    match = _BACKGROUND_URL.search(style) if isinstance(style, str) else None
    return _usable(match.group(1)) if match else None


def _best_candidate(srcset: str) -> str | None:
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
        candidate = _usable(candidate) or ""
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


def _credit_name(text: str) -> str | None:
    """The credited name when all of `text` is a photo credit, else None."""
    text = text.strip().strip("()[]").strip()
    if not text or len(text) > 100:
        return None
    label = _CREDIT_LABEL.match(text)
    if label:
        rest = text[label.end() :].strip(" :")
        return rest or None
    mark = _COPYRIGHT.match(text)
    if mark:
        rest = text[mark.end() :].strip()
        return rest or None
    if _AGENCY_CREDIT.match(text):
        return text
    if _SLASH_CREDIT.match(text):
        return text
    return None


def split_credit(text: str) -> tuple[str | None, str | None]:
    """Split an image caption into (caption, credit), e.g. "Fans wave. (Photo: AFP)"."""
    text = _clean(text)
    if not text:
        return None, None
    whole = _credit_name(text)
    if whole is not None and not _SEPARATOR.search(text.strip("()[] ")):
        return None, whole
    tail = re.search(r"[(\[]([^()\[\]]{1,100})[)\]]\W*$", text)
    if tail:
        credit = _credit_name(tail.group(1))
        if credit is not None:
            return text[: tail.start()].strip() or None, credit
    cuts = [m.end() for m in _SEPARATOR.finditer(text)]
    cuts += [m.start() for m in _LABEL_START.finditer(text) if m.start() > 0]
    cuts += [m.start() for m in _COPYRIGHT_ANYWHERE.finditer(text) if m.start() > 0]
    for cut in sorted(set(cuts)):
        rest = text[cut:].strip()
        if len(rest) > 100:
            continue
        credit = _credit_name(rest)
        if credit is None:
            continue
        if cut in (m.start() for m in _LABEL_START.finditer(text)) or _strict_tail(rest):
            caption = text[:cut].strip(" |–—-")
            return caption or None, credit
    return text, None


def _strict_tail(rest: str) -> bool:
    """A tail after a sentence break counts as credit only with a clear marker."""
    return bool(
        _CREDIT_LABEL_STRICT.match(rest)
        or _COPYRIGHT.match(rest)
        or "/" in rest
        or _AGENCY.fullmatch(rest.strip(" ."))
        or re.fullmatch(r"(?:photo|picture|image)s? by .+", rest, re.IGNORECASE)
    )


def _label(tree: _Tree, top: int, headline: str) -> str | None:
    """A "Read also:"-style label printed in the card before its headline."""
    full = _clean(tree.tags[top].get_text(" "))
    at = full.find(headline)
    if at <= 0:
        return None
    prefix = full[:at].strip(_LABEL_TRIM)
    if 0 < len(prefix) <= 40 and _RELATED_LABEL.match(prefix):
        return prefix
    return None


# --- blocks ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Totals:
    """Per-ancestor sums over the validated cards: text, primary links, h1s."""

    text: dict[int, int] = field(default_factory=dict)
    primaries: dict[int, int] = field(default_factory=dict)
    h1s: dict[int, int] = field(default_factory=dict)
    # card element indices in document order, and whether each card's headline is story-long
    starts: list[int] = field(default_factory=list)
    long: list[bool] = field(default_factory=list)


def _card_totals(tree: _Tree, cards: list[_Card]) -> _Totals:
    totals = _Totals()
    totals.starts = [card.idx for card in cards]
    totals.long = [not card.heading_like for card in cards]
    for card in cards:
        c = card.idx
        text, prim, h1 = tree.text[c], tree.primaries[c], tree.h1s[c]
        node = c
        while node >= 0:
            totals.text[node] = totals.text.get(node, 0) + text
            totals.primaries[node] = totals.primaries.get(node, 0) + prim
            totals.h1s[node] = totals.h1s.get(node, 0) + h1
            node = tree.parent[node]
    return totals


def _fits(tree: _Tree, totals: _Totals, node: int) -> bool:
    """True when `node` holds little besides cards: no page title, no body of prose."""
    if node < 0 or tree.names[node] in _STOP:
        return False
    if tree.h1s[node] > totals.h1s.get(node, 0):
        return False
    return tree.text[node] - totals.text.get(node, 0) <= BLOCK_MAX_OVERHEAD


def _heading_of(tree: _Tree, totals: _Totals, j: int) -> str | None:
    """The text of element j when it reads as a block heading ("More For You")."""
    names, text = tree.names, tree.text
    if (tree.flags[j] & EXCLUDED and names[j] not in _HEADINGS) or text[j] == 0 or tree.has_img[j]:
        return None
    if text[j] > (HEADING_MAX_CHARS * 2 if tree.headings[j] else HEADING_MAX_CHARS):
        return None
    at = bisect_left(totals.starts, j)
    if at < len(totals.starts) and totals.starts[at] < tree.end[j] and totals.long[at]:
        return None  # a story card, not a heading
    head = j
    if names[j] not in _HEADINGS and tree.headings[j]:
        head = next(k for k in range(j, tree.end[j]) if names[k] in _HEADINGS)
    elif not (
        names[j] in _HEADINGS
        or tree.tokens[j] & _BLOCK_TITLE_TOKENS
        or names[j] in ("header", "legend", "strong", "b", "caption")
    ):
        head = -1
    links = sum(
        1 for k in range(j, tree.end[j]) if names[k] == "a" and not head <= k < tree.end[head]
    )
    if links > 2:
        return None  # a tag list or tab bar
    heading = _clean(tree.tags[head if head >= 0 else j].get_text(" ")).strip(_LABEL_TRIM)
    if not heading or len(heading) > HEADING_MAX_CHARS or heading.count(" ") >= HEADING_MAX_WORDS:
        return None
    if head < 0 and not _RELATED_LABEL.match(heading):
        return None
    if heading.casefold() in tree.site_names:
        return None
    return heading


def _heading_before(tree: _Tree, totals: _Totals, node: int, upto: int) -> str | None:
    """A heading among the nearest non-empty children of `node` that precede `upto`."""
    child = upto
    while child >= 0 and tree.parent[child] != node:
        child = tree.parent[child]
    seen = steps = 0
    j = tree.prev[child] if child >= 0 else -1
    while j >= 0 and steps < HEADING_MAX_STEPS:
        steps += 1
        if tree.text[j] or tree.headings[j]:
            heading = _heading_of(tree, totals, j)
            if heading is not None:
                return heading
            seen += 1
            if seen >= HEADING_LOOKBACK:
                break
        j = tree.prev[j]
    return None


def _aria_label(tree: _Tree, node: int) -> str | None:
    if tree.names[node] not in ("section", "aside", "div", "ul", "ol"):
        return None
    label = tree.tags[node].attrs.get("aria-label")
    if isinstance(label, str):
        label = _clean(label)
        if 0 < len(label) <= HEADING_MAX_CHARS:
            return label
    return None


def _place(tree: _Tree, totals: _Totals, start: int, first: int) -> tuple[int, str | None]:
    """Widen a group's start element to its block container; return it and its heading."""
    node = start
    name = _heading_before(tree, totals, start, first) if start != first else None
    while name is None:
        up = tree.parent[node]
        if up < 0:
            break
        name = _heading_before(tree, totals, up, node)
        if name is not None:
            if _fits(tree, totals, up):
                node = up
            break
        name = _aria_label(tree, node)
        if name is not None:
            break
        if not _fits(tree, totals, up) or tree.primaries[up] != totals.primaries.get(up, 0):
            break
        node = up
    return node, name


def _assemble(tree: _Tree, cards: list[_Card], seen_on: str) -> TeaserScan:
    totals = _card_totals(tree, cards)
    by_parent: dict[int, list[_Card]] = {}
    for card in cards:
        by_parent.setdefault(tree.parent[card.idx], []).append(card)
    blocks: dict[int, tuple[list[_Card], list[str]]] = {}
    for parent_idx, group in by_parent.items():
        if parent_idx >= 0 and _fits(tree, totals, parent_idx):
            starts = [(parent_idx, group)]
        else:
            starts = [(card.idx, [card]) for card in group]
        for start, members in starts:
            container, name = _place(tree, totals, start, members[0].idx)
            held, names = blocks.setdefault(container, ([], []))
            held.extend(members)
            if name:
                names.append(name)
    scan = TeaserScan()
    site = _site_of(seen_on)
    printed: set[tuple[str | None, tuple[str, ...]]] = set()
    outer_end = -1
    for container in sorted(blocks):
        members, names = blocks[container]
        unique = _unique(members)
        if (
            len(unique) > 2
            and unique[0].heading_like
            and tree.parent[unique[0].idx] != tree.parent[unique[1].idx]
        ):
            lead = unique.pop(0)  # the block's own linked heading
            names.append(lead.headline)
        labels = [card.label for card in unique if card.label]
        heading = names[0] if names else None
        related = bool(labels) or bool(heading and _RELATED_LABEL.match(heading))
        if len(unique) < 2 and not related:
            continue
        if not related and not any(card.image or _site_of(card.url) == site for card in unique):
            continue  # bare links to other sites: sources or shop links, not story teasers
        if container >= outer_end:
            scan.blocks.append(tree.tags[container])
            outer_end = tree.end[container]
        block_name = heading or (labels[0] if labels else None)
        key = (block_name, tuple(card.url for card in unique))
        if key in printed:
            continue  # the same block again (responsive or carousel copies)
        printed.add(key)
        scan.teasers.extend(
            Teaser(
                headline=card.headline,
                url=card.url,
                seen_on=seen_on,
                position=position,
                summary=card.summary,
                image=card.image,
                block=block_name,
            )
            for position, card in enumerate(unique)
        )
    return scan


def _unique(members: list[_Card]) -> list[_Card]:
    """Cards in document order, the first of each story URL."""
    unique: list[_Card] = []
    urls: set[str] = set()
    for card in sorted(members, key=lambda card: card.idx):
        if card.url not in urls:
            urls.add(card.url)
            unique.append(card)
    return unique


def _site_of(url: str) -> str:
    """The publisher's name in a URL's host: "bbc" for both www.bbc.co.uk and bbc.com."""
    labels = host_of(url).split(".")
    if len(labels) > 2 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]
