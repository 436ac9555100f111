"""Per-source link rules and trap limits on a real crawl (which paths the site was asked for),
and the sources file as live config: invalid versions, beat picking up changes, run locks."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from workers.demosite import NewsSite
from workers.runs import RUN_LOCK_PREFIX, RUN_LOCK_TTL

from .conftest import BIN, Stack
from .http_routes import reply

pytestmark = pytest.mark.integration


def _page(*links: str) -> bytes:
    anchors = "".join(f'<li><a href="{link}">{link}</a></li>' for link in links)
    return f"<html><body><h1>Listing</h1><ul>{anchors}</ul></body></html>".encode()


def test_allow_and_deny_rules_decide_which_paths_are_requested(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """Only links matching `allow` are fetched, and `deny` wins over `allow`."""
    site, base = news_site
    for path in ("/tag/harbour", "/about", "/section/city/page/2"):
        site.extra_routes[path] = reply(200, _page("/"))
    site.extra_links = ["/tag/harbour", "/about", "/section/city/page/2"]
    source = stack.add_source(
        "rules", base, allow=["^/news/", "^/section/"], deny=["^/section/region$", "/page/"]
    )

    summary = stack.crawl(source)

    assert summary["done"] is True
    assert summary["errors"] == 0
    stories = {story.path for story in site.stories()}
    assert set(site.hits) == {"/", "/robots.txt", "/section/city"} | stories
    assert summary["articles_indexed"] == 5


def _calendar_path(day: date) -> str:
    return f"/calendar/{day:%Y/%m/%d}/"


def test_spider_trap_calendar_and_pagination_are_bounded(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """An endless calendar and an endless listing are fetched only within the trap limits."""
    site, base = news_site
    today = datetime.now(UTC).date()
    for offset in range(-40, 41):
        day = today + timedelta(days=offset)
        site.extra_routes[_calendar_path(day)] = reply(
            200,
            _page(_calendar_path(day - timedelta(days=1)), _calendar_path(day + timedelta(days=1))),
        )

    def listing(request: BaseHTTPRequestHandler) -> None:
        page = int(parse_qs(urlsplit(request.path).query).get("page", ["1"])[0])
        reply(200, _page(f"/list?page={page + 1}"))(request)

    site.extra_routes["/list"] = listing
    site.extra_links = [_calendar_path(today), "/list?page=1"]
    source = stack.add_source(
        "trap", base, max_depth=10, max_pages=300, traps={"calendar_days": 3, "max_page": 4}
    )

    summary = stack.crawl(source)

    assert summary["done"] is True
    calendar = {path for path in site.hits if path.startswith("/calendar/")}
    # From three days back to tomorrow; each once.
    assert calendar == {_calendar_path(today + timedelta(days=n)) for n in range(-3, 2)}
    assert all(site.hits[path] == 1 for path in calendar)
    assert site.hits["/list"] == 4  # pages 1 to 4


def _status(stack: Stack) -> tuple[int, dict[str, Any]]:
    result = stack.ingest("status", "--json", check=False, timeout=60)
    return result.returncode, json.loads(result.stdout)


def test_invalid_sources_file_keeps_the_last_good_config_and_turns_status_red(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """A broken sources.yaml is reported by `ingest status` (exit 1, the one-line error)
    while crawls go on with the last good sources; fixing the file clears it."""
    _site, base = news_site
    source = stack.add_source("keepgood", base)
    assert stack.crawl(source)["done"] is True
    good = stack.sources_path.read_text()
    broken = good.replace(f"name: {source}", f"name: {source}\n  delay: -3", 1)
    assert broken != good
    stamp = time.time() + 100
    stack.sources_path.write_text(broken)
    os.utime(stack.sources_path, (stamp, stamp))
    try:
        code, report = _status(stack)
        assert code == 1
        assert report["healthy"] is False
        assert f"({source}): delay: must be >= 0" in report["sources"]["error"]
        # The workers and the CLI go on with the last good version.
        second = stack.crawl(source)
        assert second["done"] is True
        assert second["errors"] == 0
    finally:
        stack.sources_path.write_text(good)
        os.utime(stack.sources_path, (stamp + 1, stamp + 1))
    code, report = _status(stack)
    assert code == 0, report
    assert report["sources"]["error"] is None


@contextlib.contextmanager
def _beat(stack: Stack, state: Path, tick: float) -> Iterator[None]:
    """Celery beat on the stack's broker and sources file, ticking every `tick` seconds."""
    beat = subprocess.Popen(
        [str(BIN / "celery"), "-A", "workers.app", "beat", "-s", str(state)],
        env={**stack.env, "INGEST_SCHEDULE_TICK": str(tick)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        beat.terminate()
        beat.wait(timeout=20)


def test_source_added_while_beat_runs_is_crawled_within_a_minute(
    stack: Stack, news_site: tuple[NewsSite, str], tmp_path: Path
) -> None:
    """A source written to sources.yaml after beat started is crawled, without a restart."""
    site, base = news_site
    with _beat(stack, tmp_path / "schedule", tick=1):
        time.sleep(2)  # beat is up and ticking before the source exists
        source = stack.add_source("added", base)
        added_at = time.monotonic()
        while time.monotonic() - added_at < 60 and stack.count_source("articles", source) < 5:
            time.sleep(0.5)
    assert stack.count_source("articles", source) == 5
    # Scheduled once: its interval (3600 s) has not passed again.
    assert site.hits["/"] == 1


def test_overlapping_manual_crawl_is_refused(stack: Stack, news_site: tuple[NewsSite, str]) -> None:
    """While a run of a source is in progress, `ingest crawl` of it exits 4, names the run
    and renews the run's lock (a run longer than the lock's expiry keeps its source); once
    that run finished, a crawl starts again."""
    site, base = news_site
    source = stack.add_source("overlap", base, delay=2.0)
    first = json.loads(stack.ingest("crawl", source).stdout)
    lock = f"{RUN_LOCK_PREFIX}{source}"
    stack.redis.expire(lock, 30)  # as if the run had been going for almost RUN_LOCK_TTL

    refused = stack.ingest("crawl", source, "--wait", check=False)

    assert refused.returncode == 4, refused.stderr
    assert f"being crawled by run {first['run_id']}" in refused.stderr
    assert stack.redis.get(lock) == first["run_id"].encode()
    assert int(stack.redis.ttl(lock)) > RUN_LOCK_TTL - 60
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run = json.loads(stack.ingest("run", first["run_id"]).stdout)
        if run["state"] != "running":
            break
        time.sleep(1)
    assert run["state"] == "done"
    assert site.hits["/"] == 1  # the refused crawl fetched nothing
    again = stack.crawl(source)
    assert again["done"] is True
    assert site.hits["/"] == 2
