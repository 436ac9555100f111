"""Pure extraction: an HTML string and its URL in, typed records out. No Celery, no I/O."""

from __future__ import annotations

from workers.models import Article, Image, PageExtraction, Teaser

__all__ = ["Article", "Image", "PageExtraction", "Teaser", "extract"]


def extract(html: str, url: str) -> PageExtraction:
    """Extract the article, teasers and links of one page.

    Placeholder until the extraction core lands: reports the page as unextracted.
    """
    return PageExtraction(kind="other", url=url, reason="extractor not implemented")
