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


UA = "news-ingest/0.1 (+https://example.org)"


def _story(site: NewsSite, head: str = "") -> tuple[StoredPage, str]:
    story = site.stories()[1]
    html = site.article(story, BASE).replace("</head>", head + "</head>")
    return _page(html.encode(), BASE + story.path), story.path


def test_robots_noindex_meta_keeps_links_and_drops_documents() -> None:
    """`<meta name="robots" content="noindex">`: no article, no teasers; links still come."""
    site = NewsSite(stories=5)
    page, _ = _story(site, '<meta name="robots" content="noindex">')
    plain = parse_stored_page(_story(site)[0], "demo", user_agent=UA)

    result = parse_stored_page(page, "demo", user_agent=UA)

    assert plain.actions
    assert result.actions == []
    assert result.links == plain.links
    assert (result.robots.noindex, result.robots.nofollow) == (True, False)


def test_x_robots_tag_nofollow_keeps_documents_and_drops_links() -> None:
    """An X-Robots-Tag `nofollow` header: the documents are indexed, no link is followed."""
    site = NewsSite(stories=5)
    page, _ = _story(site)

    result = parse_stored_page(page, "demo", robots_tag="nofollow", user_agent=UA)

    assert [action.kind for action in result.actions].count("articles") == 1
    assert result.links == []
    assert result.robots.sources == ("header",)


def test_our_token_as_meta_name_and_none_mean_nothing_is_taken() -> None:
    """`<meta name="news-ingest" content="none">` is noindex and nofollow, for us only."""
    site = NewsSite(stories=5)
    page, _ = _story(site, '<meta name="news-ingest" content="none">')

    ours = parse_stored_page(page, "demo", user_agent=UA)
    other = parse_stored_page(page, "demo", user_agent="otherbot/2.0")

    assert (ours.actions, ours.links) == ([], [])
    assert other.actions
    assert other.links


def test_feeds_are_read_whatever_their_robots_header() -> None:
    """A feed served with `X-Robots-Tag: noindex, nofollow` still yields its items."""
    site = NewsSite(stories=3)
    page = _page(site.feed(BASE).encode(), BASE + "/feed.xml", "application/rss+xml")

    result = parse_stored_page(page, "demo", robots_tag="noindex, nofollow", user_agent=UA)

    assert result.links == [BASE + s.path for s in site.stories()]
