"""The walking skeleton end to end: crawl → parse → index → search on the real services."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from workers.demosite import NAV_SECTIONS, NewsSite

from .conftest import BIN, Stack, serve_fresh

pytestmark = pytest.mark.integration


def test_crawl_then_search_finds_every_article(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """`ingest crawl --wait` indexes all five stories; each is found by a phrase of its body."""
    site, base = news_site
    source = stack.add_source("skeleton", base)

    summary = stack.crawl(source)

    assert summary["done"] is True
    assert summary["errors"] == 0, stack.ingest("run", summary["run_id"]).stdout
    # home page, five stories, and the section pages the navigation bar links to
    assert summary["pages_fetched"] == 1 + 5 + len(NAV_SECTIONS)
    assert summary["articles_indexed"] == 5
    assert stack.count_source("articles", source) == 5
    for story in site.stories():
        phrase = f'"Residents of the {story.marker} district"'
        hits = stack.search(phrase, "--source", source)
        urls = {hit["url"] for hit in hits if hit["kind"] == "article"}
        assert urls == {base + story.path}, (phrase, hits)
        article = next(hit for hit in hits if hit["kind"] == "article")
        assert article["title"] == story.headline
        assert article["source"] == source
        assert article["score"] > 0


def test_task_logs_carry_their_context(stack: Stack, news_site: tuple[NewsSite, str]) -> None:
    """Worker log lines are JSON with task_id, task_name, url and source bound per task."""
    _site, base = news_site
    source = stack.add_source("logs", base)
    stack.crawl(source)
    fetched = [e for e in stack.log_events("page_fetched") if e.get("source") == source]
    parsed = [e for e in stack.log_events("page_parsed") if e.get("source") == source]
    assert fetched
    assert parsed
    for event in fetched + parsed:
        assert event["task_id"]
        assert event["url"].startswith(base)
        assert event["level"] == "info"
        assert event["timestamp"]
    assert {e["task_name"] for e in fetched} == {"crawl.fetch"}
    assert {e["task_name"] for e in parsed} == {"parse.page"}


def test_second_crawl_changes_nothing(stack: Stack, news_site: tuple[NewsSite, str]) -> None:
    """Crawling the same unchanged site again leaves the document counts as they were."""
    site, base = news_site
    source = stack.add_source("again", base)
    stack.crawl(source)
    articles = stack.count_source("articles", source)
    teasers = stack.count_source("teasers", source)
    story_hits = {story.path: site.hits.get(story.path, 0) for story in site.stories()}

    second = stack.crawl(source)

    assert second["done"] is True
    assert second["errors"] == 0
    assert stack.count_source("articles", source) == articles == 5
    assert stack.count_source("teasers", source) == teasers
    # Seeds are fetched again (unchanged); stories fetched minutes ago are not.
    assert second["pages_unchanged"] == 1
    assert {path: site.hits.get(path, 0) for path in story_hits} == story_hits


def test_feed_seeds_lead_to_articles(stack: Stack) -> None:
    """A source with only an RSS feed reaches its stories through the feed's items."""
    site = NewsSite(stories=3)
    server = serve_fresh(site)
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        source = stack.add_source("feedonly", base, start_urls=[], feeds=[f"{base}/feed.xml"])
        summary = stack.crawl(source)
    finally:
        server.shutdown()
    assert summary["errors"] == 0
    assert summary["articles_indexed"] == 3
    assert stack.count_source("articles", source) == 3


def test_status_reports_workers_and_documents(stack: Stack) -> None:
    """`ingest status --json` exits 0 and names a worker per queue when the stack is up."""
    result = stack.ingest("status", "--json")
    report = json.loads(result.stdout)
    assert report["healthy"] is True
    assert report["redis"] is True
    assert report["elasticsearch"] in ("green", "yellow")
    assert all(report["workers"][queue] for queue in ("crawl", "parse", "index"))
    assert set(report["documents"]) == {"articles", "teasers"}


def test_unknown_source_is_a_clear_error(stack: Stack) -> None:
    """Crawling a source that is not configured fails fast with its name in the message."""
    result = stack.ingest("crawl", "no-such-source", "--wait", check=False)
    assert result.returncode == 1
    assert "no-such-source" in result.stderr


def test_beat_crawls_sources_on_their_interval(
    stack: Stack, news_site: tuple[NewsSite, str], tmp_path: Path
) -> None:
    """Celery beat, started with the sources file, crawls a source on its own interval."""
    _site, base = news_site
    source = stack.add_source("scheduled", base, interval=10)
    beat = subprocess.Popen(
        [str(BIN / "celery"), "-A", "workers.app", "beat", "-s", str(tmp_path / "schedule")],
        env=stack.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and stack.count_source("articles", source) < 5:
            time.sleep(1)
    finally:
        beat.terminate()
        beat.wait(timeout=20)
    assert stack.count_source("articles", source) == 5


def test_status_fails_when_elasticsearch_is_unreachable(stack: Stack) -> None:
    """`ingest status` exits 1 and says why when Elasticsearch does not answer."""
    stack.es_proxy.cut()
    try:
        result = stack.ingest("status", "--json", check=False)
    finally:
        stack.es_proxy.restore()
    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert report["healthy"] is False
    assert report["elasticsearch"] is None
    assert "unreachable" in report["elasticsearch_error"]
    assert report["redis"] is True
