"""Discovery policy of the crawl stage: which seeds a run reads, which feed and sitemap
entries it fetches, how a quiet feed backs off, and when an article is revisited.

Feeds and sitemaps (configured, listed by robots.txt, announced by a start page with
`<link rel="alternate">`, or listed by a sitemap index) are read every run while they keep
bringing new entries. A read that brings none (or a 304) doubles the feed's rest, from the
source's `interval` up to `max_feed_interval`; a new entry brings it back to every run.
Entries dated before `max_age` are not fetched, nor are entries whose `lastmod` is no later
than the content last fetched for their URL; an entry whose `lastmod` is later is fetched
even when fetched recently. Article pages are fetched again at the source's `revisit`
offsets after their first fetch, then never.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from workers.extract.feedxml import FeedEntry
from workers.frontier import FeedState, Frontier
from workers.linkpolicy import decide
from workers.models import Source
from workers.parse import ParseResult

# How long a feed's freshness and listing are kept without a read.
FEED_STATE_TTL = 30 * 24 * 3600
# Dates a listing gave a URL, kept on the URL's state until its first fetch sets its TTL.
LISTED_TTL = 90 * 24 * 3600
# A resting feed is read this share of the source's interval early: a run starts some
# seconds later than the one before it read the feed, and must not miss it by those.
FEED_DUE_SLACK = 0.1
# Parse-result kinds whose entries are stories (a sitemap index lists sitemaps instead).
ENTRY_KINDS = frozenset({"rss", "atom", "sitemap"})


# --- arithmetic -----------------------------------------------------------------------------


def too_old(entry: FeedEntry, now: float, max_age: int) -> bool:
    """An entry whose latest date (published or lastmod) is more than max_age seconds ago;
    undated entries and a max_age of 0 never are."""
    latest = entry.latest
    return max_age > 0 and latest is not None and latest.timestamp() < now - max_age


def unchanged_since(entry: FeedEntry, fetched_at: float | None) -> bool:
    """The entry's lastmod is no later than the content last fetched for its URL."""
    return (
        entry.updated is not None
        and fetched_at is not None
        and entry.updated.timestamp() <= fetched_at
    )


def next_feed_interval(previous: float, new_items: int, floor: float, ceiling: float) -> float:
    """How long a feed rests after a read: 0 (every run) when it brought new items, else
    twice its previous rest, at least `floor` (the source's interval) and at most
    `ceiling` (max_feed_interval; a ceiling below the floor means the floor)."""
    if new_items > 0:
        return 0.0
    return min(max(previous * 2, floor), max(ceiling, floor))


def feed_due(state: FeedState | None, now: float, slack: float) -> bool:
    """A feed never read, or whose rest has passed (`slack` seconds early counts)."""
    return state is None or now >= state.checked_at + state.interval - slack


def next_revisit(first: float, now: float, schedule: Sequence[int]) -> float | None:
    """The first time `first + offset` (offsets ascending) still ahead of now; None when
    the schedule is over."""
    for offset in schedule:
        if first + offset > now:
            return first + offset
    return None


# --- seeds and revisits (the discover task) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Seeds:
    """What a run starts from: every start page, and the feeds and sitemaps that are due."""

    urls: list[str]
    resting: list[str] = field(default_factory=list)


def due_seeds(
    frontier: Frontier, source: Source, now: float, more_sitemaps: Sequence[str] = ()
) -> Seeds:
    """Start pages always; feeds and sitemaps (configured, `more_sitemaps` such as those of
    robots.txt, those start pages announced and the children of sitemap indexes) when due,
    each once."""
    candidates = [*source.feeds, *source.sitemaps, *more_sitemaps]
    candidates += frontier.remembered_feeds(source.name)
    feeds = [url for url in dict.fromkeys(candidates) if url not in source.start_urls]
    slack = source.interval * FEED_DUE_SLACK
    urls, resting = list(source.start_urls), list[str]()
    for url, state in zip(feeds, frontier.feed_states(feeds), strict=True):
        (urls if feed_due(state, now, slack) else resting).append(url)
    return Seeds(urls, resting)


def queue_revisits(
    frontier: Frontier, source: Source, now: float, send: Callable[[str], bool]
) -> int:
    """Send the source's due revisits (at most max_pages); each sent one moves on to its
    next offset (or leaves the schedule), whatever its fetch finds. Returns how many."""
    sent = 0
    for url, first in frontier.due_revisits(source.name, now, source.max_pages):
        if not send(url):
            continue  # not admitted (the run is full): it stays due for the next run
        sent += 1
        due = next_revisit(first, now, source.revisit) if first is not None else None
        frontier.schedule_revisit(source.name, url, due)
    return sent


# --- what a parsed page leads to (the parse task) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Found:
    """Where a parsed page leads: links for crawl.links_to_follow, and feeds to read."""

    links: list[str] = field(default_factory=list)
    same_depth_links: list[str] = field(default_factory=list)
    # links fetched even when fetched recently (a later lastmod; child sitemaps)
    due: set[str] = field(default_factory=set)
    # feeds a start page announces, read in this run like configured ones
    feeds: list[str] = field(default_factory=list)
    skipped_old: int = 0
    skipped_unchanged: int = 0
    new_items: int = 0


def found_on_page(
    frontier: Frontier, url: str, result: ParseResult, depth: int, source: Source, now: float
) -> Found:
    """What to crawl next from a parsed page fetched as `url` (the URL it was requested as).

    A feed or sitemap has its entries filtered by date and its freshness recorded; a
    sitemap index's child sitemaps are remembered (later runs read them as seeds, even
    while the index is unchanged) and the due ones read; a start page (depth 0) has its
    announced feeds (those the link policy allows) remembered and read.
    """
    if result.kind in ENTRY_KINDS:
        return _entries_found(frontier, url, result.entries, source, now)
    if result.kind == "sitemapindex":
        slack = source.interval * FEED_DUE_SLACK
        children = [
            c for c in result.same_depth_links if decide(c, source, discovery=True).followed
        ]
        frontier.remember_feeds(source.name, url, children)
        states = frontier.feed_states(children)
        due = [c for c, s in zip(children, states, strict=True) if feed_due(s, now, slack)]
        return Found(same_depth_links=due, due=set(due))
    feeds: list[str] = []
    if depth == 0:
        # the source's link policy (domains, deny, traps) applies; allow patterns, for
        # pages, do not
        feeds = [feed for feed in result.feeds if decide(feed, source, discovery=True).followed]
        frontier.remember_feeds(source.name, url, feeds)
    return Found(links=list(result.links), same_depth_links=list(result.same_depth_links),
                 feeds=feeds)  # fmt: skip


def feed_unchanged(frontier: Frontier, url: str, source: Source, now: float) -> None:
    """A feed answered 304 (or the same bytes): a read without new items."""
    (state,) = frontier.feed_states([url])
    if state is not None:
        _record_read(frontier, url, state, 0, source, now)


def _entries_found(
    frontier: Frontier, url: str, entries: list[FeedEntry], source: Source, now: float
) -> Found:
    fresh = [entry for entry in entries if not too_old(entry, now, source.max_age)]
    fetched = frontier.content_fetched_many([entry.url for entry in fresh])
    links: list[str] = []
    due: set[str] = set()
    for entry, fetched_at in zip(fresh, fetched, strict=True):
        if unchanged_since(entry, fetched_at):
            continue
        links.append(entry.url)
        if fetched_at is not None and entry.updated is not None:
            due.add(entry.url)
    frontier.note_listed(
        [(entry.url, _epoch(entry.published), _epoch(entry.updated)) for entry in fresh],
        LISTED_TTL,
    )
    new_items = frontier.feed_listing(url, [entry.url for entry in fresh], FEED_STATE_TTL)
    (state,) = frontier.feed_states([url])
    _record_read(frontier, url, state, new_items, source, now)
    return Found(
        links=links,
        due=due,
        skipped_old=len(entries) - len(fresh),
        skipped_unchanged=len(fresh) - len(links),
        new_items=new_items,
    )


def _record_read(
    frontier: Frontier,
    url: str,
    state: FeedState | None,
    new_items: int,
    source: Source,
    now: float,
) -> None:
    previous = state.interval if state is not None else 0.0
    interval = next_feed_interval(previous, new_items, source.interval, source.max_feed_interval)
    frontier.save_feed_state(url, FeedState(now, interval), new_items > 0, FEED_STATE_TTL)


def _epoch(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None
