"""robots.txt rules: groups, longest match, wildcards, crawl-delay."""

from __future__ import annotations

from workers.robots import RobotsPolicy, parse_robots

UA = "news-ingest/0.1 (+https://example.org)"

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


def test_crawl_delay_is_read() -> None:
    """Crawl-delay of the matching group is exposed in seconds."""
    assert parse_robots(ROBOTS, UA).crawl_delay == 3.0


def test_specific_group_beats_star() -> None:
    """A group naming our product token replaces the `*` group."""
    text = "User-agent: *\nDisallow: /\n\nUser-agent: news-ingest\nDisallow: /drafts/\n"
    policy = parse_robots(text, UA)
    assert policy.allows("https://e.com/news/")
    assert not policy.allows("https://e.com/drafts/x")


def test_other_agents_rules_do_not_apply() -> None:
    """Rules for another crawler never restrict us."""
    policy = parse_robots("User-agent: other-bot\nDisallow: /\n", UA)
    assert policy.allows("https://e.com/anything")


def test_empty_and_garbage_allow_everything() -> None:
    """An empty or unreadable robots.txt allows everything."""
    assert parse_robots("", UA).allows("https://e.com/x")
    assert parse_robots("\x00\x01 not robots at all <html>", UA).allows("https://e.com/x")


def test_deny_all_still_allows_robots_txt() -> None:
    """The deny-all policy refuses pages but never robots.txt itself."""
    policy = RobotsPolicy.deny_all()
    assert not policy.allows("https://e.com/")
    assert policy.allows("https://e.com/robots.txt")
