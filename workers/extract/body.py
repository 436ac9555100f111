"""The story's blocks: what of the chosen container is kept as the body, and what is set aside.

The container itself is chosen in `workers.extract.container`; its entry points are
re-exported here, so the extractor reads the whole body stage from one module.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from workers.extract.container import (
    Sums,
    choose_container,
    excluded_nodes,
    hidden_nodes,
    is_prose,
    subtree_sums,
)
from workers.extract.dom import Block, Node, Page
from workers.extract.flags import BYLINE, DATELINE
from workers.extract.markup import attr_text
from workers.extract.patterns import BOILERPLATE_LINE, PAYWALL_LINE, WIDGET_LABEL
from workers.extract.text import fold

__all__ = [
    "DATELINE_MAX_CHARS",
    "BodyResult",
    "Sums",
    "choose_container",
    "excluded_nodes",
    "hidden_nodes",
    "is_dateline",
    "is_link_list",
    "is_prose",
    "merge_table_rows",
    "select_blocks",
    "subtree_sums",
]

# A picture's frame holding at most this much text is a caption box.
MEDIA_BOX_WEIGHT = 300
_MAX_MEDIA_BOX_DEPTH = 32
# A picture's frame with at least this many text blocks, one of them a link-free paragraph,
# and no <figcaption> is a content card (an item's name, its facts and its write-up), not a
# caption: a caption box holds a caption and a credit, at most a title above them.
CARD_MIN_BLOCKS = 4
# The card's write-up is a paragraph of at least this weight (two sentences or so); shorter
# link-free lines in a frame are the facts of a promotion or a caption's parts.
CARD_WRITE_UP_WEIGHT = 150
_TEXT_ELEMENTS = frozenset({"p", "li", "td", "blockquote", "h2", "h3", "h4", "h5", "h6"})
# A form that asks for an e-mail address or a phone number (newsletter sign-up, contact or
# comment form), with its frame up to this much text (its pitch and legal lines), is furniture.
# On the wcxb tune articles such frames held 27-560 characters, nearly none of it story text.
FORM_BOX_WEIGHT = 600
_CONTACT_INPUT_TYPES = frozenset({"email", "tel"})
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
        if box >= 0 and sums.total(box) and not _is_card(page, box):
            boxes.append((box, nodes[box].end))
    return boxes


def _is_card(page: Page, box: int) -> bool:
    """A picture's frame that carries content: several link-free blocks, one of them prose."""
    nodes = page.nodes
    end = nodes[box].end
    if any(nodes[index].name == "figcaption" for index in range(box, end)):
        return False
    first = bisect_left(page.blocks, box, key=lambda block: block.node)
    blocks = []
    for block in page.blocks[first:]:
        if block.node >= end:
            break
        blocks.append(block)
    if len(blocks) < CARD_MIN_BLOCKS:
        return False
    if any(block.link_weight or block.heading for block in blocks):
        return False
    return any(is_prose(block) and block.weight >= CARD_WRITE_UP_WEIGHT for block in blocks)


def _asks_contact(node: Node) -> bool:
    """A form with a field for an e-mail address or a phone number."""
    for field_tag in node.tag.find_all("input"):
        kind = field_tag.get("type")
        if isinstance(kind, str) and kind.lower() in _CONTACT_INPUT_TYPES:
            return True
        name = f"{attr_text(field_tag.get('name'))} {attr_text(field_tag.get('placeholder'))}"
        if "mail" in name.lower():
            return True
    return False


def _form_boxes(page: Page, container: int, sums: Sums) -> list[tuple[int, int]]:
    """Element ranges that frame a sign-up or contact form with a little text."""
    nodes = page.nodes
    boxes: list[tuple[int, int]] = []
    for index in range(container + 1, nodes[container].end):
        node = nodes[index]
        if node.name != "form" or (boxes and index < boxes[-1][1]) or not _asks_contact(node):
            continue
        box = index
        ancestor = node.parent
        while ancestor > container and sums.total(ancestor) <= FORM_BOX_WEIGHT:
            box = ancestor
            ancestor = nodes[ancestor].parent
        boxes.append((box, nodes[box].end))
    return boxes


def _disjoint(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ranges sorted, overlapping ones joined."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


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
    boxes = _disjoint(_media_boxes(page, container, sums) + _form_boxes(page, container, sums))
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
        if WIDGET_LABEL.match(block.text):
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
