"""Failing parts: every failure is typed, logged, counted, and loses nothing.

Hostile pages (bombs, loops, trickles, off-scope redirects, 429 storms...) are the table of
test_hostile.py."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from workers.demosite import NewsSite

from .conftest import Stack, serve_fresh
from .http_routes import reply

pytestmark = pytest.mark.integration


def _run_errors(stack: Stack, run_id: str) -> dict[str, str]:
    errors: dict[str, str] = json.loads(stack.ingest("run", run_id).stdout)["error_urls"]
    return errors


def test_robots_disallow_is_obeyed(stack: Stack, news_site: tuple[NewsSite, str]) -> None:
    """Pages robots.txt disallows are never requested, and are reported as such."""
    news, base = news_site
    news.robots = "User-agent: *\nDisallow: /news/\n"
    source = stack.add_source("robots", base)

    summary = stack.crawl(source)

    assert summary["done"] is True
    assert summary["articles_indexed"] == 0
    assert all(news.hits.get(story.path, 0) == 0 for story in news.stories())
    errors = _run_errors(stack, summary["run_id"])
    assert sum(error.startswith("RobotsDisallowed") for error in errors.values()) == 5


def test_private_network_seed_is_blocked(stack: Stack, news_site: tuple[NewsSite, str]) -> None:
    """A source without allow_private_networks cannot reach a loopback site at all."""
    news, base = news_site
    source = stack.add_source("ssrf", base, allow_private_networks=False)

    summary = stack.crawl(source)

    assert summary["pages_fetched"] == 0
    assert news.hits == {}
    errors = _run_errors(stack, summary["run_id"])
    assert next(iter(errors.values())).startswith("BlockedAddress")


def _crawl_sitemap_site(stack: Stack, name: str, **options: Any) -> tuple[NewsSite, dict[str, Any]]:
    """Crawl a fresh forty-story site from its sitemap alone: the site and the run summary."""
    news = NewsSite(stories=40)
    server = serve_fresh(news)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        source = stack.add_source(
            name, base, start_urls=[], sitemaps=[base + "/sitemap.xml"], **options
        )
        summary = stack.crawl(source)
        summary["indexed"] = stack.indexed_urls("articles", source)
        summary["base"] = base
        return news, summary
    finally:
        server.shutdown()
        server.server_close()


def test_every_link_of_a_page_is_fetched_once_and_the_run_completes(stack: Stack) -> None:
    """A sitemap's forty stories, admitted to the run together: each is fetched once and
    indexed, the run is done; a source capped at max_pages fetches that many pages."""
    news, summary = _crawl_sitemap_site(stack, "links")

    assert summary["state"] == "done", summary
    assert summary["pages_fetched"] == 41
    assert summary["articles_indexed"] == 40
    stories = news.stories()
    assert {s.path: news.hits.get(s.path) for s in stories} == {s.path: 1 for s in stories}
    assert summary["indexed"] == {summary["base"] + s.path for s in stories}

    news, summary = _crawl_sitemap_site(stack, "capped", max_pages=10)

    assert summary["state"] == "done", summary
    assert summary["pages_fetched"] == 10  # the sitemap and nine of its stories
    assert sum(news.hits.get(s.path, 0) for s in news.stories()) == 9


def test_killed_worker_loses_no_page(stack: Stack, news_site: tuple[NewsSite, str]) -> None:
    """SIGKILL of the crawl worker mid-fetch: the messages it held come back and the run
    completes. A message the worker was receiving at the kill (popped by kombu's Redis
    transport but not yet recorded as held) dies with it and is sent again from the run's
    registry (`ingest run` finds it vanished). The front page lists its stories newest
    first, so the kill can land while the worker is still taking the older ones (seen in
    CI: story 2 vanished, story 1 still queued)."""
    news, base = news_site
    target = news.stories()[2]
    started = threading.Event()

    def slow_story(request: BaseHTTPRequestHandler) -> None:
        started.set()
        time.sleep(1.5)  # long enough to kill the worker while it waits, short of the timeout
        reply(200, news.article(target, base).encode(), "text/html; charset=utf-8")(request)

    news.extra_routes[target.path] = slow_story
    source = stack.add_source("killed", base)
    run = json.loads(stack.ingest("crawl", source).stdout)
    assert started.wait(60), stack.worker_logs()
    stack.kill_worker("crawl")
    stack.start_worker("crawl")

    summary = stack.wait_for_run(run["run_id"], timeout=120)

    assert summary["articles_indexed"] == 5
    assert stack.count_source("articles", source) == 5


def test_redis_outage_loses_nothing(stack: Stack, news_site: tuple[NewsSite, str]) -> None:
    """Redis dropping every connection and stalling mid-run: workers reconnect and the run
    completes; a message in flight on a dropped connection (kombu's Redis transport pops a
    message before it records it as held, so one can be lost there) is sent again from the
    run's registry."""
    news, base = news_site
    target = news.stories()[1]
    started = threading.Event()

    def slow_story(request: BaseHTTPRequestHandler) -> None:
        started.set()
        time.sleep(1.0)
        reply(200, news.article(target, base).encode(), "text/html; charset=utf-8")(request)

    news.extra_routes[target.path] = slow_story
    source = stack.add_source("redis-outage", base)
    run = json.loads(stack.ingest("crawl", source).stdout)
    assert started.wait(60), stack.worker_logs()
    # Drop every client connection, then refuse to answer anyone for three seconds.
    stack.redis.execute_command("CLIENT", "PAUSE", "3000", "ALL")
    stack.redis.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
    stack.redis.execute_command("CLIENT", "KILL", "TYPE", "pubsub")

    summary = stack.wait_for_run(run["run_id"], timeout=120)

    assert summary["state"] == "done", summary
    assert stack.count_source("articles", source) == 5


def _crawl_losing_discover(stack: Stack, source: str, *, forget_message: bool) -> str:
    """Start a crawl while no crawl worker runs and delete its discover message from the
    queue (with `forget_message`, its registered copy too); the run id."""
    stack.kill_worker("crawl")
    try:
        run_id = str(json.loads(stack.ingest("crawl", source).stdout)["run_id"])
        assert stack.redis.llen("crawl") >= 1
        stack.redis.delete("crawl")  # the run's discover message is gone
        if forget_message:
            stack.redis.delete(f"run:{run_id}:messages")
    finally:
        stack.start_worker("crawl")
    return run_id


def test_a_task_the_broker_lost_is_sent_again_and_the_run_completes(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """A task the broker lost (its message deleted while no worker held it) is found
    vanished by `ingest run` and sent again from the run's registry: the run completes with
    every article, with no second crawl."""
    news, base = news_site
    source = stack.add_source("resent", base)
    run_id = _crawl_losing_discover(stack, source, forget_message=False)

    summary = stack.wait_for_run(run_id, timeout=120)

    assert summary["articles_indexed"] == 5, summary
    assert stack.indexed_urls("articles", source) == {base + s.path for s in news.stories()}


def test_a_run_whose_tasks_vanished_is_incomplete_and_the_next_crawl_recovers(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """A task the broker lost with no message to send again (registered by an older
    version, or its registry lost): the run is `incomplete` with reason `tasks_vanished`,
    never `done`, its source is free again, and the next crawl indexes every article."""
    news, base = news_site
    source = stack.add_source("vanished", base)
    run_id = _crawl_losing_discover(stack, source, forget_message=True)

    deadline = time.monotonic() + 60
    summary = json.loads(stack.ingest("run", run_id).stdout)
    while summary["state"] == "running" and time.monotonic() < deadline:
        time.sleep(1)
        summary = json.loads(stack.ingest("run", run_id).stdout)
    assert summary["state"] == "incomplete", summary
    assert summary["incomplete_reason"] == "tasks_vanished"
    assert summary["vanished_tasks"] == 1

    recovered = stack.crawl(source)
    assert recovered["state"] == "done", recovered
    assert stack.indexed_urls("articles", source) == {base + s.path for s in news.stories()}
