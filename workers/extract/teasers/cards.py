"""Cards: the largest element around a story link, and its headline, summary and picture."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workers.extract.captions import credit_name, split_credit
from workers.extract.flags import EXCLUDED, IN_CAPTION, MUTED
from workers.extract.images import (
    BACKGROUND_ATTR_SET,
    background_src,
    img_src,
    is_pixel,
    srcset_src,
)
from workers.extract.patterns import READ_MORE_LABEL, RELATED_LABEL
from workers.extract.teasers.stories import (
    headline_ish,
    is_commerce,
    is_section,
    section_paths,
    site_of,
)
from workers.extract.teasers.tree import Tree
from workers.extract.teasers.vocab import (
    CAPTION_TOKENS,
    CARD_MAX_PARAS,
    CARD_MAX_TEXT,
    CARD_PROSE_CHARS,
    CARD_PROSE_PARAS,
    CREDIT_TOKENS,
    HEADING_LINK_MAX_CHARS,
    HEADING_LINK_MAX_CJK,
    HEADINGS,
    HEADLINE_MAX_CHARS,
    INLINE,
    KICKER_TOKENS,
    LABEL_MAX_CHARS,
    LABEL_TRIM,
    META_TOKENS,
    NESTED_TITLE_MIN_SHARE,
    RANK_TOKENS,
    SKIP_IMAGE_TOKENS,
    STANDALONE_SHARE,
    STOP,
    SUMMARY_MAX_CHARS,
    SUMMARY_MIN_CHARS,
    SUMMARY_TOKENS,
    TITLE_MIN_CHARS,
    TITLE_MIN_CJK,
    TITLE_TOKENS,
)
from workers.extract.text import CJK_RE, clean_visible
from workers.models import Image
from workers.urls import normalize_url


@dataclass(slots=True)
class Card:
    """One validated card: its element index, story URL and what it says."""

    idx: int
    url: str
    headline: str
    summary: str | None
    image: Image | None
    label: str | None
    # in a shop/job/coupon widget or linking to such a page (see COMMERCE_MAX_SHARE)
    commerce: bool = False
    # linking to a section, topic or service page: it may head a block, never be a teaser
    section: bool = False

    @property
    def heading_like(self) -> bool:
        """A bare short link, as block headings linking to their section page are."""
        limit = HEADING_LINK_MAX_CJK if CJK_RE.search(self.headline) else HEADING_LINK_MAX_CHARS
        return len(self.headline) <= limit and self.image is None and self.summary is None


def find_cards(tree: Tree) -> list[Card]:
    """Climb from each primary link to the largest element holding only that story."""
    parent, names, text, paras = tree.parent, tree.names, tree.text, tree.paras
    multi, h1s = tree.multi, tree.h1s
    anchors_of: dict[int, list[int]] = {}
    for a in sorted(tree.story):
        top = a
        while True:
            p = parent[top]
            if (
                p < 0
                or multi[p]
                or names[p] in STOP
                or text[p] > CARD_MAX_TEXT
                or paras[p] > CARD_MAX_PARAS
                or h1s[p] > h1s[top]
                or (
                    paras[top] == 0
                    and paras[p] >= CARD_PROSE_PARAS
                    and text[p] - text[top] > CARD_PROSE_CHARS
                )
            ):
                break
            top = p
        anchors_of.setdefault(top, []).append(a)
    cards: list[Card] = []
    last_end = -1
    under, numbered = section_paths(tree)
    site = site_of(tree.page_url)
    for top in sorted(anchors_of):
        if top < last_end:  # nested inside a card already read
            continue
        card = _read_card(tree, top, anchors_of[top])
        if card is not None:
            card.section = is_section(card.url, site, under, numbered)
            cards.append(card)
            last_end = tree.end[top]
    return cards


def _standalone(tree: Tree, a: int) -> bool:
    """True when anchor a is not a link inside running prose."""
    if tree.has_img[a] or tree.headings[a]:
        return True  # a picture or a heading inside the link: a card's link, not prose
    if not tree.text[a]:
        return True  # an empty link laid over a card (primary only by its aria-label)
    block = tree.parent[a]
    while block >= 0 and tree.names[block] in INLINE:
        block = tree.parent[block]
    if block < 0:
        return True
    return tree.text[a] >= STANDALONE_SHARE * tree.text[block]


def _read_card(tree: Tree, top: int, anchors: list[int]) -> Card | None:
    """Headline, summary and image of the card at `top`, or None when it is no card."""
    if not any(_standalone(tree, a) for a in anchors):
        return None
    url = tree.story[anchors[0]]
    names, tokens, end = tree.names, tree.tokens, tree.end
    stop = end[top]
    heading = titled = fallback = -1  # linked h1-h6, linked "title" element, unlinked h1-h6
    for j in range(top, stop):
        if tree.flags[j] & (IN_CAPTION | EXCLUDED) or tree.text[j] == 0:
            continue
        is_heading = names[j] in HEADINGS
        if not is_heading and titled >= 0 and _nested_title(tree, titled, j):
            titled = j
            continue
        if not is_heading and (titled >= 0 or not tokens[j] & TITLE_TOKENS):
            continue
        if any(j <= a < end[j] or a <= j < end[a] for a in anchors):
            if is_heading:
                heading = j
                break
            titled = j
        elif is_heading and fallback < 0:
            fallback = j
    head = heading if heading >= 0 else titled
    headline = _headline_text(tree, head, fallback, anchors)
    if headline is None:
        return None
    headline_at = head if head >= 0 else fallback
    summary = _summary(tree, top, headline_at, headline)
    image = _image(tree, top)
    label = _label(tree, top, headline)
    return Card(top, url, headline, summary, image, label, is_commerce(tree, top, url))


def _nested_title(tree: Tree, outer: int, j: int) -> bool:
    """True when element j is a title element inside title element `outer` holding most of it."""
    return (
        j < tree.end[outer]
        and bool(tree.tokens[j] & TITLE_TOKENS)
        and not tree.tokens[j] & KICKER_TOKENS
        and tree.text[j] >= NESTED_TITLE_MIN_SHARE * tree.text[outer]
    )


def _headline_text(tree: Tree, head: int, fallback: int, anchors: list[int]) -> str | None:
    """The story headline: a linked heading, else the longest link text, else any heading."""
    candidates: list[str] = []
    if head >= 0:
        candidates.append(_without_prefixes(tree, head))
    for a in sorted(anchors, key=lambda x: -len(tree.anchor_text.get(x, ""))):
        label = tree.anchor_text.get(a, "")
        if len(label) > WHOLE_CARD_LINK_CHARS:
            candidates.append(_first_line(tree, a))  # the link wraps the whole card
        else:
            candidates.append(_without_prefixes(tree, a, label))
    if fallback >= 0:
        candidates.append(clean_visible(tree.tags[fallback].get_text(" ")))
    for text in candidates:
        if not text or READ_MORE_LABEL.match(text):
            continue
        if RELATED_LABEL.match(text) and not headline_ish(text):
            continue
        if (len(text) < TITLE_MIN_CHARS or " " not in text) and len(
            CJK_RE.findall(text)
        ) < TITLE_MIN_CJK:
            continue
        return text[:HEADLINE_MAX_CHARS]
    return None


def _without_prefixes(tree: Tree, head: int, text: str | None = None) -> str:
    """The text of a headline element minus what is printed around the headline in it.

    Kickers ("WWF study", "Politics:"), ranks ("1") and time stamps ("10:42") come first
    inside many linked headlines and are dropped while they lead the text; a date or time
    element printed last ("9月1日") is dropped too.
    """
    if text is None:
        text = clean_visible(tree.tags[head].get_text(" "))
    head = _core(tree, head)
    j, stop = head + 1, tree.end[head]
    while j < stop and text:
        if not tree.text[j]:
            j += 1
            continue
        if not (tree.tokens[j] & PREFIX_TOKENS or tree.names[j] == "time"):
            prefix = clean_visible(tree.tags[j].get_text(" "))
            if not _COUNTER.fullmatch(prefix):
                break
        else:
            prefix = clean_visible(tree.tags[j].get_text(" "))
        if not prefix or not text.startswith(prefix) or len(prefix) >= len(text):
            break
        text = text[len(prefix) :].lstrip(LABEL_TRIM)
        j = tree.end[j]
    last, k = -1, head + 1
    while k < stop:  # the last child holding text
        if tree.text[k]:
            last = k
        k = tree.end[k]
    if last > head + 1 and (tree.names[last] == "time" or tree.tokens[last] & SUFFIX_TOKENS):
        suffix = clean_visible(tree.tags[last].get_text(" "))
        if suffix and text.endswith(suffix) and len(suffix) < len(text):
            text = text[: -len(suffix)].rstrip(LABEL_TRIM)
    return text


def _core(tree: Tree, head: int) -> int:
    """The innermost element holding all of a headline element's text (h2 > a > span)."""
    while True:
        kids = [k for k in _children(tree, head) if tree.text[k]]
        if len(kids) != 1 or tree.text[kids[0]] != tree.text[head]:
            return head
        head = kids[0]


def _children(tree: Tree, node: int) -> list[int]:
    kids, k = [], node + 1
    while k < tree.end[node]:
        kids.append(k)
        k = tree.end[k]
    return kids


# A link text longer than this wraps a whole card (headline, summary); its first line is read.
WHOLE_CARD_LINK_CHARS = 150
# A rank, counter or clock time printed on its own: "1", "2.", "#3", "10:42".
_COUNTER = re.compile(r"#?\d{1,3}\.?|\d{1,2}[:.]\d{2}")
PREFIX_TOKENS = KICKER_TOKENS | RANK_TOKENS | {"time", "date", "timestamp", "duration"}
SUFFIX_TOKENS = frozenset({"time", "date", "timestamp", "duration", "datetime", "ago"})


def _first_line(tree: Tree, a: int) -> str:
    """First text-bearing child of an anchor that wraps a whole card."""
    j = a + 1
    while j < tree.end[a]:
        if tree.text[j] > 0:
            return clean_visible(tree.tags[j].get_text(" "))
        j = tree.end[j]
    return tree.anchor_text.get(a, "")


def _summary(tree: Tree, top: int, head: int, headline: str) -> str | None:
    names, tokens, end = tree.names, tree.tokens, tree.end
    j = top + 1
    while j < end[top]:
        if tree.flags[j] & (IN_CAPTION | EXCLUDED) or (head >= 0 and head <= j < end[head]):
            j = end[j]
            continue
        contains_head = head >= 0 and j < head < end[j]
        tok = tokens[j]
        if names[j] != "p" and tree.paras[j] > 0:
            j += 1  # a summary box of paragraphs: its first paragraph is the summary
            continue
        if (
            not contains_head
            and not tree.has_img[j]
            and (names[j] == "p" or tok & SUMMARY_TOKENS)
            and not tok & META_TOKENS
            and tree.text[j] >= SUMMARY_MIN_CHARS
            and j not in tree.story
        ):
            summary = clean_visible(tree.tags[j].get_text(" "))
            if summary and summary != headline and not READ_MORE_LABEL.match(summary):
                return summary[:SUMMARY_MAX_CHARS]
        j += 1
    return None


def _image(tree: Tree, top: int) -> Image | None:
    """The card's picture with the caption and credit printed beside it."""
    names, tokens, tags = tree.names, tree.tokens, tree.tags
    src: str | None = None
    source_set: str | None = None
    cap_el = credit_el = -1
    for j in range(top, tree.end[top]):
        name = names[j]
        if tree.flags[j] & (EXCLUDED | MUTED) == EXCLUDED:
            continue
        tok = tokens[j]
        if credit_el < 0 and tok & CREDIT_TOKENS:
            credit_el = j
        elif cap_el < 0 and (name == "figcaption" or tok & CAPTION_TOKENS):
            cap_el = j
        if src is not None or tok & SKIP_IMAGE_TOKENS:
            continue
        attrs = tags[j].attrs
        if name == "img":
            if is_pixel(attrs):
                continue
            src = img_src(attrs) or source_set
        elif name == "source" and source_set is None:
            source_set = srcset_src(attrs)
        elif attrs and ("style" in attrs or not BACKGROUND_ATTR_SET.isdisjoint(attrs)):
            src = background_src(attrs)
    src = src or source_set
    if src is None:
        return None
    url = normalize_url(src, tree.base)
    if url is None:
        return None
    caption_text = clean_visible(tags[cap_el].get_text(" ")) if cap_el >= 0 else ""
    credit_text = clean_visible(tags[credit_el].get_text(" ")) if credit_el >= 0 else ""
    if credit_text and cap_el >= 0 and cap_el < credit_el < tree.end[cap_el]:
        caption_text = clean_visible(caption_text.replace(credit_text, " "))  # credit nested inside
    caption, credit = split_credit(caption_text)
    if credit_text:
        credit = credit_name(credit_text) or credit_text.strip("()[] ")
        if caption and caption.endswith(credit_text):
            caption = caption[: -len(credit_text)].strip(" |–—-") or None
    return Image(url, caption, credit or None)


def _label(tree: Tree, top: int, headline: str) -> str | None:
    """A "Read also:"-style label printed in the card before its headline."""
    full = clean_visible(tree.tags[top].get_text(" "))
    at = full.find(headline)
    if at <= 0:
        return None
    prefix = full[:at].strip(LABEL_TRIM)
    if 0 < len(prefix) <= LABEL_MAX_CHARS and RELATED_LABEL.match(prefix):
        return prefix
    return None
