"""Main-content detection: pick the element that holds the story, then keep its prose blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workers.extract.dom import Block, Node, Page
from workers.extract.flags import (
    BYLINE,
    CAPTION,
    DATELINE,
    HIDDEN,
    JUNK,
    POSITIVE,
    STRUCTURAL_JUNK,
    TEASER,
)
from workers.extract.markup import attr_text
from workers.extract.patterns import BOILERPLATE_LINE, COMMENT_BOX, PAYWALL_LINE
from workers.extract.text import fold

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
# A picture's frame holding at most this much text is a caption box.
MEDIA_BOX_WEIGHT = 300
_MAX_MEDIA_BOX_DEPTH = 32
_TEXT_ELEMENTS = frozenset({"p", "li", "td", "blockquote", "h2", "h3", "h4", "h5", "h6"})
DATELINE_MAX_CHARS = 90
_DATEISH = re.compile(r"\d{1,2}[:.h]\d{2}\b|\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\b(?:19|20)\d{2}\b")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
# Blocks with more link text than this inside the body are link lists, not paragraphs.
BODY_MAX_LINK_DENSITY = 0.5
_FEW_LINKS = 2
SHORT_BOILERPLATE_WEIGHT = 160
# Table cells up to this weight join their row's line; heavier cells are layout, not data.
MAX_CELL_WEIGHT = 300
_CELL_TAGS = frozenset({"td", "th"})
PAYWALL_NOTICE_WEIGHT = 250
_SOFT_EXCLUDE = JUNK | STRUCTURAL_JUNK | TEASER
_HARD_EXCLUDE = HIDDEN | CAPTION


@dataclass(slots=True)
class BodyResult:
    """The chosen container, the blocks kept as the body, and what was set aside."""

    container: int | None
    blocks: list[Block] = field(default_factory=list)
    # Text of byline-like blocks met near the body, for author extraction.
    bylines: list[str] = field(default_factory=list)
    # Text of dateline-like blocks set aside ("Posted 14/05/2023 18:40"), for the date.
    datelines: list[str] = field(default_factory=list)
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


def _media_boxes(page: Page, container: int, sums: Sums) -> list[tuple[int, int]]:
    """Element ranges that frame a picture with a little text: captions and credits."""
    nodes = page.nodes
    end = nodes[container].end
    boxes: list[tuple[int, int]] = []
    for image in page.images:
        if not container < image < end or (boxes and image < boxes[-1][1]):
            continue
        box = -1
        ancestor = nodes[image].parent
        for _ in range(_MAX_MEDIA_BOX_DEPTH):
            if ancestor <= container or sums.total(ancestor) > MEDIA_BOX_WEIGHT:
                break
            if nodes[ancestor].name in _TEXT_ELEMENTS:
                break
            box = ancestor
            ancestor = nodes[ancestor].parent
        if box >= 0 and sums.total(box):
            boxes.append((box, nodes[box].end))
    return boxes


def select_blocks(
    page: Page,
    container: int,
    excluded: list[bool],
    title: str | None,
    sums: Sums,
    headline: int | None,
) -> BodyResult:
    """Blocks of the container that belong to the story, in document order.

    When the headline sits inside the container, what precedes it (kickers, breadcrumbs,
    labels) is not story text.
    """
    result = BodyResult(container=container, excluded=excluded)
    title_key = fold(title) if title else ""
    title_length = len(title) if title else 0
    nodes = page.nodes
    end = nodes[container].end
    start = container
    if headline is not None and container < headline < end:
        start = headline if _prose_mostly_after(page, container, headline, end) else container
    boxes = _media_boxes(page, container, sums)
    box = 0
    kept: list[Block] = []
    for block in page.blocks:
        if block.node < start or block.node >= end or excluded[block.node]:
            continue
        while box < len(boxes) and boxes[box][1] <= block.node:
            box += 1
        if box < len(boxes) and boxes[box][0] <= block.node:
            continue
        context = nodes[block.node].context
        if context & (BYLINE | DATELINE) and not is_prose(block):
            if context & BYLINE:
                result.bylines.append(block.text)
            else:
                result.datelines.append(block.text)
            continue
        if block.heading == 1 or (
            title_key and abs(len(block.text) - title_length) < 20 and fold(block.text) == title_key
        ):
            continue
        if not block.heading and is_link_list(block):
            continue
        if BOILERPLATE_LINE.match(block.text) and (
            block.weight < SHORT_BOILERPLATE_WEIGHT or block.link_weight
        ):
            continue
        if block.weight < PAYWALL_NOTICE_WEIGHT and PAYWALL_LINE.search(block.text):
            continue
        if not block.heading and is_dateline(block.text):
            result.datelines.append(block.text)
            continue
        kept.append(block)
    while kept and kept[-1].heading:
        kept.pop()
    result.blocks = merge_table_rows(page, kept)
    return result


def _prose_mostly_after(page: Page, start: int, headline: int, end: int) -> bool:
    """Does the container's prose follow the headline?

    An <h1> in a box near the end of the story ("A message from our founder") is no headline
    to start the body from.
    """
    before = after = 0
    for block in page.blocks:
        if start <= block.node < end and is_prose(block):
            if block.node < headline:
                before += block.weight
            else:
                after += block.weight
    return after >= before


def merge_table_rows(page: Page, blocks: list[Block]) -> list[Block]:
    """Join the cells of one table row into one line ("Stove | Weight | Boil time").

    Only short cells that are the row's own children merge; a layout table whose cells hold
    whole paragraphs keeps its blocks as they are.
    """
    nodes = page.nodes
    out: list[Block] = []
    row_of_last = -1
    for block in blocks:
        node = nodes[block.node]
        row = node.parent if node.name in _CELL_TAGS and block.weight <= MAX_CELL_WEIGHT else -1
        if row >= 0 and nodes[row].name != "tr":
            row = -1
        last = out[-1] if out else None
        if row >= 0 and row == row_of_last and last is not None and last.node != block.node:
            out[-1] = Block(
                row,
                f"{last.text} | {block.text}",
                last.weight + block.weight,
                last.link_weight + block.link_weight,
                0,
                last.bold_weight + block.bold_weight,
                last.in_list,
                last.link_count + block.link_count,
            )
            continue
        out.append(block)
        row_of_last = row
    return out


def is_link_list(block: Block) -> bool:
    """A block that points elsewhere: one headline-sized link, or a list item of links.

    Paragraphs that merely link several names or places stay (their links are short).
    """
    if block.link_weight <= BODY_MAX_LINK_DENSITY * block.weight:
        return False
    return block.in_list or block.link_count <= _FEW_LINKS


def is_dateline(text: str) -> bool:
    """A short line that is mostly a date or time: 'Stand: 08.07.2026 05:00 Uhr'."""
    if len(text) > DATELINE_MAX_CHARS or not _DATEISH.search(text):
        return False
    words = _LETTER_WORD.findall(text)
    limit = 3 if text.rstrip().endswith(".") else 5
    return len(words) <= limit
