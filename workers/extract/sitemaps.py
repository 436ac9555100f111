"""Sitemaps: urlsets (with Google News and lastmod dates), sitemap indexes, robots.txt lines.

A Google News sitemap is a urlset whose `<url>` elements carry a `<news:news>` block with
the story's `news:title` and `news:publication_date`; any urlset may carry `<lastmod>`, the
time the page last changed. Both land on the entry (`published`, `updated`), so the crawl
stage can skip stories older than a source's `max_age` and pages unchanged since fetched.
"""

from __future__ import annotations

import re

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from workers.extract.feedxml import (
    Feed,
    FeedEntry,
    child,
    children,
    date,
    entry_list,
    plain,
    text,
    unique_urls,
)

_ROBOTS_SITEMAP = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def urlset(root: etree._Element, base: str) -> Feed:
    """A `<urlset>`: one entry per valid `<loc>`, first occurrence of each URL."""
    entries: list[FeedEntry] = []
    for node in children(root, "url"):
        urls = unique_urls([text(child(node, "loc"))], base)
        if not urls:
            continue
        news = child(node, "news")
        entries.append(
            FeedEntry(
                url=urls[0],
                title=plain(child(news, "title")),
                published=date(child(news, "publication_date")),
                updated=date(child(node, "lastmod")),
            )
        )
    return Feed("sitemap", base, None, entry_list(entries))


def sitemap_index(root: etree._Element, base: str) -> Feed:
    """A `<sitemapindex>`: its child sitemaps, resolved, without repeats; no entries."""
    locs = (text(child(node, "loc")) for node in children(root, "sitemap"))
    return Feed("sitemapindex", base, None, [], unique_urls(locs, base))


def robots_sitemaps(robots_txt: str, base: str | None = None) -> list[str]:
    """The `Sitemap:` URLs a robots.txt lists, normalised, in order, without repeats."""
    found = (match.group(1).split("#", 1)[0] for match in _ROBOTS_SITEMAP.finditer(robots_txt))
    return unique_urls(found, base)
