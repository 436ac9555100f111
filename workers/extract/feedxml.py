"""What feeds and sitemaps share: their records, errors, gzip, safe XML, text, dates, URLs."""

from __future__ import annotations

import html
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timezone
from email.utils import parsedate_to_datetime
from html.entities import name2codepoint
from typing import Literal

from dateutil import parser as date_parser
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from workers.urls import normalize_url

FeedKind = Literal["rss", "atom", "sitemap", "sitemapindex"]

# Hard cap on a feed's size once decompressed: sitemaps may be 50 MB by protocol.
MAX_FEED_BYTES = 50 * 1024 * 1024
SUMMARY_MAX_CHARS = 2000

GZIP_MAGIC = b"\x1f\x8b"
_TAGS = re.compile(r"<[^>]*>")
_HTML_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{1,31});")
_SPACE = re.compile(r"\s")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")


class FeedError(ValueError):
    """A body that is not a feed or sitemap this package can read."""


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

    @property
    def latest(self) -> datetime | None:
        """The later of the publication and change dates (None when it has neither)."""
        dates = [value for value in (self.published, self.updated) if value is not None]
        return max(dates) if dates else None


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
        if not data.startswith(GZIP_MAGIC):
            break
    return b"".join(out)


def _numeric_entity(match: re.Match[bytes]) -> bytes:
    codepoint = name2codepoint.get(match.group(1).decode("ascii"))
    return b"&#%d;" % codepoint if codepoint is not None else match.group(0)


def html_entities_to_numeric(body: bytes) -> bytes:
    """HTML entity names (&nbsp;) as numeric references: they are undefined in XML, and
    libxml2's recovery then loses text (even later &amp;s)."""
    return _HTML_ENTITY.sub(_numeric_entity, body)


def parse_xml(body: bytes) -> tuple[etree._Element, bool]:
    """The root element, and whether libxml2 had to recover from errors to build it.

    Raises FeedError for unparseable bodies and for any declared XML entity.
    """
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


def local(node: etree._Element) -> str:
    tag = node.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def children(node: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in node if local(child) == name]


def child(node: etree._Element | None, *names: str) -> etree._Element | None:
    """The first child whose local name is one of `names`, trying them in order."""
    if node is None:
        return None
    for name in names:
        for child in node:
            if local(child) == name:
                return child
    return None


def text(node: etree._Element | None) -> str:
    """All text under node, entity references such as &nbsp; decoded, whitespace collapsed."""
    if node is None:
        return ""
    return " ".join(html.unescape("".join(node.itertext())).split())


def plain(node: etree._Element | None) -> str | None:
    """Text of a field that may hold escaped HTML (descriptions, summaries)."""
    return plain_text(text(node))


def plain_text(text: str | None) -> str | None:
    """A field's text with any HTML markup removed, whitespace collapsed, capped."""
    text = " ".join((text or "").split())
    if "<" in text:
        text = " ".join(html.unescape(_TAGS.sub(" ", text)).split())
    return text[:SUMMARY_MAX_CHARS] or None


# --- dates and URLs -------------------------------------------------------------------------


def date(node: etree._Element | None) -> datetime | None:
    """RFC 822 or ISO 8601 dates; naive ones are taken as UTC; nonsense gives None."""
    return date_text(text(node))


def date_text(text: str | None) -> datetime | None:
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


def unique_urls(candidates: Iterable[str], base: str | None) -> list[str]:
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


def entry_list(entries: list[FeedEntry]) -> list[FeedEntry]:
    """Entries with a URL, first occurrence of each."""
    seen: set[str] = set()
    kept: list[FeedEntry] = []
    for entry in entries:
        if entry.url not in seen:
            seen.add(entry.url)
            kept.append(entry)
    return kept
