"""Blocks: sibling cards grouped under their container and heading, duplicates dropped."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from bs4 import Tag

from workers.extract.flags import EXCLUDED
from workers.extract.patterns import RELATED_LABEL
from workers.extract.teasers.cards import Card
from workers.extract.teasers.stories import site_of
from workers.extract.teasers.tree import Tree
from workers.extract.teasers.vocab import (
    BLOCK_MAX_OVERHEAD,
    BLOCK_TITLE_TOKENS,
    GRID_MIN_CARDS,
    GRID_OVERHEAD_PER_CARD,
    HEADING_ELEMENT_MAX_CHARS,
    HEADING_LOOKBACK,
    HEADING_MAX_CHARS,
    HEADING_MAX_LINKS,
    HEADING_MAX_STEPS,
    HEADING_MAX_WORDS,
    HEADINGS,
    LABEL_TRIM,
    LINKED_HEADING_MIN_CARDS,
    MIN_BLOCK_CARDS,
    PANE_MAX_DEPTH,
    PANE_TOKENS,
    STOP,
)
from workers.extract.text import clean_visible
from workers.models import Teaser


@dataclass(slots=True)
class TeaserScan:
    """Teasers found on a page and the DOM containers they came from."""

    teasers: list[Teaser] = field(default_factory=list)
    # Elements holding teaser blocks/cards; the article extractor leaves them out of the body.
    blocks: list[Tag] = field(default_factory=list)
    # Cards found before they are grouped into blocks: a card that no printed block keeps
    # (a lone card, a row of links to other sites) still shows the page is made of cards.
    cards: int = 0
    # Links the printed blocks hold, those to section and service pages among them: how
    # much of the page points elsewhere (kind evidence), not how many teasers it shows.
    block_links: int = 0


# --- blocks ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Totals:
    """Per-ancestor sums over the validated cards: text, primary links, h1s."""

    text: dict[int, int] = field(default_factory=dict)
    primaries: dict[int, int] = field(default_factory=dict)
    h1s: dict[int, int] = field(default_factory=dict)
    cards: dict[int, int] = field(default_factory=dict)
    paras: dict[int, int] = field(default_factory=dict)
    # card element indices in document order, and whether each card's headline is story-long
    starts: list[int] = field(default_factory=list)
    long: list[bool] = field(default_factory=list)


def _card_totals(tree: Tree, cards: list[Card]) -> _Totals:
    totals = _Totals()
    totals.starts = [card.idx for card in cards]
    totals.long = [not card.heading_like for card in cards]
    for card in cards:
        c = card.idx
        text, prim, h1, para = tree.text[c], tree.primaries[c], tree.h1s[c], tree.paras[c]
        node = c
        while node >= 0:
            totals.text[node] = totals.text.get(node, 0) + text
            totals.primaries[node] = totals.primaries.get(node, 0) + prim
            totals.h1s[node] = totals.h1s.get(node, 0) + h1
            totals.cards[node] = totals.cards.get(node, 0) + 1
            totals.paras[node] = totals.paras.get(node, 0) + para
            node = tree.parent[node]
    return totals


def _fits(tree: Tree, totals: _Totals, node: int, grid: bool = False) -> bool:
    """True when `node` holds little besides cards: no page title, no body of prose.

    With `grid`, node is the parent of its cards, and a grid of them may also hold a line
    printed beside each card (a price, a star count, a listing's second row), but no
    paragraph. Never when widening: an element above the cards that holds text besides
    them holds prose.
    """
    if node < 0 or tree.names[node] in STOP:
        return False
    if tree.h1s[node] > totals.h1s.get(node, 0):
        return False
    own = totals.text.get(node, 0)
    overhead = tree.text[node] - own
    if overhead <= BLOCK_MAX_OVERHEAD:
        return True
    cards = totals.cards.get(node, 0)
    if not grid or cards < GRID_MIN_CARDS or tree.paras[node] > totals.paras.get(node, 0):
        return False
    return overhead <= min(GRID_OVERHEAD_PER_CARD * cards, own)


def _heading_of(tree: Tree, totals: _Totals, j: int) -> str | None:
    """The text of element j when it reads as a block heading ("More For You")."""
    names, text = tree.names, tree.text
    if (tree.flags[j] & EXCLUDED and names[j] not in HEADINGS) or text[j] == 0 or tree.has_img[j]:
        return None
    if text[j] > (HEADING_ELEMENT_MAX_CHARS if tree.headings[j] else HEADING_MAX_CHARS):
        return None
    at = bisect_left(totals.starts, j)
    if at < len(totals.starts) and totals.starts[at] < tree.end[j] and totals.long[at]:
        return None  # a story card, not a heading
    head = j
    if names[j] not in HEADINGS and tree.headings[j]:
        head = next(k for k in range(j, tree.end[j]) if names[k] in HEADINGS)
    elif not (
        names[j] in HEADINGS
        or tree.tokens[j] & BLOCK_TITLE_TOKENS
        or names[j] in ("header", "legend", "strong", "b", "caption")
    ):
        head = -1
    links = sum(
        1 for k in range(j, tree.end[j]) if names[k] == "a" and not head <= k < tree.end[head]
    )
    if links > HEADING_MAX_LINKS:
        return None  # a tag list or tab bar
    heading = clean_visible(tree.tags[head if head >= 0 else j].get_text(" ")).strip(LABEL_TRIM)
    if not heading or len(heading) > HEADING_MAX_CHARS or heading.count(" ") >= HEADING_MAX_WORDS:
        return None
    if head < 0 and not RELATED_LABEL.match(heading):
        return None
    if heading.casefold() in tree.site_names:
        return None
    return heading


def _heading_before(tree: Tree, totals: _Totals, node: int, upto: int) -> str | None:
    """A heading among the nearest non-empty children of `node` that precede `upto`."""
    child = upto
    while child >= 0 and tree.parent[child] != node:
        child = tree.parent[child]
    seen = steps = 0
    j = tree.prev[child] if child >= 0 else -1
    while j >= 0 and steps < HEADING_MAX_STEPS:
        steps += 1
        if tree.text[j] or tree.headings[j]:
            heading = _heading_of(tree, totals, j)
            if heading is not None:
                return heading
            seen += 1
            if seen >= HEADING_LOOKBACK:
                break
        j = tree.prev[j]
    return None


def _aria_label(tree: Tree, node: int) -> str | None:
    if tree.names[node] not in ("section", "aside", "div", "ul", "ol"):
        return None
    label = tree.tags[node].attrs.get("aria-label")
    if isinstance(label, str):
        label = clean_visible(label)
        if 0 < len(label) <= HEADING_MAX_CHARS:
            return label
    return None


def _place(tree: Tree, totals: _Totals, start: int, first: int) -> tuple[int, str | None]:
    """Widen a group's start element to its block container; return it and its heading."""
    node = start
    name = _heading_before(tree, totals, start, first) if start != first else None
    while name is None:
        up = tree.parent[node]
        if up < 0:
            break
        name = _heading_before(tree, totals, up, node)
        if name is not None:
            if _fits(tree, totals, up):
                node = up
            break
        name = _aria_label(tree, node)
        if name is not None:
            break
        if not _fits(tree, totals, up) or tree.primaries[up] != totals.primaries.get(up, 0):
            break
        node = up
    return node, name


def assemble(tree: Tree, cards: list[Card], seen_on: str) -> TeaserScan:
    totals = _card_totals(tree, cards)
    by_parent: dict[int, list[Card]] = {}
    for card in cards:
        by_parent.setdefault(tree.parent[card.idx], []).append(card)
    blocks: dict[int, tuple[list[Card], list[str]]] = {}
    for parent_idx, group in by_parent.items():
        if parent_idx >= 0 and _fits(tree, totals, parent_idx, grid=True):
            starts = [(parent_idx, group)]
        else:
            starts = [(card.idx, [card]) for card in group]
        for start, members in starts:
            container, name = _place(tree, totals, start, members[0].idx)
            held, names = blocks.setdefault(container, ([], []))
            held.extend(members)
            if name:
                names.append(name)
    scan = TeaserScan(cards=len(cards))
    site = site_of(seen_on)
    printed: set[tuple[str | None, tuple[str, ...]]] = set()
    counted: set[tuple[str | None, tuple[str, ...]]] = set()
    outer_end = -1
    for container in sorted(blocks):
        members, names = blocks[container]
        unique = _unique(tree, container, members)
        if (
            len(unique) >= LINKED_HEADING_MIN_CARDS
            and unique[0].heading_like
            and tree.parent[unique[0].idx] != tree.parent[unique[1].idx]
        ):
            lead = unique.pop(0)  # the block's own linked heading
            names.append(lead.headline)
        labels = [card.label for card in unique if card.label]
        heading = names[0] if names else None
        related = bool(labels) or bool(heading and RELATED_LABEL.match(heading))
        if len(unique) < MIN_BLOCK_CARDS and not related:
            continue
        if not related and not any(card.image or site_of(card.url) == site for card in unique):
            continue  # bare links to other sites: sources or shop links, not story teasers
        if container >= outer_end:
            scan.blocks.append(tree.tags[container])
            outer_end = tree.end[container]
        block_name = heading or (labels[0] if labels else None)
        every = (block_name, tuple(card.url for card in unique))
        if every not in counted:
            counted.add(every)
            scan.block_links += len(unique)
        # a card leading to a section or service page shapes the block but is no teaser
        shown = [card for card in unique if not card.section]
        key = (block_name, tuple(card.url for card in shown))
        if not shown or key in printed:
            continue  # the same block again (responsive or carousel copies)
        printed.add(key)
        scan.teasers.extend(
            Teaser(
                headline=card.headline,
                url=card.url,
                seen_on=seen_on,
                position=position,
                summary=card.summary,
                image=card.image,
                block=block_name,
            )
            for position, card in enumerate(shown)
        )
    return scan


def _unique(tree: Tree, container: int, members: list[Card]) -> list[Card]:
    """Cards in document order, the first of each story URL in each tab pane."""
    unique: list[Card] = []
    seen: set[tuple[str, int]] = set()
    for card in sorted(members, key=lambda card: card.idx):
        key = (card.url, _pane_of(tree, container, card.idx))
        if key not in seen:
            seen.add(key)
            unique.append(card)
    return unique


def _pane_of(tree: Tree, container: int, node: int) -> int:
    """The tab pane (role=tabpanel, "tab-pane") holding a card inside its block, else -1."""
    steps = 0
    node = tree.parent[node]
    while node > container and steps < PANE_MAX_DEPTH:
        if tree.tokens[node] & PANE_TOKENS or tree.tags[node].attrs.get("role") == "tabpanel":
            return node
        node = tree.parent[node]
        steps += 1
    return -1
