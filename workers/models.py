"""Frozen records that cross module boundaries: extraction results, sources, fetched pages."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

PageKind = Literal["article", "listing", "other"]

# Where a field's value came from, so a wrong value can be traced to the step that chose it.
# "detected": identified from the text itself (the page declared no language).
# "library": a well-kept library's own search found it where ours found nothing (htmldate for
# the publication date); the page kind does not count it as the page's own evidence.
# "outside": printed outside the story's span (an author box after the body, a credit in a
# share bar), read when nothing nearer names anyone; not kind evidence either.
Provenance = Literal[
    "json-ld", "microdata", "meta", "dom", "rule", "detected", "library", "outside"
]


@dataclass(frozen=True, slots=True)
class Image:
    """An image with the caption and credit printed beside it."""

    url: str
    caption: str | None = None
    credit: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One news story as its page presents it."""

    url: str
    canonical_url: str
    title: str | None = None
    subtitle: str | None = None
    body: str = ""
    authors: list[str] = field(default_factory=list)
    agency: str | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    image: Image | None = None
    word_count: int = 0
    # field name -> where its value came from ("json-ld", "microdata", "meta", "dom", "rule")
    provenance: dict[str, Provenance] = field(default_factory=dict)
    # Datetime fields whose source gave no UTC offset, so UTC was assumed.
    assumed_utc: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = _jsonable(asdict(self))
        return result


@dataclass(frozen=True, slots=True)
class Teaser:
    """A card on a page that points to a story elsewhere: listing entries, "More For You"."""

    headline: str
    url: str
    seen_on: str
    position: int
    summary: str | None = None
    image: Image | None = None
    block: str | None = None

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = _jsonable(asdict(self))
        return result


@dataclass(frozen=True, slots=True)
class PageExtraction:
    """Everything the parse stage learned from one HTML page."""

    kind: PageKind
    url: str
    article: Article | None = None
    teasers: list[Teaser] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    # Why the page yielded no article or teasers (kind == "other"), else None.
    reason: str | None = None
    # RSS/Atom feeds the page announces (<link rel="alternate" type="application/rss+xml">).
    feeds: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = _jsonable(asdict(self))
        return result


def _jsonable(value: Any) -> Any:
    """Turn datetimes into ISO strings, recursively, so the dict is JSON-ready."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


# Defaults of the discovery keys of a source (config/sources.yaml documents them).
DEFAULT_MAX_AGE = 7 * 24 * 3600
DEFAULT_REVISIT = (3600, 6 * 3600, 24 * 3600, 72 * 3600)
DEFAULT_MAX_FEED_INTERVAL = 6 * 3600


@dataclass(frozen=True, slots=True)
class TrapLimits:
    """Bounds that keep link-following out of endless URL spaces (0 switches one off).

    The defaults are documented in config/sources.yaml; workers.linkpolicy applies them.
    """

    # Characters of the whole URL.
    max_url_length: int = 2048
    # Parameters in the query string (faceted search, session and sort combinations).
    max_query_params: int = 6
    # Times one path segment may occur in a path (/a/b/a/b/a/b: relative-link loops).
    max_segment_repeats: int = 2
    # Highest listing page followed: ?page=N, ?p=N, ?paged=N, /page/N.
    max_page: int = 5
    # A calendar or archive URL (its path ends in a date, or its query carries one) is
    # followed only for dates up to this many days back, and never beyond tomorrow.
    calendar_days: int = 31


@dataclass(frozen=True, slots=True)
class Source:
    """A news site the system follows, as configured in sources.yaml."""

    name: str
    start_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    max_depth: int = 1
    interval: int = 900
    allow_private_networks: bool = False
    # Seconds between two requests to one host (robots.txt Crawl-delay may raise it).
    delay: float = 1.0
    # Upper bound on pages one crawl run of this source fetches.
    max_pages: int = 500
    # A non-seed page fetched less than this many seconds ago is not fetched again.
    recrawl_after: int = 24 * 3600
    respect_robots: bool = True
    # Link rules (regular expressions searched in the URL's path + query): a link matching
    # a `deny` pattern is not followed; with `allow` set, only links matching one are.
    # Seeds are always fetched.
    allow: tuple[re.Pattern[str], ...] = ()
    deny: tuple[re.Pattern[str], ...] = ()
    traps: TrapLimits = TrapLimits()
    # Feed and sitemap entries dated longer ago than this many seconds are not fetched
    # (0: no limit).
    max_age: int = DEFAULT_MAX_AGE
    # Seconds after its first fetch at which an article page is fetched again (ascending);
    # after the last one, never.
    revisit: tuple[int, ...] = DEFAULT_REVISIT
    # Upper bound of the back-off of a quiet feed (its lower bound is `interval`).
    max_feed_interval: int = DEFAULT_MAX_FEED_INTERVAL

    @property
    def seeds(self) -> tuple[str, ...]:
        """Every URL a crawl run starts from: start pages, feeds, sitemaps."""
        return self.start_urls + self.feeds + self.sitemaps
