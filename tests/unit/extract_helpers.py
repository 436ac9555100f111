"""Helpers shared by the extraction tests."""

from __future__ import annotations

from workers.extract import extract


def story_body(html: str, url: str) -> str:
    """The body of a page that must come out as an article."""
    page = extract(html, url)
    assert page.kind == "article", page.reason
    assert page.article is not None
    return page.article.body
