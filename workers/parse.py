"""The parse stage as a plain function: a stored page in, index actions and links out."""

from __future__ import annotations

from dataclasses import dataclass, field

from workers.archive import ArchiveRef, WarcArchive
from workers.errors import ExtractionError
from workers.extract import PageExtraction, SiteRules, extract
from workers.extract.encoding import decode_html
from workers.extract.feeds import FeedEntry, FeedError, parse_feed, sniff_feed
from workers.extract.text import looks_binary
from workers.index import Action, article_action, teaser_action
from workers.robots import PageDirectives, page_directives
from workers.store import PageStore, StoredPage, content_key


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What one page yields: documents to index and URLs for the frontier."""

    kind: str
    actions: list[Action] = field(default_factory=list)
    # Links to crawl one level deeper.
    links: list[str] = field(default_factory=list)
    # Links that do not cost depth: child sitemaps of a sitemap index.
    same_depth_links: list[str] = field(default_factory=list)
    reason: str | None = None
    # What the page's robots meta tags and X-Robots-Tag asked (HTML pages only).
    robots: PageDirectives = field(default_factory=PageDirectives)
    # A feed's or sitemap's entries, with their dates (links holds their URLs).
    entries: list[FeedEntry] = field(default_factory=list)
    # Feeds an HTML page announces (<link rel="alternate">).
    feeds: list[str] = field(default_factory=list)


def read_page(
    store: PageStore,
    archive: WarcArchive | None,
    page_key: str,
    archive_ref: str | None,
    url: str,
) -> StoredPage:
    """The raw page: the hot copy in Redis, else the archived response it was fetched as.

    Raises ExtractionError when neither has it (or the archived bytes are not the page
    the key names), StorageError when Redis does not answer.
    """
    page = store.get(page_key)
    if page is not None:
        return page
    if archive_ref is None or archive is None:
        where = "no archive is configured" if archive is None else "it has no archive pointer"
        raise ExtractionError(f"page body expired from the hot store and {where}", url)
    try:
        ref = ArchiveRef.parse(archive_ref)
    except ValueError as exc:
        raise ExtractionError(str(exc), url) from exc
    archived = archive.read(ref, url)
    if content_key(archived.body) != page_key:
        raise ExtractionError(f"archived body at {ref} does not match {page_key}", url)
    return StoredPage(page_key, archived.url, archived.content_type, archived.body)


def parse_stored_page(
    page: StoredPage,
    source: str,
    rules: SiteRules | None = None,
    fetched_at: float | None = None,
    *,
    robots_tag: str | None = None,
    user_agent: str = "",
) -> ParseResult:
    """Turn a stored page into index actions and links; feeds and sitemaps yield links only.

    An HTML page's robots meta tags (name `robots` or our product token) and its
    X-Robots-Tag header (`robots_tag`) are obeyed: `noindex` (or `none`) yields no
    documents but its links, `nofollow` (or `none`) no links. Feeds and sitemaps are read
    whatever their header says: they are how a site asks to be crawled.

    Raises FeedError for XML that claims to be a feed but cannot be read, and
    ExtractionError for a body that is not text at all.
    """
    feed_kind = sniff_feed(page.content_type, page.body)
    if feed_kind is not None:
        feed = parse_feed(page.body, page.url)
        return ParseResult(
            kind=feed.kind,
            links=[entry.url for entry in feed.entries],
            same_depth_links=list(feed.sitemaps),
            entries=list(feed.entries),
        )
    html = decode_html(page.body, page.content_type)
    if looks_binary(html):
        raise ExtractionError("body is binary, not text (served as HTML)", page.url)
    robots = page_directives(html, robots_tag, user_agent)
    if robots.noindex and robots.nofollow:  # nothing to take from the page: skip extraction
        return ParseResult(kind="other", reason="robots: noindex, nofollow", robots=robots)
    extraction = extract(html, page.url, rules)
    return ParseResult(
        kind=extraction.kind,
        actions=[]
        if robots.noindex
        else extraction_actions(extraction, source, page.key, fetched_at),
        links=[] if robots.nofollow else extraction.links,
        reason=extraction.reason,
        robots=robots,
        feeds=[] if robots.nofollow else extraction.feeds,
    )


def extraction_actions(
    extraction: PageExtraction,
    source: str,
    content_key: str | None,
    fetched_at: float | None = None,
) -> list[Action]:
    """The index operations for one page: its article (if any) and every teaser on it.

    `fetched_at` is when the page was fetched (None: now); a re-parse passes the original.
    """
    actions = []
    if extraction.article is not None:
        actions.append(article_action(extraction.article, source, content_key, fetched_at))
    actions.extend(teaser_action(teaser, source, fetched_at) for teaser in extraction.teasers)
    return actions


__all__ = ["FeedError", "ParseResult", "extraction_actions", "parse_stored_page", "read_page"]
