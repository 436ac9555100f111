"""Page kind: is the main content one story (article), a set of cards (listing), or other?

The body finder returns text on almost every page, so a body alone does not make an article.
The decision weighs the evidence that the page is one content item (structured data saying
article, a publication date, credited authors, a story-like URL) against signs that its main
content is cards (many teasers beside a short text) or a page of another type (product,
forum, service and documentation pages, by structured data or URL vocabulary).

An article typed as anything else is lost to search, so every rule that turns a page away
from `article` needs the page to lack article evidence. Thresholds were measured on the
`tune` split of both dev sets (benchmarks/splits/); see the README for the figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from workers.extract.jsonld import ARTICLE_TYPES
from workers.urls import first_host_label

Kind = Literal["article", "listing", "other"]

# Evidence points (declared article, publication date, authors, story-like URL) at which a
# body of this many words is an article whatever surrounds it.
STRONG_EVIDENCE = 2
# All four evidence points: an article at any body length the extractor accepts (no listing
# or collection page of the wcxb tune split has all four; author cards can outnumber its text).
FULL_EVIDENCE = 4
EVIDENCED_ARTICLE_WORDS = 150
# Teaser cards that make a listing when the body beside them is short: fewer than this many
# body words per teaser means the cards, not the text, are the main content.
LISTING_MIN_TEASERS = 8
LISTING_WORDS_PER_TEASER = 30
# Below this many words, a page whose URL names a listing section (/category/, /tag/...) or
# the site root is that listing; longer texts there are articles.
SECTION_URL_MAX_WORDS = 500
# Printed teasers that make a page under a listing section a listing at any length when it has
# at most one evidence point (a category page with a long introduction). One and a half times
# LISTING_MIN_TEASERS: on the wcxb tune split an article under /collection/ carries 8 to 11.
SECTION_MIN_TEASERS = 12
# Share of the body's text weight inside links at which the body is a list of links to other
# items (an index of entries, a day's listing of papers, a store's category), a listing unless
# the page is declared, dated and credited. Measured on the wcxb tune split: no article short
# of that evidence has more than 0.12 of its body in links (one fully evidenced roundup has
# 0.197); the list pages typed article carry 0.21 to 0.33.
LISTING_LINK_SHARE = 0.2
# Share of the text from the body's first to its last paragraph (blocks left out of the body
# too) inside links, below which a dated front page without cards shows one post rather than
# listing posts. Measured on the wcxb tune split: the dated front pages that list (a blog's,
# a news site's, headline links between the excerpts) have 0.065 and 0.17; the one showing a
# single post 0.002. Headline links of 1,000-word posts shown in full would weigh about 0.01.
ONE_POST_MAX_LINK_SHARE = 0.01
# Date lines in that span from which it holds several dated entries, not one post (on the
# wcxb tune split the listing front pages above carry 3 and 4, the single post none).
ENTRIES_MIN_DATELINES = 2
# Cards needed to call a page without a story a listing rather than other.
MIN_LISTING_TEASERS = 3
# A story slug: at least this many hyphens in the last path segment ("mayor-opens-new-bridge").
SLUG_MIN_HYPHENS = 3
# Code listings (<pre>) on a page with neither a date nor an article declaration that make it
# documentation. Measured on the wcxb tune split: at two or more, 14 documentation pages and
# one blog post (under /post/, which _ARTICLE_SEGMENTS now spares) of the pages with no
# evidence point; with an author credit or a story-like URL alone (manuals have both), 8
# more manual pages and one post (under /articles/).
DOC_MIN_CODE_BLOCKS = 2
# Path segments under which a page without other evidence is still a post, never a doc or shop.
_ARTICLE_SEGMENTS = frozenset(
    {"blog", "blogs", "post", "posts", "article", "articles", "news", "story", "stories"}
)

_DATE_PATH = re.compile(r"/(?:19|20)\d\d/")
# schema.org types of pages that are not articles (lower-cased, as metadata reads them).
_PRODUCT_TYPES = frozenset({"product", "productgroup", "offer", "aggregateoffer"})
_FORUM_TYPES = frozenset({"discussionforumposting", "qapage"})
# Measured on the wcxb tune split: every article page with product markup also declares an
# article type; six product and service pages with product markup alone were typed article.
_REVIEW_TYPES = frozenset({"review", "criticreview", "userreview"})
# Questions-and-answers markup, which shops and service pages add for search engines. Measured
# on the wcxb tune split: no page with it and without any evidence point is an article; three
# service, one product and one collection page of that kind were typed article.
_FAQ_TYPES = frozenset({"faqpage"})
# Path segments of service, shop, forum and documentation pages (a story slug under them,
# "/about/blog/how-we-test-pipes", still reads as an article).
_OTHER_SEGMENTS = frozenset(
    {
        "pricing",
        "plans",
        "about",
        "about-us",
        "contact",
        "contact-us",
        "docs",
        "doc",
        "documentation",
        "product",
        "products",
        "shop",
        "store",
        "cart",
        "forum",
        "forums",
        "thread",
        "threads",
        "questions",
        "community",
        "support",
        "help",
        "api",
        "reference",
        "manual",
        "faq",
        "services",
        "service",
        "features",
        "solutions",
        "careers",
        "jobs",
        "login",
        "signup",
        "register",
        "wiki",
        "discussion",
        "topic",
        "item",
        "dp",
        "viewtopic.php",
        "showthread.php",
    }
)
# The part of _OTHER_SEGMENTS that names a service, shop or manual page on sites whose software
# declares and dates every page: no news or encyclopedia path among them ("doc", "wiki",
# "topic", "item" and "features" name stories on some sites). Measured on the wcxb tune split:
# no article page is declared, dated, uncredited and without a story slug under them.
_SERVICE_PAGE_SEGMENTS = frozenset(
    {
        "services",
        "service",
        "solutions",
        "pricing",
        "plans",
        "docs",
        "documentation",
        "manual",
        "product",
        "products",
        "shop",
        "store",
        "support",
        "help",
        "faq",
        "careers",
        "about",
        "about-us",
        "contact",
        "contact-us",
    }
)
# The part of _SERVICE_PAGE_SEGMENTS that names what a site sells, where site software also
# slugs each page's name (/services/app-development-company/). Measured on the wcxb tune
# split: of the 33 pages under them (and under no blog or news path) that credit no author,
# none is an article, whatever their declaration, date or slug.
_SELLING_SEGMENTS = frozenset(
    {"services", "service", "solutions", "pricing", "plans", "product", "products", "shop", "store"}
)
# Path segments (any but the last) and first host labels of discussion threads. Measured on
# the wcxb tune split: 34 forum pages and no article without declared article markup.
_FORUM_SEGMENTS = frozenset(
    {
        "threads",
        "thread",
        "topic",
        "questions",
        "forum",
        "forums",
        "discussion",
        "discussions",
        "viewtopic.php",
        "showthread.php",
        "comments",
    }
)
_FORUM_HOSTS = frozenset({"forum", "forums", "community", "bbs", "boards", "discuss"})
# First host labels of documentation, help and shop sites (docs.example.org/guide/setup).
_SERVICE_HOSTS = frozenset(
    {"docs", "doc", "developer", "developers", "wiki", "help", "support", "api", "shop", "store"}
)
# Path segments and first host labels of a manual (supabase.example/docs/guides/auth,
# developer.example.com/terraform/language/resources). Documentation software declares its
# pages articles, dates them by their last edit and credits their editors: under these, a
# page without a story slug and short of all four evidence points is documentation. Measured
# on the wcxb tune split: three documentation pages and no article were typed article there.
_MANUAL_SEGMENTS = frozenset({"docs", "documentation", "manual"})
_MANUAL_HOSTS = frozenset({"docs", "developer", "developers"})
# Path segments that name a discussion thread and nothing else ("topic" may be an essay).
_THREAD_SEGMENTS = frozenset({"threads", "thread", "viewtopic.php", "showthread.php"})
# Path segments of one item inside a section.
_ITEM_SEGMENTS = frozenset({"product", "products", "item", "items", "p", "dp"})
# Path segments of section, tag, author and archive pages.
_LISTING_SEGMENTS = frozenset(
    {
        "category",
        "categories",
        "tag",
        "tags",
        "topics",
        "collections",
        "collection",
        "c",
        "cat",
        "section",
        "sections",
        "archive",
        "archives",
        "author",
        "authors",
        "search",
        "browse",
        "list",
        "hub",
        "page",
    }
)


@dataclass(frozen=True, slots=True)
class KindEvidence:
    """What the kind decision reads about a page that has a candidate body."""

    url: str
    words: int
    teasers: int
    declares_article: bool
    has_date: bool
    has_authors: bool
    types: frozenset[str]
    # <pre> elements on the page, and whether it shows a shop's buy button ("Add to cart").
    code_blocks: int = 0
    shop_button: bool = False
    # Cards the teaser scan found, printed as teasers or not (at least `teasers` when set).
    cards: int = 0
    # Share of the body's text weight that sits inside links (0 to 1), and of the text of
    # every block from the body's first paragraph to its last (link lists left out too); an
    # unknown span counts as all links, so it never shows a link-free text.
    link_share: float = 0.0
    span_link_share: float = 1.0
    # Date lines ("March 3, 2024") among the blocks of that span.
    span_datelines: int = 0


@dataclass(frozen=True, slots=True)
class KindDecision:
    """The page kind and, for anything but an article, why."""

    kind: Kind
    reason: str | None = None


def _segments(url: str) -> list[str] | None:
    """Lower-cased path segments of an http(s) URL; None when the URL says nothing."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return [segment.lower() for segment in parts.path.split("/") if segment]


def story_url(url: str) -> bool:
    """A URL that names one story: a hyphenated slug or a /yyyy/ date in the path."""
    segments = _segments(url)
    if not segments:
        return False
    last = segments[-1].rsplit(".", 1)[0]
    return last.count("-") >= SLUG_MIN_HYPHENS or bool(_DATE_PATH.search(urlsplit(url).path))


def evidence_points(evidence: KindEvidence) -> int:
    """One point each: declared article, publication date, authors, story-like URL."""
    return (
        int(evidence.declares_article)
        + int(evidence.has_date)
        + int(evidence.has_authors)
        + int(story_url(evidence.url))
    )


def no_story(teasers: int, reason: str, url: str = "") -> KindDecision:
    """A page without a story: a listing when it carries cards or sits in a section, else other.

    Shop and section grids are often drawn by scripts or as bare links the teaser scan does
    not count; the URL still names the section the page lists (/category/desk-lamps).
    """
    if teasers >= MIN_LISTING_TEASERS or section_url(url):
        return KindDecision("listing")
    return KindDecision("other", reason)


def section_url(url: str) -> bool:
    """A URL under a listing section (/tag/x, /collections/x), not an item inside one.

    An item in a shop's section (/collections/boots/products/trail-boot) is no section page.
    """
    segments = _segments(url)
    if not segments or _ITEM_SEGMENTS.intersection(segments):
        return False
    return _under_section(segments)


def _under_section(segments: list[str]) -> bool:
    """Whether a path lies under a listing section (/tag/harbour): a section segment before
    its last one."""
    return bool(_LISTING_SEGMENTS.intersection(segments[:-1]))


def rescued_story(evidence: KindEvidence) -> bool:
    """Whether a body found only on a second look (furniture names ignored) is the story.

    Only a dated page that credits authors or has a story URL, with more text than its cards
    would carry, is trusted: a declared page without them is as often a service page.
    """
    cards = max(evidence.teasers, evidence.cards)
    return (
        evidence.has_date
        and (evidence.has_authors or story_url(evidence.url))
        and evidence.words >= LISTING_WORDS_PER_TEASER * cards
    )


def _forum_markup_or_host(url: str, types: frozenset[str]) -> tuple[bool, list[str]]:
    """Whether thread markup or a forum host name the page, and its lower-cased path segments."""
    if types & _FORUM_TYPES:
        return True, []
    try:
        parts = urlsplit(url)
    except ValueError:
        return False, []
    segments = [segment.lower() for segment in parts.path.split("/") if segment]
    return first_host_label(url) in _FORUM_HOSTS, segments


def forum_page(url: str, types: frozenset[str]) -> bool:
    """A discussion or question thread, by structured data, path or host name."""
    named, segments = _forum_markup_or_host(url, types)
    return named or bool(
        _FORUM_SEGMENTS.intersection(segments[:-1] if len(segments) > 1 else segments)
    )


def thread_page(url: str, types: frozenset[str]) -> bool:
    """A discussion thread by signs that outweigh an OpenGraph "article" declaration.

    Forum software labels every thread og:type=article; a forum host, thread markup or a
    thread path then still makes it a thread, unless schema.org markup declares an article.
    """
    if types & ARTICLE_TYPES:
        return False
    named, segments = _forum_markup_or_host(url, types)
    return named or bool(_THREAD_SEGMENTS.intersection(segments[:-1]))


def service_url(url: str) -> bool:
    """A URL of a service, shop, forum or documentation page, by path segment or host name."""
    segments = _segments(url) or []
    return bool(_OTHER_SEGMENTS.intersection(segments)) or first_host_label(url) in _SERVICE_HOSTS


def _service_page_path(url: str) -> bool:
    """A path under a service, shop or manual section and under no blog or news section."""
    segments = _segments(url) or []
    return bool(_SERVICE_PAGE_SEGMENTS.intersection(segments)) and not (
        _ARTICLE_SEGMENTS.intersection(segments)
    )


def _selling_path(url: str) -> bool:
    """A path under a section of what the site sells (/services/, /products/, /pricing/)."""
    return bool(_SELLING_SEGMENTS.intersection(_segments(url) or []))


def site_root(url: str) -> bool:
    """The home page of a site: no path and no query."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return bool(parts.netloc) and not parts.path.strip("/") and not parts.query


def decide_kind(evidence: KindEvidence) -> KindDecision:
    """Article, listing or other, for a page whose body finder returned enough text.

    A page the rules below call an article is a manual page when its URL names a manual, it
    has no story slug, no blog or news path, and not all four evidence points.
    """
    decision = _decide(evidence)
    if (
        decision.kind == "article"
        and evidence_points(evidence) < FULL_EVIDENCE
        and manual_url(evidence.url)
    ):
        return KindDecision("other", "documentation page (URL)")
    return decision


def manual_url(url: str) -> bool:
    """A manual's URL (/docs/..., docs.example.org, developer.example.com) without a story
    slug and under no blog or news section."""
    segments = _segments(url)
    if segments is None or story_url(url) or _ARTICLE_SEGMENTS.intersection(segments):
        return False
    return bool(_MANUAL_SEGMENTS.intersection(segments)) or first_host_label(url) in _MANUAL_HOSTS


def _decide(evidence: KindEvidence) -> KindDecision:
    points = evidence_points(evidence)
    words, teasers = evidence.words, evidence.teasers
    cards = max(teasers, evidence.cards)
    if forum_page(evidence.url, evidence.types) and (
        not evidence.declares_article or thread_page(evidence.url, evidence.types)
    ):
        return KindDecision("other", "forum or question thread")
    if site_root(evidence.url) and (teasers >= MIN_LISTING_TEASERS or points == 0):
        # A home page is its cards; one without cards or any story evidence is a front door.
        return no_story(cards, "home page without cards")
    if site_root(evidence.url) and points == 1 and evidence.has_date:
        # A front page dated by its latest entries, with no article declared and no author
        # credited (a blog or news home drawn as headlines and excerpts the teaser scan does
        # not count as cards), lists them; one without cards whose text carries no headline
        # links and no second date line shows a single post.
        if (
            cards < MIN_LISTING_TEASERS
            and words >= EVIDENCED_ARTICLE_WORDS
            and evidence.span_link_share < ONE_POST_MAX_LINK_SHARE
            and evidence.span_datelines < ENTRIES_MIN_DATELINES
        ):
            return KindDecision("article")
        return KindDecision("listing")
    if (
        evidence.types & _PRODUCT_TYPES
        and not evidence.types & ARTICLE_TYPES
        and not evidence.types & _REVIEW_TYPES
    ):
        # Shop software dates and credits its product pages too; product markup with no
        # article or review markup beside it is a product page, or a shop's grid when it
        # carries as many cards as a listing (a product page's related items are fewer).
        if cards >= LISTING_MIN_TEASERS:
            return KindDecision("listing")
        return KindDecision("other", "product page (structured data)")
    if points >= FULL_EVIDENCE:
        return KindDecision("article")
    if evidence.declares_article and evidence.has_date and evidence.has_authors:
        # Declared (JSON-LD / OpenGraph), dated and credited: the story at any accepted body
        # length, however many cards surround it (a 100-word wire story under a grid).
        return KindDecision("article")
    if (
        not evidence.has_authors
        and _service_page_path(evidence.url)
        and (
            _selling_path(evidence.url)
            or (evidence.declares_article and evidence.has_date and not story_url(evidence.url))
        )
    ):
        # Site software declares and dates every page it serves (og:type article, a modified
        # time); with no author credited and no story slug, a service, shop or manual URL
        # outweighs those two points, and a URL of what the site sells outweighs a slug too
        # (a grid of cards there is still a listing).
        if teasers >= LISTING_MIN_TEASERS and words < LISTING_WORDS_PER_TEASER * teasers:
            return KindDecision("listing")
        return KindDecision("other", "service, shop, forum or documentation page (URL)")
    if evidence.link_share >= LISTING_LINK_SHARE:
        # A body that is mostly link text points to other items: the links are the content.
        return KindDecision("listing")
    if (
        points >= STRONG_EVIDENCE
        and words >= EVIDENCED_ARTICLE_WORDS
        and (evidence.has_date or evidence.has_authors)
    ):
        # A declaration and a slug alone (no date, no author) are what a hub page of
        # guides carries too; there the cards below decide.
        return KindDecision("article")
    if teasers >= LISTING_MIN_TEASERS and words < LISTING_WORDS_PER_TEASER * teasers:
        return KindDecision("listing")
    if points >= STRONG_EVIDENCE:
        return KindDecision("article")
    if evidence.types & _PRODUCT_TYPES:
        return KindDecision("other", "product page (structured data)")
    if evidence.types & _FORUM_TYPES:
        return KindDecision("other", "forum or question thread (structured data)")
    segments = _segments(evidence.url)
    if segments is None:
        return KindDecision("article")
    undated = not evidence.has_date and not evidence.declares_article
    if undated and not _ARTICLE_SEGMENTS.intersection(segments):
        # Neither dated nor declared: a page of code listings is documentation, credited or
        # not; with no evidence at all, a page with a buy button is a product page (or a
        # shop's grid, with cards), and one with FAQ markup a service page.
        if evidence.code_blocks >= DOC_MIN_CODE_BLOCKS:
            return KindDecision("other", "documentation page (code listings, no date)")
        if points == 0 and evidence.shop_button:
            return no_story(cards, "product page (buy button, no article evidence)", evidence.url)
        if points == 0 and evidence.types & _FAQ_TYPES:
            return no_story(cards, "service page (FAQ markup, no article evidence)", evidence.url)
    if service_url(evidence.url) and not story_url(evidence.url):
        return KindDecision("other", "service, shop, forum or documentation page (URL)")
    # A listing section names what it lists: /tag/harbour, /collections/rain-jackets.
    section = not segments or _under_section(segments)
    if teasers >= SECTION_MIN_TEASERS and section_url(evidence.url):
        return KindDecision("listing")
    if section and words < SECTION_URL_MAX_WORDS:
        return no_story(cards, "section or home page without cards", evidence.url)
    return KindDecision("article")
