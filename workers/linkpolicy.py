"""Which links a crawl follows, and the rule that decided: domains, file types, a source's
allow/deny patterns, and the anti-trap limits. Pure functions, no I/O."""

from __future__ import annotations

import calendar
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from urllib.parse import parse_qsl, urlsplit

from workers.models import Source, TrapLimits
from workers.urls import host_of, in_domains

# File types that are never news pages; links to them are not followed.
SKIP_EXTENSIONS = frozenset(
    {
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".bmp", ".avif",
        ".mp3", ".mp4", ".m4a", ".webm", ".mov", ".avi", ".ogg", ".wav",
        ".pdf", ".zip", ".gz", ".tar", ".rar", ".7z", ".exe", ".dmg", ".apk",
        ".css", ".js", ".json", ".woff", ".woff2", ".ttf", ".eot",
        ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".csv",
    }
)  # fmt: skip
# Query parameters that number the pages of a listing.
PAGE_PARAMS = frozenset({"page", "p", "pg", "paged", "pagenum", "page_num"})
# Query parameters whose value may be a date (any parameter holding an ISO date counts too).
DATE_PARAMS = frozenset({"date", "day", "month", "year", "d", "m", "y", "ym"})
# A date's days never move a calendar URL further ahead than this (time zones, early
# publication of tomorrow's edition).
CALENDAR_AHEAD = timedelta(days=1)
# Years a date in a URL can have; numbers outside are ids, not years.
YEARS = range(1990, 2101)
# Last path segments that name the directory's page rather than a step of its own.
INDEX_SEGMENTS = frozenset({"index.html", "index.htm", "index.php", "index"})

_PAGE_SEGMENT = re.compile(r"page[-_]?(\d+)", re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})[-_.](\d{1,2})(?:[-_.](\d{1,2}))?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


class LinkDecision(NamedTuple):
    """Whether a link is followed, and the rule that decided it (said for a person)."""

    followed: bool
    rule: str


def decide(
    url: str, source: Source, *, discovery: bool = False, today: date | None = None
) -> LinkDecision:
    """The link policy of one source for one URL, with the rule that decides.

    Order: the source's domains, file types, the URL length, deny patterns (deny wins),
    allow patterns, then the other trap limits. File types and allow patterns are skipped
    for `discovery` links (child sitemaps of a sitemap index, announced feeds), which are
    not pages and may be gzip files (`sitemap-1.xml.gz`). `today` is for tests.
    """
    if not in_domains(url, source.allowed_domains):
        domains = ", ".join(source.allowed_domains)
        host = host_of(url) or "(no host)"
        return LinkDecision(False, f"domain: {host} is not in allowed_domains ({domains})")
    parts = urlsplit(url)
    path = parts.path.lower()
    dot = path.rfind(".")
    if not discovery and dot > path.rfind("/") and path[dot:] in SKIP_EXTENSIONS:
        return LinkDecision(False, f"extension: {path[dot:]} files are not followed")
    traps = source.traps
    if traps.max_url_length and len(url) > traps.max_url_length:
        return LinkDecision(
            False, f"trap max_url_length: {len(url)} characters > {traps.max_url_length}"
        )
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    for pattern in source.deny:
        if pattern.search(target):
            return LinkDecision(False, f"deny: pattern {pattern.pattern!r} matches")
    allowed_by = None
    if source.allow and not discovery:
        allowed_by = next((p for p in source.allow if p.search(target)), None)
        if allowed_by is None:
            patterns = ", ".join(repr(p.pattern) for p in source.allow)
            return LinkDecision(False, f"allow: no pattern matches ({patterns})")
    trap = trap_rule(parts.path, parts.query, traps, today or datetime.now(UTC).date())
    if trap is not None:
        return LinkDecision(False, trap)
    if allowed_by is not None:
        return LinkDecision(True, f"allow: pattern {allowed_by.pattern!r} matches")
    return LinkDecision(True, "followed: in the source's domains, no rule refuses it")


def followable(url: str, source: Source) -> bool:
    """A link the crawler may follow (see `decide`)."""
    return decide(url, source).followed


def trap_rule(path: str, query: str, traps: TrapLimits, today: date) -> str | None:
    """The trap limit a URL (its path and query) goes past, said as a rule, or None."""
    params = parse_qsl(query, keep_blank_values=True)
    if traps.max_query_params and len(params) > traps.max_query_params:
        return f"trap max_query_params: {len(params)} parameters > {traps.max_query_params}"
    segments = [segment for segment in path.split("/") if segment]
    if traps.max_segment_repeats and segments:
        segment, times = Counter(segments).most_common(1)[0]
        if times > traps.max_segment_repeats:
            return (
                f"trap max_segment_repeats: {segment!r} occurs {times} times "
                f"> {traps.max_segment_repeats}"
            )
    if traps.max_page:
        page = _page_number(segments, params)
        if page is not None and page > traps.max_page:
            return f"trap max_page: page {page} > {traps.max_page}"
    if traps.calendar_days:
        span = calendar_span(segments, params)
        if span is not None:
            first, last = span
            if first > today + CALENDAR_AHEAD:
                return f"trap calendar_days: calendar date {first} is in the future"
            if (today - last).days > traps.calendar_days:
                return (
                    f"trap calendar_days: calendar date {last} is {(today - last).days} days "
                    f"back > {traps.calendar_days}"
                )
    return None


def _page_number(segments: list[str], params: list[tuple[str, str]]) -> int | None:
    """The listing page a URL asks for: ?page=N (and its spellings), /page/N, /page-N."""
    pages = [int(value) for key, value in params if key.lower() in PAGE_PARAMS and value.isdigit()]
    for number, segment in enumerate(segments):
        if segment.lower() == "page" and number + 1 < len(segments):
            following = segments[number + 1]
            if following.isdigit():
                pages.append(int(following))
        elif match := _PAGE_SEGMENT.fullmatch(segment):
            pages.append(int(match.group(1)))
    return max(pages) if pages else None


def calendar_span(segments: list[str], params: list[tuple[str, str]]) -> tuple[date, date] | None:
    """The first and last day of the date a calendar or archive URL shows, or None.

    A calendar URL is one whose path ends in a date (/2026/12/01/, /2026/12, /archive/
    2026-12-01, /20261201) or whose query carries one (?date=2026-12-01, ?year=2026&
    month=12). An article's path with a date followed by its slug (/2026/12/01/story) is not
    a calendar URL: its date says when it was published, not which day to list.
    """
    from_query = _query_date(params)
    if from_query is not None:
        return from_query
    trailing = list(segments)
    if trailing and trailing[-1].lower() in INDEX_SEGMENTS:
        trailing.pop()
    if not trailing:
        return None
    last = trailing[-1]
    for pattern in (_ISO_DATE, _COMPACT_DATE):
        match = pattern.fullmatch(last)
        if match:
            return _span(*(int(g) if g else None for g in match.groups()))
    numbers: list[int] = []
    for segment in reversed(trailing[-3:]):
        if not segment.isdigit():
            break
        numbers.insert(0, int(segment))
    # The run of trailing numbers must start with a year: /2026/12/01, /2026/12, /2026.
    while numbers and numbers[0] not in YEARS:
        numbers.pop(0)
    if not numbers or len(str(numbers[0])) != 4:
        return None
    year, month, day = [*numbers, 0, 0][:3]
    return _span(year, month or None, day or None)


def _query_date(params: list[tuple[str, str]]) -> tuple[date, date] | None:
    fields: dict[str, int] = {}
    for key, raw in params:
        value = raw.strip()
        match = _ISO_DATE.fullmatch(value) or _COMPACT_DATE.fullmatch(value)
        if match and (key.lower() in DATE_PARAMS or "-" in value):
            return _span(*(int(g) if g else None for g in match.groups()))
        if key.lower() in ("year", "y") and value.isdigit():
            fields["year"] = int(value)
        elif key.lower() in ("month", "m") and value.isdigit():
            fields["month"] = int(value)
        elif key.lower() in ("day", "d") and value.isdigit():
            fields["day"] = int(value)
    if "year" in fields:
        return _span(fields["year"], fields.get("month"), fields.get("day"))
    return None


def _span(year: int | None, month: int | None, day: int | None) -> tuple[date, date] | None:
    """First and last day of a year, a month or a day; None when it is no real date."""
    if year is None or year not in YEARS:
        return None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        return date(year, month, day), date(year, month, day)
    except ValueError:  # month 13, 31 February...
        return None
