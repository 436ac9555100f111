"""The parse stage: stored pages to index actions and links."""

from __future__ import annotations

import pytest

from workers.demosite import NewsSite
from workers.errors import ExtractionError
from workers.extract.text import looks_binary
from workers.parse import parse_stored_page
from workers.store import StoredPage, content_key

BASE = "http://news.test"


def _page(body: bytes, url: str, content_type: str = "text/html; charset=utf-8") -> StoredPage:
    return StoredPage(key=content_key(body), url=url, content_type=content_type, body=body)


def test_article_page_yields_article_and_teaser_actions() -> None:
    """An article page gives one article action (id from its canonical URL) and its teasers."""
    site = NewsSite(stories=5)
    story = site.stories()[1]
    page = _page(site.article(story, BASE).encode(), BASE + story.path)

    result = parse_stored_page(page, "demo")

    assert result.kind == "article"
    kinds = [action.kind for action in result.actions]
    assert kinds[0] == "articles"
    assert kinds.count("articles") == 1
    article = result.actions[0].doc
    assert article["title"] == story.headline
    assert article["source"] == "demo"
    assert article["content_hash"] == page.key
    assert story.marker in article["body"]
    teasers = [action.doc for action in result.actions if action.kind == "teasers"]
    assert {t["url"] for t in teasers} == {BASE + s.path for s in site.stories() if s != story}
    assert BASE + "/" in result.links


def test_feed_yields_links_only() -> None:
    """An RSS feed gives its items' links to crawl and nothing to index."""
    site = NewsSite(stories=3)
    page = _page(site.feed(BASE).encode(), BASE + "/feed.xml", "application/rss+xml")

    result = parse_stored_page(page, "demo")

    assert result.actions == []
    assert result.links == [BASE + s.path for s in site.stories()]


def test_binary_body_is_an_extraction_error() -> None:
    """Bytes that are not text raise ExtractionError instead of becoming a junk article."""
    page = _page(bytes(range(256)) * 64, BASE + "/image")
    with pytest.raises(ExtractionError, match="binary"):
        parse_stored_page(page, "demo")


@pytest.mark.parametrize(
    ("text", "binary"),
    [("<p>plain text</p>\n\t", False), ("", False), ("ab\x00\x01\x02\x03" * 10, True)],
)
def test_looks_binary(text: str, binary: bool) -> None:
    """Control characters beyond a small share mark a body as binary."""
    assert looks_binary(text) is binary
