"""Feed and sitemap parsing: RSS 2.0, RSS 1.0/RDF, Atom, sitemaps and indexes, robots.txt."""

from __future__ import annotations

import html
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timezone
from email.utils import parsedate_to_datetime
from html.entities import name2codepoint
from typing import Literal

from dateutil import parser as date_parser
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from workers.extract.feed_loose import loose_feed
from workers.urls import normalize_url

FeedKind = Literal["rss", "atom", "sitemap", "sitemapindex"]

# Hard cap on a feed's size once decompressed: sitemaps may be 50 MB by protocol.
MAX_FEED_BYTES = 50 * 1024 * 1024
# How much of a body is looked at to tell what it is.
SNIFF_BYTES = 4096
SUMMARY_MAX_CHARS = 2000

_GZIP_MAGIC = b"\x1f\x8b"
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
_TAGS = re.compile(r"<[^>]*>")
_HTML_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{1,31});")
_SPACE = re.compile(r"\s")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_ROBOTS_SITEMAP = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class FeedError(ValueError):
    """A body that is not a feed or sitemap this module can read."""


class FeedTooLargeError(FeedError):
    """A body (or its decompressed form) larger than the allowed maximum."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One story (feed item, Atom entry or sitemap URL) announced by a feed."""

    url: str
    title: str | None = None
    # when the story was published (RSS pubDate, Atom published, dc:date, news sitemap date)
    published: datetime | None = None
    summary: str | None = None
    # when it last changed (Atom updated, sitemap lastmod)
    updated: datetime | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    """A parsed feed or sitemap: its stories, or for a sitemap index, its child sitemaps."""

    kind: FeedKind
    url: str
    title: str | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def gunzip(body: bytes, max_bytes: int = MAX_FEED_BYTES) -> bytes:
    """Decompress gzip (or zlib) data, refusing to produce more than `max_bytes`.

    A truncated stream yields what decompressed cleanly; corrupt data raises FeedError.
    """
    out: list[bytes] = []
    total = 0
    data = body
    while data:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header
        try:
            while data:
                chunk = inflater.decompress(data, max_bytes - total + 1)
                total += len(chunk)
                if total > max_bytes:
                    raise FeedTooLargeError(f"decompressed feed exceeds {max_bytes} bytes")
                out.append(chunk)
                data = inflater.unconsumed_tail
                if inflater.eof:
                    break
        except zlib.error as error:
            if not out:
                raise FeedError(f"corrupt compressed feed: {error}") from error
            break
        # concatenated gzip members continue; anything else after the stream is ignored
        data = inflater.unused_data if inflater.eof else b""
        if not data.startswith(_GZIP_MAGIC):
            break
    return b"".join(out)


def sniff_feed(content_type: str | None, body: bytes) -> FeedKind | None:
    """What kind of feed `body` is, from its root element; None for HTML and anything else."""
    if content_type and content_type.strip().lower().startswith(_NOT_MARKUP):
        return None
    head = body[: SNIFF_BYTES * 4]
    if head.startswith(_GZIP_MAGIC):
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
    if body.startswith(_GZIP_MAGIC):
        body = gunzip(body, max_bytes)
    elif len(body) > max_bytes:
        raise FeedTooLargeError(f"feed exceeds {max_bytes} bytes")
    # HTML entity names (&nbsp;) are undefined in XML; libxml2's recovery then loses text
    # (even later &amp;s), so they become numeric references first.
    body = _HTML_ENTITY.sub(_numeric_entity, body)
    root, recovered = _parse_xml(body)
    kind = _ROOTS.get(_local(root))
    if kind is None:
        raise FeedError(f"not a feed or sitemap: root element <{_local(root)}>")
    base = normalize_url(url) or url
    if recovered and kind in ("rss", "atom"):
        strict = _atom(root, base) if kind == "atom" else _rss(root, base)
        loose = _loose(body, base, kind)
        return loose if len(loose.entries) >= len(strict.entries) else strict
    if kind == "atom":
        return _atom(root, base)
    if kind == "sitemap":
        return Feed("sitemap", base, None, _sitemap_entries(root, base))
    if kind == "sitemapindex":
        locs = (_text(_child(node, "loc")) for node in _children(root, "sitemap"))
        return Feed("sitemapindex", base, None, [], _unique_urls(locs, base))
    return _rss(root, base)


def robots_sitemaps(robots_txt: str, base: str | None = None) -> list[str]:
    """The `Sitemap:` URLs a robots.txt lists, normalised, in order, without repeats."""
    found = (match.group(1).split("#", 1)[0] for match in _ROBOTS_SITEMAP.finditer(robots_txt))
    return _unique_urls(found, base)


# --- XML ------------------------------------------------------------------------------------


def _numeric_entity(match: re.Match[bytes]) -> bytes:
    codepoint = name2codepoint.get(match.group(1).decode("ascii"))
    return b"&#%d;" % codepoint if codepoint is not None else match.group(0)


def _parse_xml(body: bytes) -> tuple[etree._Element, bool]:
    """The root element, and whether libxml2 had to recover from errors to build it."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        recover=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise FeedError(f"unparseable feed: {error}") from error
    if root is None:
        raise FeedError("unparseable feed: no root element")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise FeedError("feed declares XML entities; refused")
    return root, len(parser.error_log) > 0


def _loose(body: bytes, base: str, kind: FeedKind) -> Feed:
    """The feed as feedparser reads it, in this module's terms."""
    title, loose = loose_feed(body)
    entries: list[FeedEntry] = []
    for item in loose:
        urls = _unique_urls(item.links, base)
        if urls:
            entries.append(
                FeedEntry(
                    url=urls[0],
                    title=_plain_text(item.title),
                    published=_date_text(item.published),
                    summary=_plain_text(item.summary),
                    updated=_date_text(item.updated),
                )
            )
    return Feed(kind, base, _plain_text(title), _entry_list(entries))


def _local(node: etree._Element) -> str:
    tag = node.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in node if _local(child) == name]


def _child(node: etree._Element | None, *names: str) -> etree._Element | None:
    """The first child whose local name is one of `names`, trying them in order."""
    if node is None:
        return None
    for name in names:
        for child in node:
            if _local(child) == name:
                return child
    return None


def _text(node: etree._Element | None) -> str:
    """All text under node, entity references such as &nbsp; decoded, whitespace collapsed."""
    if node is None:
        return ""
    return " ".join(html.unescape("".join(node.itertext())).split())


def _plain(node: etree._Element | None) -> str | None:
    """Text of a field that may hold escaped HTML (descriptions, summaries)."""
    return _plain_text(_text(node))


def _plain_text(text: str | None) -> str | None:
    """A field's text with any HTML markup removed, whitespace collapsed, capped."""
    text = " ".join((text or "").split())
    if "<" in text:
        text = " ".join(html.unescape(_TAGS.sub(" ", text)).split())
    return text[:SUMMARY_MAX_CHARS] or None


# --- dates and URLs -------------------------------------------------------------------------


def _date(node: etree._Element | None) -> datetime | None:
    """RFC 822 or ISO 8601 dates; naive ones are taken as UTC; nonsense gives None."""
    return _date_text(_text(node))


def _date_text(text: str | None) -> datetime | None:
    """The date of a field's text (see _date)."""
    if not text:
        return None
    value: datetime | None = None
    for parse in (date_parser.isoparse, parsedate_to_datetime, _loose_date):
        try:
            value = parse(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            continue
        if value is not None:
            break
    if value is None:
        return None
    offset = value.utcoffset()
    # a fixed offset, whatever tz object the parser chose (dateutil may pick the machine's zone)
    return value.replace(tzinfo=UTC if offset is None else timezone(offset))


def _loose_date(text: str) -> datetime | None:
    if not _YEAR.search(text):
        return None  # dateutil would invent a date for "Monday" or "5"
    value: datetime = date_parser.parse(text)
    return value


def _unique_urls(candidates: Iterable[str], base: str | None) -> list[str]:
    urls: list[str] = []
    seen: set[str] = set()
    for candidate in candidates:
        raw = candidate.strip()
        # an address has no inner spaces; "not a url" must not resolve against the base
        url = normalize_url(raw, base) if raw and not _SPACE.search(raw) else None
        if url is not None and url not in seen:
            seen.add(url)
            urls.append(url)
    return urls


def _entry_list(entries: list[FeedEntry]) -> list[FeedEntry]:
    """Entries with a URL, first occurrence of each."""
    seen: set[str] = set()
    kept: list[FeedEntry] = []
    for entry in entries:
        if entry.url not in seen:
            seen.add(entry.url)
            kept.append(entry)
    return kept


# --- formats --------------------------------------------------------------------------------


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
                    title=_plain(_child(node, *fields.title)),
                    published=_date(_child(node, *fields.published)),
                    summary=_plain(_child(node, *fields.summary)),
                    updated=_date(_child(node, *fields.updated)),
                )
            )
    return _entry_list(entries)


def _rss(root: etree._Element, base: str) -> Feed:
    channel = _child(root, "channel")
    # RSS 2.0 nests items in <channel>; RSS 1.0 (RDF) puts them beside it.
    items = _children(channel, "item") if channel is not None else []
    items += _children(root, "item")
    entries = _entries(items, _RSS_FIELDS, lambda item: _rss_link(item, base))
    return Feed("rss", base, _plain(_child(channel, "title")), entries)


def _rss_link(item: etree._Element, base: str) -> str | None:
    candidates: list[str] = []
    for child in item:
        name = _local(child)
        if name == "link":
            candidates.append(_text(child) or str(child.get("href") or ""))
        elif name == "guid" and (child.get("isPermaLink") or "true").lower() != "false":
            candidates.append(_text(child))
    about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    if about:
        candidates.append(about)
    urls = _unique_urls(candidates, base)
    return urls[0] if urls else None


def _atom(root: etree._Element, base: str) -> Feed:
    feed_base = _xml_base(root, base)
    entries = _entries(
        _children(root, "entry"),
        _ATOM_FIELDS,
        lambda entry: _atom_link(entry, _xml_base(entry, feed_base)),
    )
    return Feed("atom", base, _plain(_child(root, "title")), entries)


def _xml_base(node: etree._Element, base: str) -> str:
    declared = node.get("{http://www.w3.org/XML/1998/namespace}base")
    return (normalize_url(declared, base) or base) if declared else base


def _atom_link(entry: etree._Element, base: str) -> str | None:
    links = [child for child in entry if _local(child) == "link"]
    preferred = [link for link in links if (link.get("rel") or "alternate") == "alternate"]
    hrefs = [str(link.get("href") or "") for link in preferred + links]
    ident = _text(_child(entry, "id"))
    if ident.startswith(("http://", "https://")):
        hrefs.append(ident)
    urls = _unique_urls(hrefs, base)
    return urls[0] if urls else None


def _sitemap_entries(root: etree._Element, base: str) -> list[FeedEntry]:
    entries: list[FeedEntry] = []
    for node in _children(root, "url"):
        urls = _unique_urls([_text(_child(node, "loc"))], base)
        if not urls:
            continue
        news = _child(node, "news")
        entries.append(
            FeedEntry(
                url=urls[0],
                title=_plain(_child(news, "title")),
                published=_date(_child(news, "publication_date")),
                updated=_date(_child(node, "lastmod")),
            )
        )
    return _entry_list(entries)


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
