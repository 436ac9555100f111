"""One iterative walk over the parsed page: the element table, text blocks, metadata, links,
and the teaser scan's flattened tree, all in a single pass over the soup."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import cast

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PageElement, Tag

from workers.extract.dom import Block, Node, Page
from workers.extract.flags import CAPTION, HIDDEN, MUTED, POSITIVE
from workers.extract.markup import attr_text, attr_words
from workers.extract.patterns import (
    BLOCK_TAGS,
    HEADING_LEVEL,
    OPAQUE_TAGS,
    SKIP_TAGS,
    TAG_FLAGS,
    classify_attrs,
    is_hidden_style,
)
from workers.extract.teasers.tree import TreeIndex
from workers.extract.text import clean_space, text_weight

# Elements without prose children: read their attributes, and let <br>/<hr> end a block.
_LEAF_TAGS = frozenset({"meta", "link", "title", "br", "hr", "wbr"})
_AUTHOR_HREF = re.compile(
    r"/(?:authors?|autor(?:en|in)?|auteurs?|autore|autori|journalist(?:en)?|redakteur|"
    r"reporters?|writers?|columnists?|staff|profile|profil|people|mitarbeiter)/[^/?#]+/?(?:[?#]|$)",
    re.IGNORECASE,
)
_EMPHASIS = frozenset({"strong", "b", "em", "i"})
_META_KEYS = ("property", "name", "itemprop", "http-equiv")
# Classes on these name the theme or page template ("theme-caption-two"), not a box.
_PAGE_TAGS = frozenset({"html", "body"})
# A hidden wrapper right under <body> that holds one of these, or is a server-streamed
# segment (<div hidden id="S:0">, moved into place by the framework's script), is hidden only
# until scripts reveal the page.
_REVEALED_CONTENT = ("main", "article")
_STREAMED_SEGMENT = re.compile(r"S:\d+")


# Walk state for one open element: its children iterator, its index in the node table and in
# the teaser tree, and what to undo on leaving it (block owner and heading level before it;
# whether it opened a link/bold/mute).
_Frame = tuple[Iterator[PageElement], int, int, bool, bool, bool, bool, int, int]


def walk(soup: BeautifulSoup, removed: set[int], page_url: str) -> Page:
    """Walk the tree once, without recursion, collecting everything later steps need.

    Every element also goes into the teaser scan's tree (page.tree), those the body walk
    skips (scripts, drawings, elements a site rule removes) included.
    """
    index = TreeIndex(page_url)
    page = Page(tree=index.tree)
    tree_flags, tree_text = index.tree.flags, index.tree.text
    nodes = page.nodes
    blocks = page.blocks
    parts: list[str] = []
    link_parts: list[str] = []
    bold_parts: list[str] = []
    owner = -1
    heading = 0
    in_list = False
    links_open = 0
    bold_open = 0
    mute = 0
    link_count = 0
    class_flags: dict[tuple[str, object, object], int] = {}

    def flush() -> None:
        nonlocal link_count
        text = clean_space("".join(parts))
        if text and owner >= 0:
            link_weight = text_weight(clean_space("".join(link_parts))) if link_parts else 0
            bold_weight = text_weight(clean_space("".join(bold_parts))) if bold_parts else 0
            weight = text_weight(text)
            blocks.append(
                Block(owner, text, weight, link_weight, heading, bold_weight, in_list, link_count)
            )
        parts.clear()
        link_count = 0
        if link_parts:
            link_parts.clear()
        if bold_parts:
            bold_parts.clear()

    for top in soup.contents:
        if isinstance(top, Tag) and top.name == "html":
            lang = top.get("lang") or top.get("xml:lang")
            if isinstance(lang, str):
                page.html_lang = lang
            break
    stack: list[_Frame] = [(iter(soup.contents), -1, -1, False, False, False, False, -1, 0)]
    while stack:
        frame = stack[-1]
        parent = frame[1]
        tree_parent = frame[2]
        # the teaser tree counts the text an element owns, outside scripts and the like
        counted = tree_parent >= 0 and not tree_flags[tree_parent] & MUTED
        pushed = False
        for child in frame[0]:
            kind = type(child)
            if kind is NavigableString:
                string = cast(str, child)
                if counted:
                    stripped = string.strip()
                    if stripped:
                        tree_text[tree_parent] += len(stripped)
                if not mute:
                    parts.append(string)
                    if links_open:
                        link_parts.append(string)
                    if bold_open:
                        bold_parts.append(string)
                continue
            if kind is not Tag or not isinstance(child, Tag):
                continue
            name = child.name
            attrs = child.attrs
            if name in OPAQUE_TAGS:
                if name == "script":
                    kind_attr = attrs.get("type")
                    if isinstance(kind_attr, str) and "ld+json" in kind_attr.lower():
                        page.json_ld.append(child.get_text())
                index.subtree(child, tree_parent)
                continue
            if removed and id(child) in removed:
                index.subtree(child, tree_parent)
                continue
            if name in _LEAF_TAGS:
                index.subtree(child, tree_parent)
                if name == "meta":
                    _collect_meta(page, attrs, parent)
                elif name in ("br", "hr") and parts:
                    flush()
                continue
            idx = len(nodes)
            if name == "img":
                index.subtree(child, tree_parent)
                t = -1
            else:
                t = index.add(child, tree_parent)
            flags = (
                _attribute_flags(page, name, attrs, idx, class_flags)
                if attrs
                else TAG_FLAGS.get(name, 0)
            )
            if name == "figure" and flags & CAPTION and child.find("table") is not None:
                # A figure that wraps a table (as blog editors write every table) frames
                # story content, not an image: only its figcaption is a caption.
                flags &= ~CAPTION
            if (
                flags & HIDDEN
                and parent >= 0
                and nodes[parent].name == "body"
                and _revealed_by_script(child)
            ):
                flags &= ~HIDDEN
            context = flags | nodes[parent].context if parent >= 0 else flags
            nodes.append(Node(child, name, parent, flags, context))
            is_link = is_bold = False
            if name == "a":
                href = attrs.get("href")
                if isinstance(href, str):
                    page.hrefs.append(href)
                    rel = attrs.get("rel")
                    if (rel and "author" in attr_words(rel)) or _AUTHOR_HREF.search(href):
                        page.author_links.append(idx)
                is_link = True
                links_open += 1
                link_count += 1
            elif name in _EMPHASIS:
                is_bold = True
                bold_open += 1
            elif name == "h1":
                page.h1.append(idx)
            elif name == "time":
                page.times.append(idx)
            elif name == "img":
                page.images.append(idx)
                nodes[idx].end = idx + 1
                continue
            muted = name in SKIP_TAGS or bool(flags & HIDDEN)
            is_block = name in BLOCK_TAGS
            contents = child.contents
            if not contents or (len(contents) == 1 and type(contents[0]) is NavigableString):
                # Fast path for elements holding at most one string: no frame to push or pop.
                nodes[idx].end = idx + 1
                if contents and not tree_flags[t] & MUTED:
                    stripped = cast(str, contents[0]).strip()
                    if stripped:
                        tree_text[t] += len(stripped)
                if is_block and parts:
                    flush()
                if contents and not mute and not muted:
                    string = cast(str, contents[0])
                    if is_block:
                        outer = (owner, heading, in_list)
                        owner, in_list = idx, name == "li"
                        heading = HEADING_LEVEL.get(name, heading)
                    parts.append(string)
                    if links_open:
                        link_parts.append(string)
                    if bold_open:
                        bold_parts.append(string)
                    if is_block:
                        flush()
                        owner, heading, in_list = outer
                if is_link:
                    links_open -= 1
                if is_bold:
                    bold_open -= 1
                continue
            if muted:
                mute += 1
            frame_owner = owner
            frame_heading = heading
            if is_block:
                if parts:
                    flush()
                owner = idx
                heading = HEADING_LEVEL.get(name, heading)
                in_list = name == "li"
            stack.append(
                (
                    iter(child.contents),
                    idx,
                    t,
                    is_block,
                    is_link,
                    is_bold,
                    muted,
                    frame_owner,
                    frame_heading,
                )
            )
            pushed = True
            break
        if pushed:
            continue
        stack.pop()
        _, closed, _, is_block, is_link, is_bold, muted, frame_owner, frame_heading = frame
        if closed >= 0:
            nodes[closed].end = len(nodes)
        if is_block:
            if parts:
                flush()
            owner = frame_owner
            heading = frame_heading
            in_list = owner >= 0 and nodes[owner].name == "li"
        if is_link:
            links_open -= 1
        if is_bold:
            bold_open -= 1
        if muted:
            mute -= 1
    if parts:
        flush()
    return page


def _attribute_flags(
    page: Page,
    name: str,
    attrs: Mapping[str, object],
    idx: int,
    memo: dict[tuple[str, object, object], int],
) -> int:
    classes = attrs.get("class")
    ident = attrs.get("id")
    if (classes or ident) and name not in _PAGE_TAGS:
        if isinstance(classes, list):
            classes = attr_text(classes)
        # keyed on the raw values: a page repeats the same class attribute on many elements
        key = (name, classes, ident)
        found = memo.get(key)
        if found is None:
            class_id = attr_text(classes)
            if isinstance(ident, str):
                class_id = f"{class_id} {ident}"
            found = memo[key] = classify_attrs(name, class_id.lower())
        flags = found
    else:
        flags = TAG_FLAGS.get(name, 0)
    if "hidden" in attrs:
        flags |= HIDDEN
    style = attrs.get("style")
    if style and isinstance(style, str) and "none" in style and is_hidden_style(style):
        flags |= HIDDEN
    itemprop = attrs.get("itemprop")
    if itemprop:
        prop = itemprop if isinstance(itemprop, str) else " ".join(map(str, itemprop))  # type: ignore[call-overload]
        page.itemprops.append((idx, prop, None))
        if prop == "articleBody":
            flags |= POSITIVE
    return flags


def _revealed_by_script(tag: Tag) -> bool:
    """A hidden wrapper under <body> that scripts show: streamed segment or anti-flicker root."""
    ident = tag.get("id")
    if isinstance(ident, str) and _STREAMED_SEGMENT.fullmatch(ident):
        return True
    return tag.find(_REVEALED_CONTENT) is not None


def _collect_meta(page: Page, attrs: Mapping[str, object], parent: int) -> None:
    content = attrs.get("content")
    if not isinstance(content, str):
        return
    itemprop = attrs.get("itemprop")
    if isinstance(itemprop, str) and itemprop and parent >= 0:
        page.itemprops.append((parent, itemprop, content))
    for key_attr in _META_KEYS:
        key = attrs.get(key_attr)
        if isinstance(key, str) and key:
            page.metas.append((key_attr, key.strip().lower(), content))
            return
