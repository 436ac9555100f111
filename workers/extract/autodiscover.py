"""Feed autodiscovery: the RSS and Atom feeds a page announces with `<link rel="alternate">`."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from workers.urls import normalize_url

# The media types of the feeds workers.extract.feeds reads.
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})


def announced_feeds(soup: BeautifulSoup, url: str) -> list[str]:
    """Absolute URLs of the feeds the page announces, in page order, each once.

    A `<link>` counts when its `rel` includes `alternate` and its `type` is a feed type
    (any case, parameters such as `; charset=utf-8` ignored); relative `href`s resolve
    against the page URL. Only the `<head>` is searched when there is one (a `<link>` in
    the body is missed): on the 116 devset pages it holds every announced feed, at a
    quarter to a seventh of the cost of the whole tree (benchmarks/autodiscover_bench.py).
    """
    return feeds_in(soup.head if soup.head is not None else soup, url)


def feeds_in(scope: Tag, url: str) -> list[str]:
    """The feeds announced by `<link>` elements under `scope` (see announced_feeds)."""
    found: list[str] = []
    for link in scope.find_all("link", href=True):
        if not isinstance(link, Tag):
            continue
        rel = link.get("rel")
        rels = rel.split() if isinstance(rel, str) else list(rel or [])
        if "alternate" not in {str(value).lower() for value in rels}:
            continue
        kind = str(link.get("type") or "").split(";", 1)[0].strip().lower()
        if kind not in FEED_TYPES:
            continue
        feed = normalize_url(str(link.get("href") or ""), url)
        if feed is not None and feed not in found:
            found.append(feed)
    return found
