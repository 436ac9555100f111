"""Discovery policy arithmetic: entry age and lastmod, feed back-off, revisit schedule,
feed autodiscovery, and the sources.yaml keys that drive them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from workers.discovery import (
    FEED_DUE_SLACK,
    feed_due,
    next_feed_interval,
    next_revisit,
    too_old,
    unchanged_since,
)
from workers.errors import ConfigError
from workers.extract import extract
from workers.extract.feeds import FeedEntry, parse_feed
from workers.frontier import FeedState
from workers.linkpolicy import decide
from workers.models import DEFAULT_MAX_AGE, DEFAULT_REVISIT
from workers.sources import parse_sources

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
WEEK = 7 * 24 * 3600


def _entry(published: datetime | None = None, updated: datetime | None = None) -> FeedEntry:
    return FeedEntry("https://news.example/a", published=published, updated=updated)


def test_news_sitemap_entries_carry_dates_that_decide_their_age() -> None:
    """A news sitemap's publication_date and lastmod make an entry old or fresh."""
    body = (FEEDS / "news_sitemap.xml").read_bytes()
    first, second = parse_feed(body, "https://valleycourier.example/news.xml").entries
    assert first.latest == datetime(2024, 6, 20, 8, 15, tzinfo=UTC)  # the later lastmod
    assert second.latest == datetime(2024, 6, 20, tzinfo=UTC)  # publication date only
    a_day_later = datetime(2024, 6, 21, tzinfo=UTC).timestamp()
    assert not too_old(first, a_day_later, WEEK)
    a_month_later = datetime(2024, 7, 20, tzinfo=UTC).timestamp()
    assert too_old(first, a_month_later, WEEK)
    assert too_old(second, a_month_later, WEEK)


@pytest.mark.parametrize(
    ("published", "updated", "max_age", "old"),
    [
        (NOW - timedelta(days=8), None, WEEK, True),
        (NOW - timedelta(days=6), None, WEEK, False),
        (NOW - timedelta(days=30), NOW - timedelta(hours=1), WEEK, False),  # updated lately
        (None, NOW - timedelta(days=8), WEEK, True),
        (None, None, WEEK, False),  # undated entries are kept
        (NOW - timedelta(days=400), None, 0, False),  # 0: no limit
    ],
)
def test_max_age_goes_by_the_latest_date(
    published: datetime | None, updated: datetime | None, max_age: int, old: bool
) -> None:
    """An entry is too old when its later date is more than max_age ago."""
    assert too_old(_entry(published, updated), NOW.timestamp(), max_age) is old


def test_lastmod_no_later_than_the_fetch_is_unchanged() -> None:
    """lastmod <= the content's fetch time: unchanged; later, unknown or never fetched: not."""
    fetched = NOW.timestamp()
    assert unchanged_since(_entry(updated=NOW - timedelta(minutes=5)), fetched)
    assert unchanged_since(_entry(updated=NOW), fetched)
    assert not unchanged_since(_entry(updated=NOW + timedelta(seconds=1)), fetched)
    assert not unchanged_since(_entry(published=NOW - timedelta(days=1)), fetched)
    assert not unchanged_since(_entry(updated=NOW - timedelta(days=1)), None)


def test_quiet_feed_interval_doubles_within_its_bounds() -> None:
    """No new items: 900, 1800, 3600 ... capped at max; a new item resets to every run."""
    interval, seen = 0.0, []
    for _ in range(7):
        interval = next_feed_interval(interval, 0, 900, 21600)
        seen.append(interval)
    assert seen == [900, 1800, 3600, 7200, 14400, 21600, 21600]
    assert next_feed_interval(21600, 3, 900, 21600) == 0.0
    # a ceiling below the floor leaves the floor: the source's own interval
    assert next_feed_interval(0, 0, 900, 300) == 900
    assert next_feed_interval(900, 0, 900, 0) == 900


def test_feed_is_due_when_its_rest_is_over() -> None:
    """A feed never read is due; a resting one once checked_at + interval (less slack)."""
    now = NOW.timestamp()
    slack = 900 * FEED_DUE_SLACK
    assert feed_due(None, now, slack)
    assert feed_due(FeedState(now - 10, 0.0), now, slack)  # busy feed: every run
    assert not feed_due(FeedState(now - 1000, 1800), now, slack)
    # the next run, a few seconds short of one interval later, still reads it
    assert feed_due(FeedState(now - 895, 900), now, slack)
    assert feed_due(FeedState(now - 1800, 1800), now, slack)


def test_revisit_schedule_decays_from_the_first_fetch() -> None:
    """Next revisit: the first offset still ahead; after the last one, none."""
    first = NOW.timestamp()
    schedule = DEFAULT_REVISIT
    assert next_revisit(first, first + 5, schedule) == first + 3600
    assert next_revisit(first, first + 3600, schedule) == first + 6 * 3600
    assert next_revisit(first, first + 7 * 3600, schedule) == first + 24 * 3600
    assert next_revisit(first, first + 25 * 3600, schedule) == first + 72 * 3600
    assert next_revisit(first, first + 72 * 3600, schedule) is None
    assert next_revisit(first, first, ()) is None


def test_announced_feeds_are_extracted() -> None:
    """<link rel=alternate> with an RSS/Atom type gives the feed, resolved, each once."""
    html = """<!doctype html><html><head><title>Home</title>
    <link rel="alternate" type="application/rss+xml" title="All" href="/feed.xml">
    <link rel="Alternate" type="application/atom+xml; charset=utf-8" href="atom.xml">
    <link rel="alternate" type="application/rss+xml" href="https://news.example/feed.xml">
    <link rel="alternate" hreflang="de" href="/de/">
    <link rel="stylesheet" type="text/css" href="/site.css">
    <link rel="alternate" type="application/json" href="/feed.json">
    <link rel="alternate" type="application/rss+xml">
    </head><body><p>Nothing here.</p></body></html>"""
    page = extract(html, "https://news.example/section/index.html")
    assert page.feeds == ["https://news.example/feed.xml", "https://news.example/section/atom.xml"]
    assert extract("<html><body><p>x</p></body></html>", "https://news.example/").feeds == []


def test_discovery_keys_have_defaults_and_are_checked() -> None:
    """max_age (null = 0 = no limit), revisit (ascending) and max_feed_interval."""
    base = {"name": "s", "start_urls": ["https://a.example/"]}
    source = parse_sources({"sources": [base]})["s"]
    assert source.max_age == DEFAULT_MAX_AGE == WEEK
    assert source.revisit == (3600, 21600, 86400, 259200)
    assert source.max_feed_interval == 21600
    tuned = parse_sources(
        {"sources": [{**base, "max_age": None, "revisit": [60, 600], "max_feed_interval": 0}]}
    )["s"]
    assert (tuned.max_age, tuned.revisit, tuned.max_feed_interval) == (0, (60, 600), 0)
    assert parse_sources({"sources": [{**base, "revisit": []}]})["s"].revisit == ()
    for bad in ([600, 60], [0, 60], [60, 60]):
        with pytest.raises(ConfigError, match="revisit"):
            parse_sources({"sources": [{**base, "revisit": bad}]})
    with pytest.raises(ConfigError, match="max_age"):
        parse_sources({"sources": [{**base, "max_age": -1}]})


def test_gzip_child_sitemaps_pass_the_link_policy() -> None:
    """A .xml.gz child sitemap is followed as a discovery link, never as a page link."""
    source = parse_sources({"sources": [{"name": "s", "start_urls": ["https://a.example/"]}]})["s"]
    child = "https://a.example/sitemaps/2024-05.xml.gz"
    assert decide(child, source, discovery=True).followed
    assert not decide(child, source).followed
    assert not decide("https://b.example/sitemap.xml.gz", source, discovery=True).followed
