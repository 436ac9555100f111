"""Teaser blocks: cards that point to other stories, on listing pages and inside articles."""

from __future__ import annotations

from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag

from workers.models import Teaser


@dataclass(slots=True)
class TeaserScan:
    """Teasers found on a page and the DOM containers they came from."""

    teasers: list[Teaser] = field(default_factory=list)
    # Elements holding teaser blocks/cards; the article extractor leaves them out of the body.
    blocks: list[Tag] = field(default_factory=list)


def find_teasers(soup: BeautifulSoup, page_url: str) -> TeaserScan:
    """Find teaser blocks and cards on a parsed page without changing the tree.

    Placeholder until teaser detection lands: finds none.
    """
    return TeaserScan()
