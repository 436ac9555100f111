"""Teaser blocks: cards that point to other stories, on listing pages and inside articles."""

from __future__ import annotations

from bs4 import BeautifulSoup

from workers.extract.teasers.blocks import TeaserScan, assemble
from workers.extract.teasers.cards import find_cards
from workers.extract.teasers.stories import aggregate
from workers.extract.teasers.tree import Tree, index_page, resolve_page
from workers.extract.teasers.vocab import COMMERCE_MAX_SHARE
from workers.urls import normalize_url

__all__ = ["TeaserScan", "find_teasers", "scan_tree"]


def find_teasers(soup: BeautifulSoup, page_url: str) -> TeaserScan:
    """Find teaser blocks and cards on a parsed page without changing the tree.

    Cards are the largest elements around a story link that hold no other story's link;
    sibling cards under one parent form a block, widened to take in its heading.
    """
    return scan_tree(index_page(soup, page_url))


def scan_tree(tree: Tree) -> TeaserScan:
    """Find teaser blocks and cards in a page already flattened (by the page walk)."""
    if not tree.tags:
        return TeaserScan()
    page_url = tree.page_url
    resolve_page(tree)
    aggregate(tree)
    cards = find_cards(tree)
    commerce = sum(card.commerce for card in cards)
    if commerce <= COMMERCE_MAX_SHARE * len(cards):
        cards = [card for card in cards if not card.commerce]  # widgets beside the news
    if not cards:
        return TeaserScan()
    return assemble(tree, cards, normalize_url(page_url) or page_url)
