"""Discovery on the real services: feed-only, news-sitemap-only and feed-announcing sites,
max_age and lastmod skips, quiet feeds resting, and articles revisited after a change."""

from __future__ import annotations

import dataclasses
import gzip
import html
import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from workers.demosite import NewsSite, Story
from workers.urls import url_id

from .conftest import Stack
from .http_routes import reply

pytestmark = pytest.mark.integration


def _rss(base: str, items: list[tuple[Story, datetime]]) -> bytes:
    entries = "".join(
        f"<item><title>{html.escape(story.headline)}</title><link>{base}{story.path}</link>"
        f"<pubDate>{when:%a, %d %b %Y %H:%M:%S +0000}</pubDate></item>"
        for story, when in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{entries}'
        "</channel></rss>"
    ).encode()


def _news_sitemap(base: str, rows: list[tuple[Story, datetime, datetime]]) -> bytes:
    urls = "".join(
        f"<url><loc>{base}{story.path}</loc><lastmod>{lastmod.isoformat()}</lastmod>"
        "<news:news><news:publication><news:name>Demo</news:name>"
        "<news:language>en</news:language></news:publication>"
        f"<news:publication_date>{published.isoformat()}</news:publication_date>"
        f"<news:title>{html.escape(story.headline)}</news:title></news:news></url>"
        for story, published, lastmod in rows
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    ).encode()


def _hits(site: NewsSite, story: Story) -> int:
    return site.hits.get(story.path, 0)


def test_feed_only_site_fetches_items_within_max_age(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """A source with only an RSS feed indexes its items; an item older than max_age is
    never requested."""
    news, base = news_site
    now = datetime.now(UTC)
    old, *fresh = sorted(news.stories(), key=lambda story: story.number)
    items = [(old, now - timedelta(days=10))] + [(s, now - timedelta(hours=1)) for s in fresh]
    news.extra_routes["/rss"] = reply(200, _rss(base, items), "application/rss+xml")
    source = stack.add_source("feedonly", base, start_urls=[], feeds=[f"{base}/rss"])

    summary = stack.crawl(source)

    assert summary["errors"] == 0
    assert summary["articles_indexed"] == len(fresh)
    assert stack.indexed_urls("articles", source) == {base + s.path for s in fresh}
    assert _hits(news, old) == 0
    assert news.hits.get("/", 0) == 0  # no start page: the feed is the only way in


def test_news_sitemap_skips_old_and_unchanged_entries(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """A sitemap-only source: entries past max_age are never fetched; on the next read an
    entry whose lastmod is not after its fetch is not fetched again, a later one is."""
    news, base = news_site
    one, two, three, four, five = sorted(news.stories(), key=lambda story: story.number)
    now = datetime.now(UTC).replace(microsecond=0)
    hour_ago = now - timedelta(hours=1)
    first = [(one, now - timedelta(days=30), now - timedelta(days=30))]
    first += [(story, hour_ago, hour_ago) for story in (two, three, four)]
    news.extra_routes["/news.xml"] = reply(200, _news_sitemap(base, first), "application/xml")
    # recrawl_after 0: only the lastmod can keep a listed page from being fetched again
    source = stack.add_source(
        "newsmap", base, start_urls=[], sitemaps=[f"{base}/news.xml"], recrawl_after=0
    )

    summary = stack.crawl(source)

    assert summary["errors"] == 0
    assert summary["articles_indexed"] == 3
    assert [_hits(news, s) for s in (one, two, three, four)] == [0, 1, 1, 1]
    state = stack.redis.hgetall(f"url:{url_id(base + two.path)}")
    assert float(state[b"listed_published"]) == hour_ago.timestamp()
    assert float(state[b"listed_lastmod"]) == hour_ago.timestamp()

    # The sitemap changes: story three was edited after its fetch, story five is new.
    edited = datetime.now(UTC) + timedelta(seconds=2)
    second = [first[0], (two, hour_ago, hour_ago), (three, hour_ago, edited)]
    second += [(four, hour_ago, hour_ago), (five, now, now)]
    news.extra_routes["/news.xml"] = reply(200, _news_sitemap(base, second), "application/xml")

    summary = stack.crawl(source)

    assert summary["errors"] == 0
    assert [_hits(news, s) for s in (one, two, three, four, five)] == [0, 1, 2, 1, 1]
    assert base + five.path in stack.indexed_urls("articles", source)


def test_feed_announced_by_a_start_page_is_read_and_rests_when_quiet(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """A start page announcing its feed only by <link rel=alternate> leads to the feed's
    stories in the same run; the feed is read once a run while it brings new items, and
    rests on the next run after a read that brought none."""
    news, base = news_site
    news.announced_feeds = ["/feed.xml", "http://elsewhere.example/feed.xml"]
    page = news._layout("Home", "<main><h1>Welcome</h1><p>Read our feed.</p></main>")
    news.extra_routes["/"] = reply(200, page.encode(), "text/html; charset=utf-8")
    source = stack.add_source("announced", base)

    summary = stack.crawl(source)

    assert summary["errors"] == 0
    assert summary["articles_indexed"] == 5
    assert stack.indexed_urls("articles", source) == {base + s.path for s in news.stories()}
    assert news.hits["/feed.xml"] == 1
    assert stack.redis.hgetall(f"feeds-by:{source}") == {
        f"{base}/feed.xml".encode(): f"{base}/".encode()
    }

    stack.crawl(source)  # the start page is unchanged: the remembered feed is read again
    assert news.hits["/feed.xml"] == 2
    assert news.hits["/"] == 2

    stack.crawl(source)  # the last read brought nothing new: the feed rests this run
    assert news.hits["/feed.xml"] == 2
    assert news.hits["/"] == 3


def test_feeds_a_start_page_stopped_announcing_or_that_are_gone_are_forgotten(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """The remembered feeds (what later runs read besides the configured ones) follow the
    start page: one it no longer announces is forgotten, one that answers 410 is dropped
    and not read again; feeds kept in the older set (no announcer recorded) carry over."""
    news, base = news_site
    news.announced_feeds = ["/feed.xml", "/extra.xml"]
    news.extra_routes["/"] = reply(200, _home(news, "one"), "text/html; charset=utf-8")
    news.extra_routes["/extra.xml"] = reply(410, b"gone", "text/plain")
    source = stack.add_source("forgets", base)
    legacy = f"{base}/older.xml"
    stack.redis.sadd(f"feeds:{source}", legacy)
    news.extra_routes["/older.xml"] = reply(200, news.feed(base).encode(), "application/rss+xml")

    stack.crawl(source)

    assert news.hits["/extra.xml"] == 1
    assert news.hits["/older.xml"] == 1
    assert set(stack.redis.hkeys(f"feeds-by:{source}")) == {
        f"{base}/feed.xml".encode(),
        legacy.encode(),
    }
    assert not stack.redis.exists(f"feeds:{source}")

    news.announced_feeds = []
    news.extra_routes["/"] = reply(200, _home(news, "two"), "text/html; charset=utf-8")
    stack.crawl(source)  # the changed start page no longer names /feed.xml
    assert set(stack.redis.hkeys(f"feeds-by:{source}")) == {legacy.encode()}
    assert news.hits["/extra.xml"] == 1  # never read again after its 410


def _home(news: NewsSite, edition: str) -> bytes:
    body = f"<main><h1>Welcome</h1><p>Edition {edition}.</p></main>"
    return news._layout("Home", body).encode()


def test_changed_article_is_reindexed_on_revisit(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """An article edited after its first fetch is fetched again when its revisit is due
    (the start page is unchanged and recrawl_after not reached): the new text is
    searchable and the history keeps the old version; the next revisit moves to the next
    offset."""
    news, base = news_site
    source = stack.add_source("revisit", base, revisit=[3, 3600])
    stack.crawl(source)
    story = news.stories()[0]
    url = base + story.path
    due = stack.redis.zscore(f"revisit:{source}", url)
    first = float(stack.redis.hget(f"url:{url_id(url)}", "first_fetched_at") or 0)
    assert due == first + 3
    changed = dataclasses.replace(
        story, paragraphs=tuple(p.replace("Residents", "Ferrymen") for p in story.paragraphs)
    )
    news.extra_routes[story.path] = reply(
        200, news.article(changed, base).encode(), "text/html; charset=utf-8"
    )
    time.sleep(max(0.0, due - time.time() + 0.1))

    summary = stack.crawl(source)

    assert summary["errors"] == 0
    assert _hits(news, story) == 2
    # documents become searchable at the next index refresh: make it now
    stack.es.indices.refresh(index=f"{stack.prefix}-articles,{stack.prefix}-versions")
    hits = stack.search(f'"Ferrymen of the {story.marker} district"', "--source", source)
    assert [hit["url"] for hit in hits if hit["kind"] == "article"] == [url]
    versions = json.loads(stack.ingest("history", url, "--json").stdout)
    assert [v["version"] for v in versions] == [1, 2]
    assert "Residents" in versions[0]["body"]
    assert "Ferrymen" in versions[1]["body"]
    assert stack.redis.zscore(f"revisit:{source}", url) == first + 3600


def test_child_sitemaps_of_an_index_rest_when_quiet(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """A sitemap index's child sitemaps (one gzip-compressed) are read in the run; read
    again while their last read brought new entries; then, unchanged, they rest while the
    index itself is read every run."""
    news, base = news_site
    now = datetime.now(UTC).replace(microsecond=0)
    stories = sorted(news.stories(), key=lambda story: story.number)
    rows = [(story, now, now - timedelta(days=1)) for story in stories]
    news.extra_routes["/a.xml"] = reply(200, _news_sitemap(base, rows[:3]), "application/xml")
    packed = gzip.compress(_news_sitemap(base, rows[3:]))
    news.extra_routes["/b.xml.gz"] = reply(200, packed, "application/gzip")
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/a.xml</loc></sitemap><sitemap><loc>{base}/b.xml.gz</loc></sitemap>"
        "</sitemapindex>"
    ).encode()
    news.extra_routes["/index.xml"] = reply(200, index, "application/xml")
    source = stack.add_source("index", base, start_urls=[], sitemaps=[f"{base}/index.xml"])

    summary = stack.crawl(source)

    assert summary["errors"] == 0
    assert stack.indexed_urls("articles", source) == {base + s.path for s in stories}
    reads = lambda: [news.hits.get(p, 0) for p in ("/index.xml", "/a.xml", "/b.xml.gz")]  # noqa: E731
    assert reads() == [1, 1, 1]
    stack.crawl(source)  # new entries last time: read again (unchanged now)
    assert reads() == [2, 2, 2]
    stack.crawl(source)  # quiet: the children rest, the index is read
    assert reads() == [3, 2, 2]
    assert all(_hits(news, story) == 1 for story in stories)
