"""Which element holds the story: furniture set aside, paragraphs clustered, the cluster widened."""

from __future__ import annotations

from dataclasses import dataclass

from workers.extract.dom import Block, Node, Page
from workers.extract.flags import (
    CAPTION,
    HIDDEN,
    JUNK,
    POSITIVE,
    STRUCTURAL_JUNK,
    TEASER,
)
from workers.extract.markup import attr_text
from workers.extract.patterns import COMMENT_BOX

# A block this heavy (Latin-equivalent characters) with few links reads like prose.
PROSE_MIN_WEIGHT = 50
PROSE_MAX_LINK_DENSITY = 0.35
# A junk-looking element holding this share of the page's prose is a wrapper, not junk.
WRAPPER_SHARE = 0.5
# An element marked as the article body with this share of the prose shields its ancestors.
POSITIVE_CORE_SHARE = 0.2
# Inside that element, a furniture-named box holding this much prose (characters of prose
# blocks) is a chapter of the story, not furniture.
CORE_CHAPTER_PROSE = 600
# Paragraph clustering: which ancestors a paragraph scores, and how much each level gets.
LOCAL_MIN_WEIGHT = 25
LOCAL_LEVELS = 5
_LEVEL_DIVIDERS = (1.0, 2.0, 6.0, 9.0, 12.0)
# Widening the container: furniture costs this many characters of prose per character.
NOISE_PENALTY = 2.0
OTHER_NOISE = 0.5
POSITIVE_BONUS = 1.15
_SOFT_EXCLUDE = JUNK | STRUCTURAL_JUNK | TEASER
_HARD_EXCLUDE = HIDDEN | CAPTION


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
    core = _story_core(page, prose, total)
    protected = _ancestors(page, core)
    core_end = nodes[core].end if core >= 0 else -1
    excluded = [False] * len(nodes)
    for index, node in enumerate(nodes):
        if node.parent >= 0 and excluded[node.parent]:
            excluded[index] = True
            continue
        flags = node.flags
        if flags & _HARD_EXCLUDE:
            excluded[index] = True
        elif index in protected:
            continue
        elif flags & TEASER:
            # Teaser blocks never become the story, however much text they hold.
            excluded[index] = True
        elif flags & _SOFT_EXCLUDE:
            # Inside the story's own container a furniture-like wrapper ("content-nav-section")
            # is weighed against the story, not the whole page.
            inside = core < index < core_end
            scope = prose[core] if inside else total
            # A chapter of the story under a furniture-like name ("toc-para") stays.
            chapter = inside and prose[index] >= CORE_CHAPTER_PROSE and not _comment_box(node)
            excluded[index] = prose[index] < WRAPPER_SHARE * scope and not chapter
    return excluded


def hidden_nodes(page: Page) -> list[bool]:
    """Per element: is it hidden or a caption (furniture by markup alone, never by name)?

    The second look at a page that declares an article but whose story the furniture
    names took down with it (a story wrapped in a box named like a teaser or a sidebar).
    """
    excluded = [False] * len(page.nodes)
    for index, node in enumerate(page.nodes):
        parent_out = node.parent >= 0 and excluded[node.parent]
        excluded[index] = parent_out or bool(node.flags & _HARD_EXCLUDE)
    return excluded


def _comment_box(node: Node) -> bool:
    """An element whose class or id names comments or replies."""
    classes = node.tag.get("class")
    ident = node.tag.get("id")
    text = attr_text(classes)
    if isinstance(ident, str):
        text = f"{text} {ident}"
    return bool(COMMENT_BOX.search(text.lower()))


def _story_core(page: Page, prose: list[int], total: int) -> int:
    """The element marked as the article body (articleBody, .article-body) that holds the story.

    The richest such element wins; a marked element inside it that still holds a fair share of
    the page's prose is closer to the story and wins over it (a page-wide "main-content" around
    an "article-text"). -1 when no marked element holds enough prose.
    """
    threshold = POSITIVE_CORE_SHARE * total
    best, best_end, richest = -1, -1, threshold
    for index, node in enumerate(page.nodes):
        if not node.flags & POSITIVE or node.flags & _HARD_EXCLUDE or prose[index] <= threshold:
            continue
        if best < index < best_end:
            best, best_end = index, node.end
        elif prose[index] > richest:
            best, best_end, richest = index, node.end, prose[index]
    return best


def _ancestors(page: Page, node: int) -> set[int]:
    """The element and its ancestors.

    Layout wrappers around the story sometimes carry furniture-like names ("sidebar-grid");
    they must not take the story down with them.
    """
    protected: set[int] = set()
    while node >= 0:
        protected.add(node)
        node = page.nodes[node].parent
    return protected


def _paragraph_score(block: Block) -> float:
    """Readability-style weight of one paragraph: longer and comma-rich reads more like prose."""
    commas = block.text.count(",") + block.text.count("\u3001") + block.text.count("\uff0c")
    return 1.0 + commas + min(block.weight // 100, 3)


def _local_best(page: Page, excluded: list[bool], link_share: list[float]) -> int | None:
    """The element most paragraphs hang from: each paragraph scores its nearest ancestors."""
    nodes = page.nodes
    score = [0.0] * len(nodes)
    for block in page.blocks:
        if excluded[block.node] or block.heading or block.weight < LOCAL_MIN_WEIGHT:
            continue
        if block.link_weight * 2 > block.weight:
            continue
        value = _paragraph_score(block)
        ancestor = nodes[block.node].parent
        for level in range(LOCAL_LEVELS):
            if ancestor < 0:
                break
            score[ancestor] += value / _LEVEL_DIVIDERS[level]
            ancestor = nodes[ancestor].parent
    best: int | None = None
    best_score = 0.0
    for index, value in enumerate(score):
        if value and not excluded[index]:
            adjusted = value * (1.0 - link_share[index])
            if adjusted > best_score:
                best, best_score = index, adjusted
    return best


@dataclass(slots=True)
class Sums:
    """Per element, text weight in its subtree outside furniture: prose, link text, the rest."""

    prose: list[int]
    links: list[int]
    other: list[int]

    def total(self, index: int) -> int:
        """All visible text weight under the element."""
        return self.prose[index] + self.links[index] + self.other[index]


def subtree_sums(page: Page, excluded: list[bool]) -> Sums:
    """Bottom-up text sums for every element (one pass over blocks, one over elements)."""
    nodes = page.nodes
    prose = [0] * len(nodes)
    links = [0] * len(nodes)
    other = [0] * len(nodes)
    for block in page.blocks:
        if excluded[block.node]:
            continue
        links[block.node] += block.link_weight
        if is_prose(block):
            prose[block.node] += block.weight
        else:
            other[block.node] += block.weight - block.link_weight
    for index in range(len(nodes) - 1, -1, -1):
        parent = nodes[index].parent
        if parent >= 0:
            prose[parent] += prose[index]
            links[parent] += links[index]
            other[parent] += other[index]
    return Sums(prose, links, other)


def choose_container(page: Page, excluded: list[bool], sums: Sums) -> int | None:
    """The element holding the story: the local paragraph cluster, widened while that pays.

    Starting from the element most paragraphs hang from, every ancestor is weighed by the prose
    it holds against the link text and other furniture it would drag in; the best one wins.
    """
    nodes = page.nodes
    if not nodes:
        return None
    prose, links, other = sums.prose, sums.links, sums.other
    link_share = [
        links[i] / (prose[i] + links[i] + other[i]) if links[i] else 0.0 for i in range(len(nodes))
    ]
    start = _local_best(page, excluded, link_share)
    if start is None:
        return None
    best, best_score = start, float("-inf")
    ancestor = start
    while ancestor >= 0 and not excluded[ancestor]:
        value = prose[ancestor] - NOISE_PENALTY * (links[ancestor] + OTHER_NOISE * other[ancestor])
        if value > 0 and nodes[ancestor].flags & POSITIVE:
            value *= POSITIVE_BONUS
        if value > best_score:
            best, best_score = ancestor, value
        ancestor = nodes[ancestor].parent
    return best
