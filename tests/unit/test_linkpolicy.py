"""The link policy: allow/deny patterns, the anti-trap limits, and the rule each decision names."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from workers.crawl import links_to_follow
from workers.linkpolicy import calendar_span, decide, followable
from workers.models import Source
from workers.sources import parse_sources

BASE = "https://news.example"
TODAY = date(2026, 12, 2)
CAL = "trap calendar_days: calendar date "


def _source(**options: Any) -> Source:
    spec = {"name": "s", "start_urls": [BASE + "/"], "max_depth": 3, **options}
    return parse_sources({"sources": [spec]})["s"]


def _decide(url: str, source: Source, **options: Any) -> tuple[bool, str]:
    followed, rule = decide(url, source, today=TODAY, **options)
    return followed, rule


def test_deny_patterns_refuse_matching_links_and_name_the_pattern() -> None:
    """A link whose path + query matches a deny pattern is not followed; the rule says which."""
    source = _source(deny=["^/tag/", r"[?&]share="])
    assert _decide(BASE + "/tag/politics", source) == (False, "deny: pattern '^/tag/' matches")
    assert _decide(BASE + "/world/a?share=x", source) == (
        False,
        "deny: pattern '[?&]share=' matches",
    )
    followed, rule = _decide(BASE + "/world/tag/a", source)
    assert followed is True
    assert rule.startswith("followed")


def test_allow_patterns_keep_only_matching_links() -> None:
    """With allow set, a link matching none of its patterns is not followed."""
    source = _source(allow=["^/news/", "^/world/"])
    assert _decide(BASE + "/news/a.html", source) == (True, "allow: pattern '^/news/' matches")
    assert _decide(BASE + "/world/b", source) == (True, "allow: pattern '^/world/' matches")
    followed, rule = _decide(BASE + "/about/team", source)
    assert followed is False
    assert rule == "allow: no pattern matches ('^/news/', '^/world/')"


def test_deny_wins_over_allow() -> None:
    """A link matching both an allow and a deny pattern is not followed."""
    source = _source(allow=["^/news/"], deny=["/comments$"])
    assert _decide(BASE + "/news/a/comments", source) == (
        False,
        "deny: pattern '/comments$' matches",
    )
    assert _decide(BASE + "/news/a", source)[0] is True


def test_patterns_see_the_query_but_not_the_host() -> None:
    """Patterns are searched in path + query: a query parameter matches, the host name not."""
    source = _source(deny=["example", r"\?print=1"])
    assert _decide(BASE + "/world/a", source)[0] is True
    assert _decide(BASE + "/world/a?print=1", source)[0] is False


def test_child_sitemaps_need_no_allow_pattern_but_obey_deny() -> None:
    """A sitemap index's children are followed without matching allow; deny still applies."""
    source = _source(allow=["^/news/"], deny=["sitemap-old"])
    hops = links_to_follow(
        [BASE + "/news/a", BASE + "/other"],
        [BASE + "/sitemap-2.xml", BASE + "/sitemap-old.xml"],
        0,
        source,
    )
    assert [url for url, _ in hops] == [BASE + "/news/a", BASE + "/sitemap-2.xml"]


def test_domain_and_extension_rules_are_named() -> None:
    """Links off the source's domains or to files say which rule refused them."""
    source = _source()
    assert _decide("https://other.example/a", source) == (
        False,
        "domain: other.example is not in allowed_domains (news.example)",
    )
    assert _decide(BASE + "/a/report.PDF", source) == (
        False,
        "extension: .pdf files are not followed",
    )
    assert followable(BASE + "/v1.2/story", source) is True


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        (BASE + "/" + "a" * 2100, "trap max_url_length: 2121 characters > 2048"),
        (BASE + "/s?a=1&b=2&c=3&d=4&e=5&f=6&g=7", "trap max_query_params: 7 parameters > 6"),
        (BASE + "/x/y/x/y/x/story", "trap max_segment_repeats: 'x' occurs 3 times > 2"),
        (BASE + "/world/?page=6", "trap max_page: page 6 > 5"),
        (BASE + "/world/page/12/", "trap max_page: page 12 > 5"),
        (BASE + "/world/page-9", "trap max_page: page 9 > 5"),
        (BASE + "/blog/?paged=7", "trap max_page: page 7 > 5"),
        (BASE + "/calendar/2026/12/04/", CAL + "2026-12-04 is in the future"),
        (BASE + "/calendar/2026/10/01", CAL + "2026-10-01 is 62 days back > 31"),
        (BASE + "/archive/2026-09", CAL + "2026-09-30 is 63 days back > 31"),
        (BASE + "/events?date=2027-01-05", CAL + "2027-01-05 is in the future"),
        (BASE + "/events?year=2025&month=3", CAL + "2025-03-31 is 611 days back > 31"),
        (BASE + "/archive/20260101/index.html", CAL + "2026-01-01 is 335 days back > 31"),
    ],
)  # fmt: skip
def test_each_trap_limit_refuses_with_its_name(url: str, rule: str) -> None:
    """Each anti-trap limit refuses a URL beyond its default bound and says so."""
    assert _decide(url, _source()) == (False, rule)


@pytest.mark.parametrize(
    "url",
    [
        BASE + "/s?a=1&b=2&c=3&d=4&e=5&f=6",
        BASE + "/x/y/x/y/story",
        BASE + "/world/?page=5",
        BASE + "/world/page/2/",
        BASE + "/calendar/2026/12/03/",
        BASE + "/calendar/2026/11/01",
        BASE + "/archive/2026-11",
        BASE + "/2024/05/17/old-story-slug.html",
        BASE + "/2019/01/story.html",
        BASE + "/story/12345/2",
    ],
)
def test_urls_within_the_trap_limits_are_followed(url: str) -> None:
    """At the bound, or with a date that belongs to an article's slug, a link is followed."""
    assert _decide(url, _source())[0] is True, _decide(url, _source())


def test_trap_limits_are_configurable_and_zero_switches_one_off() -> None:
    """`traps:` sets any limit; the others keep their defaults; 0 turns a limit off."""
    source = _source(traps={"max_page": 0, "calendar_days": 400, "max_query_params": 1})
    assert source.traps.max_url_length == 2048
    assert _decide(BASE + "/world/?page=600", source)[0] is True
    assert _decide(BASE + "/calendar/2026/01/01", source)[0] is True
    assert _decide(BASE + "/s?a=1&b=2", source) == (
        False,
        "trap max_query_params: 2 parameters > 1",
    )


def test_traps_apply_to_allowed_links() -> None:
    """A link that an allow pattern admits is still refused by a trap limit."""
    source = _source(allow=["^/calendar/"])
    followed, rule = _decide(BASE + "/calendar/2020/01/01", source)
    assert followed is False
    assert rule.startswith("trap calendar_days")


def test_calendar_span_reads_days_months_and_years() -> None:
    """A trailing date gives its first and last day; ids and slugs give none."""
    assert calendar_span(["2026", "02"], []) == (date(2026, 2, 1), date(2026, 2, 28))
    assert calendar_span(["archive", "2025"], []) == (date(2025, 1, 1), date(2025, 12, 31))
    assert calendar_span(["2026", "13"], []) is None
    assert calendar_span(["news", "123456"], []) is None
    assert calendar_span(["2026", "12", "01", "story"], []) is None
