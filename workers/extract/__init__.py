"""Pure extraction: an HTML string and its URL in, typed records out. No Celery, no I/O."""

from __future__ import annotations

from workers.extract.core import extract
from workers.extract.rules import SiteRule, SiteRules, load_site_rules, parse_site_rules
from workers.models import Article, Image, PageExtraction, Teaser

__all__ = [
    "Article",
    "Image",
    "PageExtraction",
    "SiteRule",
    "SiteRules",
    "Teaser",
    "extract",
    "load_site_rules",
    "parse_site_rules",
]
