"""The crawl stage's policy as plain functions: which links a parsed page follows, when a
busy host is tried again. No Redis, no sockets."""

from __future__ import annotations

import pytest

from workers.crawl import Busy, links_to_follow
from workers.models import Source

BASE = "https://news.example"


def _source(**options: object) -> Source:
    spec: dict[str, object] = {
        "name": "s",
        "start_urls": (BASE + "/",),
        "allowed_domains": ("news.example",),
        "max_depth": 2,
        **options,
    }
    return Source(**spec)  # type: ignore[arg-type]


def test_links_go_one_level_deeper_and_sitemaps_keep_their_depth() -> None:
    """Ordinary links cost a level; same-depth links (child sitemaps) cost none."""
    hops = links_to_follow(
        [BASE + "/a", BASE + "/b"], [BASE + "/sitemap-2.xml"], 1, _source(max_depth=2)
    )
    assert hops == [(BASE + "/a", 2), (BASE + "/b", 2), (BASE + "/sitemap-2.xml", 1)]


def test_links_stop_at_max_depth_but_child_sitemaps_do_not() -> None:
    """A page at max_depth sends no ordinary link; a sitemap index still reaches its children."""
    hops = links_to_follow([BASE + "/a"], [BASE + "/sitemap-2.xml"], 2, _source(max_depth=2))
    assert hops == [(BASE + "/sitemap-2.xml", 2)]


def test_links_outside_the_source_or_to_files_are_not_followed() -> None:
    """Other domains and obvious files (images, PDFs, scripts) stay out of the frontier."""
    links = [
        "https://elsewhere.example/story",
        BASE + "/photo.JPG",
        BASE + "/report.pdf",
        BASE + "/app.js",
        BASE + "/2024/05/story.html",
        "https://sub.news.example/story",
    ]
    hops = links_to_follow(links, [], 0, _source())
    assert [url for url, _ in hops] == [
        BASE + "/2024/05/story.html",
        "https://sub.news.example/story",
    ]


def test_each_link_is_sent_once_per_page() -> None:
    """A URL linked many times on one page (nav, teaser, footer) becomes one hop."""
    hops = links_to_follow([BASE + "/a", BASE + "/a", BASE + "/b", BASE + "/a"], [], 0, _source())
    assert hops == [(BASE + "/a", 1), (BASE + "/b", 1)]


def test_reserved_slot_comes_back_exactly_on_time() -> None:
    """A task holding a reserved slot comes back when the slot starts, with no jitter."""
    assert Busy(wait=7.5, reserved=True).come_back_in(_source(delay=3.0)) == 7.5


@pytest.mark.parametrize("delay", [0.0, 4.0])
def test_unreserved_wait_is_jittered_by_at_most_one_delay(delay: float) -> None:
    """Tasks waiting on a busy host spread over one delay (at least a second) after the wait."""
    busy = Busy(wait=10.0, reserved=False)
    waits = [busy.come_back_in(_source(delay=delay)) for _ in range(200)]
    assert min(waits) >= 10.0
    assert max(waits) <= 10.0 + max(delay, 1.0)
    assert len(set(waits)) > 1
