"""The page model one walk builds (workers.extract.walk): elements, text blocks, metadata."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from bs4.element import Tag

from workers.extract.flags import TEASER
from workers.extract.teasers.tree import Tree
from workers.extract.text import clean_space


@dataclass(slots=True)
class Node:
    """One element of the page, in document (pre-)order."""

    tag: Tag
    name: str
    parent: int
    flags: int
    # Union of the flags of this element and all its ancestors.
    context: int
    # Pre-order index one past this element's last descendant: the subtree is [index, end).
    end: int = 0


@dataclass(slots=True)
class Block:
    """A run of text between two block-level boundaries, owned by its innermost block element."""

    node: int
    text: str
    weight: int
    link_weight: int
    heading: int
    # Weight of the text inside <strong>/<b>/<em>/<i>: bold subheadings, italic signatures.
    bold_weight: int
    in_list: bool
    # Number of links that start inside the block.
    link_count: int = 0


@dataclass(slots=True)
class Page:
    """What the walk collected: the element table, text blocks and document-level metadata.

    The same walk flattens every element, those the body never reads too, into ``tree`` for
    the teaser scan.
    """

    nodes: list[Node] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    json_ld: list[str] = field(default_factory=list)
    # (attribute that named it, lower-cased key, content) for each <meta> with content.
    metas: list[tuple[str, str, str]] = field(default_factory=list)
    hrefs: list[str] = field(default_factory=list)
    html_lang: str | None = None
    # Microdata: (element index, property names, value). Elements carry their own value
    # (None: read it from the element); a <meta itemprop> gives its content and its parent.
    itemprops: list[tuple[int, str, str | None]] = field(default_factory=list)
    h1: list[int] = field(default_factory=list)
    # Links that point at an author page (rel=author, /author/jane-doe).
    author_links: list[int] = field(default_factory=list)
    times: list[int] = field(default_factory=list)
    images: list[int] = field(default_factory=list)
    tree: Tree = field(default_factory=Tree)
    _index: dict[int, int] | None = None

    @property
    def canonical(self) -> str | None:
        """The first <link rel=canonical> href, as printed (read by the walk into the tree)."""
        return self.tree.canonical[0] if self.tree.canonical else None

    @property
    def title_tag(self) -> str | None:
        """The text of the page's <title> (the first outside drawings), spaces collapsed."""
        return None if self.tree.title is None else clean_space(self.tree.title)

    def node_of(self, tag: Tag) -> int | None:
        """Index of a parsed element in the node table (None when the walk skipped it)."""
        if self._index is None:
            self._index = {id(node.tag): index for index, node in enumerate(self.nodes)}
        return self._index.get(id(tag))

    def text_of(self, node: int) -> str:
        """Visible text of the blocks inside an element, blocks joined by newlines."""
        return "\n".join(block.text for block in self.blocks_in(node))

    def blocks_in(self, node: int) -> Iterator[Block]:
        """Blocks owned by the element or its descendants, in document order."""
        start, end = node, self.nodes[node].end
        for block in self.blocks:
            if start <= block.node < end:
                yield block


def mark_teasers(page: Page, blocks: Iterable[Tag]) -> None:
    """Flag the teaser scan's blocks, and every element inside them, as teasers."""
    nodes = page.nodes
    for tag in blocks:
        start = page.node_of(tag)
        if start is None:
            continue
        nodes[start].flags |= TEASER
        for index in range(start, nodes[start].end):
            nodes[index].context |= TEASER
