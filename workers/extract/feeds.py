"""Feeds: RSS 2.0, RSS 1.0/RDF and Atom, and telling any feed or sitemap body apart from HTML.

`parse_feed` is the entry point for every XML body the crawl meets: it reads the root
element and hands urlsets and sitemap indexes to workers.extract.sitemaps.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from workers.extract.feed_loose import loose_feed
from workers.extract.feedxml import (
    GZIP_MAGIC,
    MAX_FEED_BYTES,
    Feed,
    FeedEntry,
    FeedError,
    FeedKind,
    FeedTooLargeError,
    child,
    children,
    date,
    date_text,
    entry_list,
    gunzip,
    html_entities_to_numeric,
    local,
    parse_xml,
    plain,
    plain_text,
    text,
    unique_urls,
)
from workers.extract.sitemaps import robots_sitemaps, sitemap_index, urlset
from workers.urls import normalize_url

# How much of a body is looked at to tell what it is.
SNIFF_BYTES = 4096

_NOT_MARKUP = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip")
_ROOTS: dict[str, FeedKind] = {
    "rss": "rss",
    "rdf": "rss",
    "feed": "atom",
    "urlset": "sitemap",
    "sitemapindex": "sitemapindex",
}
# Skips the XML declaration, processing instructions, comments and a DOCTYPE to the root tag.
_ROOT_TAG = re.compile(
    rb"\A(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)*<([A-Za-z_][\w.:-]*)",
    re.DOTALL,
)


def sniff_feed(content_type: str | None, body: bytes) -> FeedKind | None:
    """What kind of feed `body` is, from its root element; None for HTML and anything else."""
    if content_type and content_type.strip().lower().startswith(_NOT_MARKUP):
        return None
    head = body[: SNIFF_BYTES * 4]
    if head.startswith(GZIP_MAGIC):
        try:
            head = _gunzip_head(head)
        except FeedError:
            return None
    return _root_kind(_ascii_head(head))


def parse_feed(body: bytes, url: str, *, max_bytes: int = MAX_FEED_BYTES) -> Feed:
    """Parse an RSS, RDF, Atom, sitemap or sitemap-index body (gzip allowed) fetched from url.

    Raises FeedError for bodies that are not feeds, cannot be parsed at all or declare
    XML entities (billion laughs, external entities); partly broken feeds give what parsed.
    An RSS or Atom feed that lxml could only read by recovering from errors (a bare `&` in a
    link, an unclosed tag) is read again by feedparser, whose reading is kept when it finds
    at least as many entries.
    """
    if body.startswith(GZIP_MAGIC):
        body = gunzip(body, max_bytes)
    elif len(body) > max_bytes:
        raise FeedTooLargeError(f"feed exceeds {max_bytes} bytes")
    body = html_entities_to_numeric(body)
    root, recovered = parse_xml(body)
    kind = _ROOTS.get(local(root))
    if kind is None:
        raise FeedError(f"not a feed or sitemap: root element <{local(root)}>")
    base = normalize_url(url) or url
    if recovered and kind in ("rss", "atom"):
        strict = _atom(root, base) if kind == "atom" else _rss(root, base)
        loose = _loose(body, base, kind)
        return loose if len(loose.entries) >= len(strict.entries) else strict
    if kind == "atom":
        return _atom(root, base)
    if kind == "sitemap":
        return urlset(root, base)
    if kind == "sitemapindex":
        return sitemap_index(root, base)
    return _rss(root, base)


def _loose(body: bytes, base: str, kind: FeedKind) -> Feed:
    """The feed as feedparser reads it, in this module's terms."""
    title, loose = loose_feed(body)
    entries: list[FeedEntry] = []
    for item in loose:
        urls = unique_urls(item.links, base)
        if urls:
            entries.append(
                FeedEntry(
                    url=urls[0],
                    title=plain_text(item.title),
                    published=date_text(item.published),
                    summary=plain_text(item.summary),
                    updated=date_text(item.updated),
                )
            )
    return Feed(kind, base, plain_text(title), entry_list(entries))


# --- RSS and Atom ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Fields:
    """Local names that carry an entry's fields in one format, most specific first."""

    title: tuple[str, ...]
    published: tuple[str, ...]
    summary: tuple[str, ...]
    updated: tuple[str, ...] = ("updated", "modified")


_RSS_FIELDS = _Fields(
    title=("title",),
    published=("pubdate", "date", "published", "issued"),
    summary=("description", "summary", "encoded"),
)
_ATOM_FIELDS = _Fields(
    title=("title",),
    published=("published", "issued", "created"),
    summary=("summary", "content"),
)


def _entries(
    nodes: list[etree._Element], fields: _Fields, link: Callable[[etree._Element], str | None]
) -> list[FeedEntry]:
    entries: list[FeedEntry] = []
    for node in nodes:
        url = link(node)
        if url is not None:
            entries.append(
                FeedEntry(
                    url=url,
                    title=plain(child(node, *fields.title)),
                    published=date(child(node, *fields.published)),
                    summary=plain(child(node, *fields.summary)),
                    updated=date(child(node, *fields.updated)),
                )
            )
    return entry_list(entries)


def _rss(root: etree._Element, base: str) -> Feed:
    channel = child(root, "channel")
    # RSS 2.0 nests items in <channel>; RSS 1.0 (RDF) puts them beside it.
    items = children(channel, "item") if channel is not None else []
    items += children(root, "item")
    entries = _entries(items, _RSS_FIELDS, lambda item: _rss_link(item, base))
    return Feed("rss", base, plain(child(channel, "title")), entries)


def _rss_link(item: etree._Element, base: str) -> str | None:
    candidates: list[str] = []
    for node in item:
        name = local(node)
        if name == "link":
            candidates.append(text(node) or str(node.get("href") or ""))
        elif name == "guid" and (node.get("isPermaLink") or "true").lower() != "false":
            candidates.append(text(node))
    about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    if about:
        candidates.append(about)
    urls = unique_urls(candidates, base)
    return urls[0] if urls else None


def _atom(root: etree._Element, base: str) -> Feed:
    feed_base = _xml_base(root, base)
    entries = _entries(
        children(root, "entry"),
        _ATOM_FIELDS,
        lambda entry: _atom_link(entry, _xml_base(entry, feed_base)),
    )
    return Feed("atom", base, plain(child(root, "title")), entries)


def _xml_base(node: etree._Element, base: str) -> str:
    declared = node.get("{http://www.w3.org/XML/1998/namespace}base")
    return (normalize_url(declared, base) or base) if declared else base


def _atom_link(entry: etree._Element, base: str) -> str | None:
    links = [child for child in entry if local(child) == "link"]
    preferred = [link for link in links if (link.get("rel") or "alternate") == "alternate"]
    hrefs = [str(link.get("href") or "") for link in preferred + links]
    ident = text(child(entry, "id"))
    if ident.startswith(("http://", "https://")):
        hrefs.append(ident)
    urls = unique_urls(hrefs, base)
    return urls[0] if urls else None


# --- sniffing -------------------------------------------------------------------------------


def _gunzip_head(head: bytes) -> bytes:
    """The first bytes of a gzip stream, for sniffing; never inflates more than it needs."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
    try:
        return inflater.decompress(head, SNIFF_BYTES)
    except zlib.error as error:
        raise FeedError(f"corrupt compressed feed: {error}") from error


def _ascii_head(head: bytes) -> bytes:
    """The head re-encoded so an ASCII pattern can read it, whatever its Unicode form."""
    for mark, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(mark):
            return head[len(mark) :].decode(codec, errors="ignore").encode("utf-8")
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:]
    return head


def _root_kind(head: bytes) -> FeedKind | None:
    match = _ROOT_TAG.match(head)
    if not match:
        return None
    name = match.group(1).decode("ascii", errors="ignore").rsplit(":", 1)[-1].lower()
    return _ROOTS.get(name)


__all__ = [
    "MAX_FEED_BYTES",
    "Feed",
    "FeedEntry",
    "FeedError",
    "FeedKind",
    "FeedTooLargeError",
    "gunzip",
    "parse_feed",
    "robots_sitemaps",
    "sniff_feed",
]
