"""Per-source link rules and trap limits on a real crawl: which paths the site was asked for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest

from workers.demosite import NewsSite

from .conftest import Stack
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
