"""Politeness end to end: robots.txt rules and Crawl-delay, an unreachable site that comes
back, robots meta and X-Robots-Tag, and `Sitemap:` lines of robots.txt.

The crawl worker of this module retries more patiently than the session's (a 5 s outage
must fit in its retry budget); the session's worker is put back afterwards.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest
import redis

from workers.crawl import Crawler
from workers.demosite import NewsSite, serve
from workers.errors import UpstreamUnavailable
from workers.fetch import Fetcher
from workers.frontier import Frontier
from workers.models import Source
from workers.store import PageStore

from .conftest import Stack, _require, serve_fresh
from .http_routes import reply

pytestmark = pytest.mark.integration

# Retries of the module's crawl worker: waits of at least 0.5 + 1 + 2 + 2 + 2 = 7.5 s in
# all (jitter halves each at worst), which outlasts the 5 s outage below.
PATIENT_RETRIES = {
    "INGEST_RETRY_MAX_ATTEMPTS": "6",
    "INGEST_RETRY_BACKOFF": "1",
    "INGEST_RETRY_BACKOFF_MAX": "4",
}
OUTAGE = 5.0


def _replace_crawl_worker(stack: Stack, env: dict[str, str]) -> None:
    """Stop the crawl worker (gracefully) and start one with `env`."""
    process = stack.workers.pop("crawl")
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    session_env = stack.env
    stack.env = env
    try:
        stack.start_worker("crawl")
    finally:
        stack.env = session_env
    stack.wait_until_ready()


@pytest.fixture(scope="module")
def polite(stack: Stack) -> Iterator[Stack]:
    """The session stack with a patient crawl worker, for this module only."""
    _replace_crawl_worker(stack, {**stack.env, **PATIENT_RETRIES})
    try:
        yield stack
    finally:
        _replace_crawl_worker(stack, stack.env)


class LoggedSite(NewsSite):
    """The demo site, keeping when each path was requested."""

    def __init__(self, stories: int = 5) -> None:
        super().__init__(stories=stories)
        self.log: list[tuple[float, str]] = []

    def record_hit(self, path: str) -> None:
        super().record_hit(path)
        self.log.append((time.monotonic(), path))


def _serve(site: NewsSite, port: int = 0) -> tuple[str, ThreadingHTTPServer]:
    server = serve(site, port=port) if port else serve_fresh(site)
    return f"http://127.0.0.1:{server.server_address[1]}", server


def _stop(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()


def _errors(stack: Stack, run_id: str) -> dict[str, str]:
    errors: dict[str, str] = json.loads(stack.ingest("run", run_id).stdout)["error_urls"]
    return errors


def test_disallowed_section_and_crawl_delay_are_obeyed(polite: Stack) -> None:
    """No disallowed path is requested, and requests are spaced by the Crawl-delay (1 s)."""
    site = LoggedSite()
    site.robots = "User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n"
    site.extra_links = ["/private/memo.html", "/private/board/minutes.html"]
    base, server = _serve(site)
    try:
        source = polite.add_source("crawldelay", base)
        summary = polite.crawl(source)
    finally:
        _stop(server)

    assert summary["articles_indexed"] == 5
    assert not [path for _, path in site.log if path.startswith("/private/")]
    errors = _errors(polite, summary["run_id"])
    assert sorted(errors) == [base + "/private/board/minutes.html", base + "/private/memo.html"]
    assert all(error.startswith("RobotsDisallowed") for error in errors.values())
    pages = [stamp for stamp, path in site.log if path != "/robots.txt"]
    assert len(pages) >= 8  # home, five stories, two sections
    # Slots are 1 s apart; arrival is measured at the site, where a busy worker may send
    # one request late (shortening the gap after it), never a later one early.
    gaps = [later - earlier for earlier, later in itertools.pairwise(pages)]
    assert pages[-1] - pages[0] >= 0.9 * (len(pages) - 1), gaps
    assert min(gaps) >= 0.5, gaps


def test_site_down_at_the_start_loses_nothing(polite: Stack) -> None:
    """Connection refused for 5 s, then the site is up: every story indexed, no dead letter."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    site = LoggedSite()
    started: list[ThreadingHTTPServer] = []

    up = threading.Event()

    def come_up() -> None:
        time.sleep(OUTAGE)
        try:
            started.append(_serve(site, port)[1])
        finally:
            up.set()

    source = polite.add_source("outage", base)
    threading.Thread(target=come_up, daemon=True).start()
    try:
        summary = polite.crawl(source, timeout=120)
    finally:
        up.wait(OUTAGE + 10)
        for server in started:
            _stop(server)
    assert started, "the site could not take its port back"

    assert summary["done"] is True
    assert summary["errors"] == 0, _errors(polite, summary["run_id"])
    assert summary["articles_indexed"] == 5
    assert polite.count_source("articles", source) == 5
    retries = [e for e in polite.log_events("task_retry") if e.get("source") == source]
    assert any("robots.txt unreachable: connection refused" in e["error"] for e in retries)
    dead = polite.ingest("deadletter", "list").stdout
    assert source not in dead


def _story_page(site: NewsSite, base: str, number: int, head: str = "") -> bytes:
    """Story `number`'s article page, with extra markup in its head."""
    story = site.story(number)
    assert story is not None
    return site.article(story, base).replace("</head>", head + "</head>").encode()


def test_noindex_page_is_fetched_not_indexed_and_its_links_followed(polite: Stack) -> None:
    """A robots meta noindex article: nothing of it is indexed, the stories it links are."""
    site = NewsSite()
    base, server = _serve(site)
    page = "/special/hidden.html"
    site.extra_routes[page] = reply(
        200,
        _story_page(site, base, 1, '<meta name="robots" content="noindex">'),
        "text/html; charset=utf-8",
    )
    try:
        source = polite.add_source("noindex", base, start_urls=[base + page])
        summary = polite.crawl(source)
    finally:
        _stop(server)

    assert site.hits[page] == 1
    # The byline links an author page the demo site does not have: the only error.
    assert set(_errors(polite, summary["run_id"])) <= {base + "/authors/1"}
    others = {base + story.path for story in site.stories() if story.number != 1}
    assert polite.indexed_urls("articles", source) == others
    on_page = [{"term": {"source": source}}, {"term": {"seen_on": base + page}}]
    teasers = polite.es.count(index=f"{polite.prefix}-teasers", query={"bool": {"filter": on_page}})
    assert teasers["count"] == 0
    decisions = [e for e in polite.log_events("robots_noindex") if e.get("source") == source]
    assert [e["url"] for e in decisions] == [base + page]


def test_x_robots_tag_nofollow_and_noindex_hold_on_reparse(polite: Stack) -> None:
    """X-Robots-Tag `nofollow`: cards kept, no link followed; `noindex` holds on a reparse."""
    site = NewsSite()
    base, server = _serve(site)
    listing, hidden = "/special/listing.html", "/special/header-noindex.html"
    site.extra_routes[listing] = reply(
        200, site.home().encode(), "text/html; charset=utf-8", X_Robots_Tag="nofollow"
    )
    site.extra_routes[hidden] = reply(
        200,
        _story_page(site, base, 2),
        "text/html; charset=utf-8",
        X_Robots_Tag="noindex, nofollow",
    )
    try:
        source = polite.add_source("xrobots", base, start_urls=[base + listing, base + hidden])
        summary = polite.crawl(source)
        assert summary["errors"] == 0
        assert site.hits[listing] == site.hits[hidden] == 1
        assert not [path for path in site.hits if path.startswith(("/news/", "/section/"))]
        assert polite.count_source("teasers", source) > 0  # the listing's cards are indexed
        assert polite.indexed_urls("articles", source) == set()

        again = polite.reparse(source)
    finally:
        _stop(server)

    assert again["errors"] == 0
    assert polite.indexed_urls("articles", source) == set()


def test_robots_sitemap_lines_lead_to_articles(polite: Stack) -> None:
    """A `Sitemap:` line of robots.txt is crawled like a configured sitemap, in scope only."""
    site = NewsSite()
    elsewhere = NewsSite()
    base, server = _serve(site)
    other_base, other_server = _serve(elsewhere)
    other = other_base.replace("127.0.0.1", "localhost")  # another host: out of scope
    site.robots = (
        "User-agent: *\nDisallow: /private/\n\n"
        f"Sitemap: {base}/sitemap.xml\nSitemap: {other}/sitemap.xml\n"
    )
    site.extra_routes["/start.html"] = reply(200, b"<html><body><p>Welcome</p></body></html>")
    try:
        source = polite.add_source("robotsmap", base, start_urls=[base + "/start.html"])
        summary = polite.crawl(source)
    finally:
        _stop(server)
        _stop(other_server)

    assert summary["errors"] == 0
    assert site.hits.get("/sitemap.xml") == 1
    assert elsewhere.hits == {}
    assert polite.indexed_urls("articles", source) == {base + s.path for s in site.stories()}


def test_robots_read_once_per_memo_window_but_an_unreachable_one_every_time() -> None:
    """A robots.txt this worker read is used again for ROBOTS_MEMO_SECONDS without asking
    Redis or the site; an unreachable one is asked for again once its short error cache
    expires, so a retry sees the site come back."""
    up_site, down_site = NewsSite(stories=1), NewsSite(stories=1)
    down_site.extra_routes["/robots.txt"] = reply(503, b"busy", "text/plain")
    servers = [serve_fresh(up_site), serve_fresh(down_site)]
    up, down = (f"http://127.0.0.1:{server.server_address[1]}" for server in servers)
    client = redis.Redis.from_url(_require("REDIS_URL"))
    crawler = Crawler(
        Fetcher("news-ingest-test"),
        Frontier(client),
        PageStore(client, 60),
        "news-ingest-test",
        robots_error_ttl=0.05,
    )
    source = Source("memo", (f"{up}/",), ("127.0.0.1",), allow_private_networks=True)
    try:
        assert not crawler.robots(f"{up}/private/a", source).allows(f"{up}/private/a")
        client.delete(f"robots:{up}")  # neither Redis nor the site is asked again
        assert not crawler.robots(f"{up}/private/b", source).allows(f"{up}/private/b")
        assert up_site.hits.get("/robots.txt") == 1

        for _ in range(2):
            with pytest.raises(UpstreamUnavailable):
                crawler.robots(f"{down}/a", source)
            time.sleep(0.1)  # past the error TTL
        del down_site.extra_routes["/robots.txt"]
        assert crawler.robots(f"{down}/a", source).allows(f"{down}/a")
        assert down_site.hits.get("/robots.txt") == 3
        assert up_site.hits.get("/robots.txt") == 1
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
