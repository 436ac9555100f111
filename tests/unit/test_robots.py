"""robots.txt rules (groups, longest match, wildcards, escapes, crawl-delay, sitemaps), the
RFC 9309 status policy, and robots meta tags / X-Robots-Tag."""

from __future__ import annotations

import httpx
import pytest

from workers.crawl import Crawler, robots_from
from workers.errors import UpstreamUnavailable
from workers.fetch import Fetcher
from workers.frontier import CachedRobots, robots_error_ttl
from workers.models import Source
from workers.robots import (
    MAX_CRAWL_DELAY,
    POLICIES,
    RobotsPolicy,
    header_directives,
    meta_directives,
    page_directives,
    parse_robots,
    robots_policy,
)

UA = "news-ingest/0.1 (+https://example.org; crawler)"

ROBOTS = """
# comments are ignored
User-agent: *
Disallow: /private/
Allow: /private/press/
Disallow: /*.pdf$
Disallow: /search?
Crawl-delay: 3

User-agent: other-bot
Disallow: /

Sitemap: https://e.com/sitemap-news.xml
Sitemap: https://e.com/sitemap-index.xml
"""


def test_longest_rule_wins() -> None:
    """A longer Allow overrides a shorter Disallow, and the reverse."""
    policy = parse_robots(ROBOTS, UA)
    assert not policy.allows("https://e.com/private/memo.html")
    assert policy.allows("https://e.com/private/press/release.html")
    assert policy.allows("https://e.com/news/story.html")


def test_wildcards_and_end_anchor() -> None:
    """`*` matches any run of characters and `$` anchors the end."""
    policy = parse_robots(ROBOTS, UA)
    assert not policy.allows("https://e.com/files/report.pdf")
    assert policy.allows("https://e.com/files/report.pdf.html")
    assert not policy.allows("https://e.com/search?q=x")
    assert policy.allows("https://e.com/search")


def test_escaped_slash_is_not_a_slash() -> None:
    """`Disallow: /a%2Fb` blocks that path only, not `/a/b`; other escapes compare decoded."""
    policy = parse_robots("User-agent: *\nDisallow: /a%2Fb\nDisallow: /caf%C3%A9/\n", UA)
    assert policy.allows("https://e.com/a/b")
    assert not policy.allows("https://e.com/a%2Fb")
    assert not policy.allows("https://e.com/a%2fb")
    assert not policy.allows("https://e.com/café/menu")
    assert not policy.allows("https://e.com/caf%C3%A9/menu")


def test_crawl_delay_is_read_and_capped() -> None:
    """Crawl-delay of the matching group is exposed in seconds, at most MAX_CRAWL_DELAY."""
    assert parse_robots(ROBOTS, UA).crawl_delay == 3.0
    assert parse_robots("User-agent: *\nCrawl-delay: 86400\n", UA).crawl_delay == MAX_CRAWL_DELAY
    assert parse_robots("User-agent: *\nDisallow: /x\n", UA).crawl_delay is None


def test_specific_group_beats_star() -> None:
    """A group naming our product token replaces the `*` group, crawl-delay included."""
    text = (
        "User-agent: *\nDisallow: /\nCrawl-delay: 9\n\n"
        "User-agent: news-ingest\nDisallow: /drafts/\n"
    )
    policy = parse_robots(text, UA)
    assert policy.allows("https://e.com/news/")
    assert not policy.allows("https://e.com/drafts/x")
    assert policy.crawl_delay is None


def test_groups_for_our_token_are_merged() -> None:
    """Two groups naming us both apply, and a group may list several agents."""
    text = (
        "User-agent: news-ingest\nDisallow: /a/\n\n"
        "User-agent: other\nUser-agent: NEWS-INGEST\nDisallow: /b/\n"
    )
    policy = parse_robots(text, UA)
    assert not policy.allows("https://e.com/a/1")
    assert not policy.allows("https://e.com/b/1")
    assert policy.allows("https://e.com/c/1")


def test_words_later_in_our_user_agent_do_not_match_groups() -> None:
    """Only the product token counts: "crawler" in the UA's comment is not our name."""
    policy = parse_robots("User-agent: crawler\nDisallow: /\n", UA)
    assert policy.allows("https://e.com/x")


def test_other_agents_rules_do_not_apply() -> None:
    """Rules for another crawler never restrict us."""
    policy = parse_robots("User-agent: other-bot\nDisallow: /\n", UA)
    assert policy.allows("https://e.com/anything")


def test_empty_and_garbage_allow_everything() -> None:
    """An empty or unreadable robots.txt allows everything."""
    assert parse_robots("", UA).allows("https://e.com/x")
    assert parse_robots("\x00\x01 not robots at all <html>", UA).allows("https://e.com/x")


def test_sitemaps_are_listed_once_in_order() -> None:
    """`Sitemap:` lines are site-wide: listed whatever the groups, in order, without repeats."""
    text = ROBOTS + "Sitemap: https://e.com/sitemap-news.xml\n"
    assert parse_robots(text, UA).sitemaps == (
        "https://e.com/sitemap-news.xml",
        "https://e.com/sitemap-index.xml",
    )
    assert parse_robots("User-agent: *\nDisallow:\n", UA).sitemaps == ()


def test_deny_all_still_allows_robots_txt() -> None:
    """The deny-all policy refuses pages but never robots.txt itself."""
    policy = RobotsPolicy.deny_all()
    assert not policy.allows("https://e.com/")
    assert not policy.allows("https://e.com/robots.txt.html")
    assert policy.allows("https://e.com/robots.txt")
    assert RobotsPolicy.allow_all().allows("https://e.com/anything")


def test_a_body_is_parsed_once_per_origin() -> None:
    """The same robots.txt body of one origin is parsed once; a changed body again."""
    POLICIES.clear()
    first = robots_policy("https://e.com", ROBOTS, UA)
    again = robots_policy("https://e.com", ROBOTS, UA)
    assert again is first
    assert POLICIES.parses == 1
    changed = robots_policy("https://e.com", "User-agent: *\nDisallow: /news/\n", UA)
    assert POLICIES.parses == 2
    assert not changed.allows("https://e.com/news/x")
    robots_policy("https://other.example", ROBOTS, UA)
    assert POLICIES.parses == 3


# --- what the status of the robots.txt fetch means (RFC 9309 2.3.1) ---------------------


def test_2xx_is_parsed_4xx_allows_everything() -> None:
    """A 200 robots.txt applies its rules; a 404 (or 401, 403) means no rules at all."""
    ok = robots_from(CachedRobots(200, "User-agent: *\nDisallow: /\n"), "https://e.com", UA, "")
    assert not ok.allows("https://e.com/a")
    for status in (401, 403, 404, 410):
        policy = robots_from(CachedRobots(status, ""), "https://e.com", UA, "https://e.com/a")
        assert policy.allows("https://e.com/a")


def test_5xx_or_unreachable_is_a_retryable_disallow_naming_the_cause() -> None:
    """Unreachable robots.txt: nothing is fetched now, the task retries, the error says why."""
    url = "https://e.com/a"
    with pytest.raises(UpstreamUnavailable, match=r"robots.txt unreachable: connection refused"):
        robots_from(CachedRobots(503, "", "connection refused"), "https://e.com", UA, url)
    with pytest.raises(UpstreamUnavailable, match=r"unreachable: server answered 500"):
        robots_from(CachedRobots(500, ""), "https://e.com", UA, url)


@pytest.mark.parametrize(
    ("backoff", "backoff_max", "attempts"), [(2.0, 300.0, 8), (0.3, 3.0, 4), (10.0, 12.0, 5)]
)
def test_error_ttl_is_shorter_than_every_retry_wait_after_the_first(
    backoff: float, backoff_max: float, attempts: int
) -> None:
    """The cached failure expires before any later retry is due, whatever the jitter."""
    ttl = robots_error_ttl(backoff, backoff_max)
    shortest_waits = [min(backoff * 2**attempt, backoff_max) / 2 for attempt in range(attempts)]
    assert all(ttl <= wait for wait in shortest_waits[1:])
    assert ttl < sum(shortest_waits)


def _robots_fetch(respond: httpx.MockTransport) -> CachedRobots:
    """What the crawler keeps of one robots.txt fetch (no Redis: the frontier is not used)."""
    source = Source("s", ("https://e.com/",), ("e.com",))
    # No frontier or page store: fetching robots.txt reaches neither.
    crawler = Crawler(Fetcher(UA, transport=respond), None, None, UA)  # type: ignore[arg-type]
    return crawler._fetch_robots("https://e.com", source)


def _answer(status: int, body: str = "") -> httpx.MockTransport:
    def serve(request: httpx.Request) -> httpx.Response:
        stream = httpx.ByteStream(body.encode())
        return httpx.Response(status, headers={"Content-Type": "text/plain"}, stream=stream)

    return httpx.MockTransport(serve)


def test_robots_fetch_outcomes_are_kept_with_their_cause() -> None:
    """200 keeps the body; 404 is "no rules"; 503 and a refused connection keep the cause."""
    body = "User-agent: *\nDisallow: /x\n"
    ok = _robots_fetch(_answer(200, body))
    assert (ok.status, ok.body) == (200, body)
    assert _robots_fetch(_answer(404)).status == 404
    busy = _robots_fetch(_answer(503))
    assert (busy.status, busy.error) == (503, "server answered 503")

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request) from ConnectionRefusedError(
            111, "Connection refused"
        )

    down = _robots_fetch(httpx.MockTransport(refuse))
    assert down.status >= 500
    assert down.error == "connection refused"


# --- robots meta tags and X-Robots-Tag ---------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta name="robots" content="noindex">', (True, False)),
        ("<meta name=ROBOTS content='NoIndex, NoFollow'>", (True, True)),
        ('<meta content="none" name="robots"/>', (True, True)),
        ('<meta name="news-ingest" content="nofollow">', (False, True)),
        ('<meta name="otherbot" content="noindex, nofollow">', (False, False)),
        ('<meta name="robots" content="index, follow, max-snippet:-1">', (False, False)),
        ('<meta name="description" content="noindex is a word here">', (False, False)),
        ('<meta name="robots" content="noindex"><meta name="robots" content="nofollow">',
         (True, True)),
    ],
)  # fmt: skip
def test_robots_meta_tags(head: str, expected: tuple[bool, bool]) -> None:
    """`robots` and our token as meta name; `none` is both; other crawlers' tags do not apply."""
    page = f"<html><head><title>t</title>{head}</head><body><p>x</p></body></html>"
    assert meta_directives(page, UA) == expected


def test_robots_meta_in_the_body_text_is_not_read() -> None:
    """Only the head is read: a page quoting a meta tag in its body is not noindex."""
    page = "<html><head></head><body><pre>&lt;meta&gt;</pre><meta name=robots content=noindex>"
    assert meta_directives(page, UA) == (False, False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, (False, False)),
        ("noindex", (True, False)),
        ("NOFOLLOW", (False, True)),
        ("none", (True, True)),
        ("noindex, nofollow", (True, True)),
        ("otherbot: noindex, nofollow", (False, False)),
        ("otherbot: noindex, news-ingest: nofollow", (False, True)),
        ("max-snippet: 20, noindex", (True, False)),
        ("unavailable_after: 25 Jun 2030 15:00:00 PST", (False, False)),
    ],
)
def test_x_robots_tag(value: str | None, expected: tuple[bool, bool]) -> None:
    """An agent prefix limits what follows to that agent; `max-snippet:` is no agent."""
    assert header_directives(value, UA) == expected


def test_page_directives_combine_meta_and_header() -> None:
    """Either source may restrict; the decision names where it came from."""
    page = '<head><meta name="robots" content="noindex"></head>'
    both = page_directives(page, "nofollow", UA)
    assert (both.noindex, both.nofollow, both.sources) == (True, True, ("meta", "header"))
    none = page_directives("<head></head>", None, UA)
    assert (none.noindex, none.nofollow, none.sources) == (False, False, ())
