"""Main-content detection: pick the element that holds the story, then keep its prose blocks."""

from __future__ import annotations

from dataclasses import dataclass, field

from workers.extract.dom import Block, Page
from workers.extract.patterns import (
    BOILERPLATE_LINE,
    BYLINE,
    CAPTION,
    HIDDEN,
    JUNK,
    POSITIVE,
    STRUCTURAL_JUNK,
    TEASER,
)
from workers.extract.text import fold

# A block this heavy (Latin-equivalent characters) with few links reads like prose.
PROSE_MIN_WEIGHT = 50
PROSE_MAX_LINK_DENSITY = 0.35
# A junk-looking element holding this share of the page's prose is a wrapper, not junk.
WRAPPER_SHARE = 0.5
TEASER_WRAPPER_SHARE = 0.7
# Blocks with more link text than this inside the body are link lists, not paragraphs.
BODY_MAX_LINK_DENSITY = 0.5
SHORT_BOILERPLATE_WEIGHT = 160
_SOFT_EXCLUDE = JUNK | STRUCTURAL_JUNK | TEASER
_HARD_EXCLUDE = HIDDEN | CAPTION


@dataclass(slots=True)
class BodyResult:
    """The chosen container, the blocks kept as the body, and what was set aside."""

    container: int | None
    blocks: list[Block] = field(default_factory=list)
    # Text of byline-like blocks met near the body, for author extraction.
    bylines: list[str] = field(default_factory=list)
    excluded: list[bool] = field(default_factory=list)


def is_prose(block: Block) -> bool:
    """A block long enough and link-poor enough to be a paragraph of the story."""
    return (
        block.weight >= PROSE_MIN_WEIGHT
        and block.link_weight <= PROSE_MAX_LINK_DENSITY * block.weight
        and not block.heading
    )


def excluded_nodes(page: Page) -> list[bool]:
    """Per element: does it sit in furniture (after sparing wrappers that hold the story)?"""
    nodes = page.nodes
    prose = [0] * len(nodes)
    for block in page.blocks:
        if is_prose(block):
            prose[block.node] += block.weight
    for index in range(len(nodes) - 1, -1, -1):
        parent = nodes[index].parent
        if parent >= 0:
            prose[parent] += prose[index]
    total = sum(prose[index] for index, node in enumerate(nodes) if node.parent < 0) or 1
    excluded = [False] * len(nodes)
    for index, node in enumerate(nodes):
        if node.parent >= 0 and excluded[node.parent]:
            excluded[index] = True
            continue
        flags = node.flags
        if flags & _HARD_EXCLUDE:
            excluded[index] = True
        elif flags & _SOFT_EXCLUDE:
            limit = TEASER_WRAPPER_SHARE if flags & TEASER else WRAPPER_SHARE
            excluded[index] = prose[index] < limit * total
    return excluded


def _block_value(block: Block) -> float:
    if is_prose(block):
        return float(block.weight)
    if block.link_weight * 2 > block.weight:
        return -float(block.weight)
    return -0.25 * block.weight


def choose_container(page: Page, excluded: list[bool]) -> int | None:
    """The element whose subtree best separates story prose from everything else."""
    nodes = page.nodes
    if not nodes:
        return None
    score = [0.0] * len(nodes)
    for block in page.blocks:
        if not excluded[block.node]:
            score[block.node] += _block_value(block)
    for index in range(len(nodes) - 1, -1, -1):
        parent = nodes[index].parent
        if parent >= 0:
            score[parent] += score[index]
    best: int | None = None
    best_score = 0.0
    for index, node in enumerate(nodes):
        if excluded[index]:
            continue
        value = score[index]
        if value > 0 and node.flags & POSITIVE:
            value *= 1.15
        if value > best_score:
            best, best_score = index, value
    return best


def select_blocks(
    page: Page, container: int, excluded: list[bool], title: str | None
) -> BodyResult:
    """Blocks of the container that belong to the story, in document order."""
    result = BodyResult(container=container, excluded=excluded)
    title_key = fold(title) if title else ""
    nodes = page.nodes
    end = nodes[container].end
    kept: list[Block] = []
    for block in page.blocks:
        if block.node < container or block.node >= end or excluded[block.node]:
            continue
        context = nodes[block.node].context
        if context & BYLINE and not is_prose(block):
            result.bylines.append(block.text)
            continue
        if block.heading == 1 or (title_key and fold(block.text) == title_key):
            continue
        if block.link_weight > BODY_MAX_LINK_DENSITY * block.weight and not block.heading:
            continue
        if BOILERPLATE_LINE.match(block.text) and (
            block.weight < SHORT_BOILERPLATE_WEIGHT or block.link_weight
        ):
            continue
        kept.append(block)
    while kept and kept[-1].heading:
        kept.pop()
    result.blocks = kept
    return result
