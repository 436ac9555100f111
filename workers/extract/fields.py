"""Field pickers: headline, standfirst, language, canonical URL, and the site-rule helpers."""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Tag

from workers.extract.body import (
    BodyResult,
    Sums,
    is_dateline,
    select_blocks,
)
from workers.extract.dom import Block, Page
from workers.extract.flags import BYLINE, CAPTION, DATELINE, SUBTITLE_HINT
from workers.extract.jsonld import ARTICLE_TYPES
from workers.extract.language import detect_language, normalise_language
from workers.extract.rules import SiteRule
from workers.extract.structured import Structured
from workers.extract.text import clean_space, fold
from workers.models import Provenance
from workers.urls import host_of, normalize_url

_MIN_SUBTITLE_WEIGHT = 30
_MIN_DESCRIPTION_KEY = 40
# A standfirst may open with a dateline ("Berlin.") that the description leaves out.
_MAX_DESCRIPTION_EXTRA = 30
_TITLE_SEPARATORS = re.compile(
    r"\s+[|\u2013\u2014\-:\u00b7\u2022/]\s+|\s*[|\u00bb\u00ab\uff1a\u3010\u3011]\s*|--"
)
_TITLE_TRIM = " |-\u2013\u2014:\u00b7\u2022/\u00bb\u00ab\uff1a"
_MAX_HEADINGS = 3
_MIN_TITLE_KEY = 8
# Words an <h1> needs to be taken as the printed headline over a declared title that differs
# (site logos and section names set in <h1> are shorter). Measured on the wcxb tune split:
# title exact 0.774 -> 0.822.
MIN_HEADLINE_WORDS = 3
# schema.org news article types: a news desk's declared headline is kept over its <h1> (the
# news dev set's gold titles follow the declared one: title exact 0.918 with it on tune,
# 0.904 without).
_NEWS_TYPES = frozenset(name for name in ARTICLE_TYPES if "news" in name)
_NON_WORD = re.compile(r"\W+")
# What a declared title may differ from its <h1> by and still be the same headline: the
# separator typed (hyphen, dashes, colon, spaces), and wrapping marks the <h1> leaves out.
_SEPARATOR_CHARS = frozenset(" -:\u2013\u2014")
_MARKUP_CHARS = frozenset(' #*_"\u201c\u201d')
_MIN_SITE_KEY = 3
# A declared title this long that another declared title carries on was cut short.
_MIN_CUT_TITLE = 90


@dataclass(slots=True)
class Context:
    """What the field pickers share: the tree, the walk, structured data, the chosen body and
    the headline already picked (so that later pickers need not pick it again)."""

    soup: BeautifulSoup
    page: Page
    structured: Structured
    body: BodyResult
    excluded: list[bool]
    rule: SiteRule | None
    url: str
    title: str | None = None


@dataclass(slots=True)
class Found:
    """A chosen field value with its provenance."""

    value: str
    source: Provenance


def pick_title(page: Page, structured: Structured, excluded: list[bool], url: str) -> Found | None:
    """The headline as printed: the page's one <h1>, else the declared one (JSON-LD, meta...).

    A declared title that the page's <h1> repeats wins outright (in the <h1>'s spelling when
    only its dashes or wrapping marks differ); an <h1> found inside the first declared title
    (which may carry a site name) wins next; then the page's only <h1> when it reads as a
    headline (declared titles are often written for search engines and social cards, "Top 10
    ... for 2026", and differ from what the reader sees); then the first declared.
    """
    headings = _headings(page, structured, url, excluded)
    declared = [
        Found(_strip_site_name(html.unescape(value.text), structured, url), value.source)
        for value in structured.titles
    ]
    declared = _untruncated([found for found in declared if found.value])
    heading_keys = [fold(heading) for heading in headings]
    for candidate in declared:
        key = fold(candidate.value)
        if key in heading_keys:
            heading = headings[heading_keys.index(key)]
            if _printed_spelling(candidate.value, heading):
                return Found(heading, candidate.source)
            return candidate
    if declared:
        first_key = fold(declared[0].value)
        for heading, key in zip(headings, heading_keys, strict=True):
            if len(key) >= _MIN_TITLE_KEY and key in first_key:
                return Found(heading, "dom")
        printed = _printed_headline(headings, declared[0].value, structured)
        if printed is not None:
            return Found(printed, "dom")
        return declared[0]
    tag_title = _strip_site_name(page.title_tag, structured, url) if page.title_tag else ""
    opening = _title_opening(page, structured, url, tag_title)
    if opening is not None:
        return Found(opening, "dom")
    if headings:
        return Found(headings[0], "dom")
    if tag_title:
        return Found(tag_title, "dom")
    return None


def _headings(
    page: Page, structured: Structured, url: str, excluded: list[bool] | None
) -> list[str]:
    """The first <h1>s' texts, a trailing site name stripped; those in excluded furniture
    left out unless `excluded` is None."""
    headings = [
        _strip_site_name(
            clean_space(page.text_of(index).replace("\n", " ")), structured, url, False
        )
        for index in page.h1[:_MAX_HEADINGS]
        if excluded is None or not excluded[index]
    ]
    return [text for text in headings if text]


def _title_opening(page: Page, structured: Structured, url: str, tag_title: str) -> str | None:
    """On a page that declares no title, the <h1> its <title> opens with, even one set in
    furniture (a hero banner): a logo in another <h1> is not the headline."""
    tag_key = fold(tag_title)
    for heading in _headings(page, structured, url, None):
        key = fold(heading)
        if len(key) >= _MIN_TITLE_KEY and f"{tag_key} ".startswith(f"{key} "):
            return heading
    return None


def _untruncated(declared: list[Found]) -> list[Found]:
    """The declared titles, a long first one cut short (a schema.org headline is held to 110
    characters, and plugins cut it at a word) put behind a later one that carries it on."""
    if not declared or len(declared[0].value) < _MIN_CUT_TITLE:
        return declared
    key = fold(declared[0].value)
    for index, found in enumerate(declared[1:], 1):
        if fold(found.value).startswith(f"{key} "):
            return [found, *declared[:index], *declared[index + 1 :]]
    return declared


def _printed_headline(headings: list[str], declared: str, structured: Structured) -> str | None:
    """The page's only <h1> when it reads as a headline other than the declared title.

    Not when the two hold the same words and differ only in spacing or punctuation (an <h1>
    whose kicker and headline are separate elements reads "KickerHeadline"), nor when the
    <h1> is the site's name, nor when it is set in capitals (a banner style whose wording is
    often a variant; the declared title keeps the written case), nor on a page that declares
    a news article.
    """
    if len(headings) != 1 or structured.types & _NEWS_TYPES:
        return None
    heading = headings[0]
    if len(heading.split()) < MIN_HEADLINE_WORDS or heading.isupper():
        return None
    if _compact(heading) == _compact(declared):
        return None
    names = {fold(name) for name in (structured.site_name, structured.publisher) if name}
    return None if fold(heading) in names else heading


def _printed_spelling(declared: str, heading: str) -> bool:
    """Whether an <h1> holding a declared title's words spells it as printed: it sets a dash
    or colon where the declared title typed a plain one ("Pier - Plans" / "Pier: Plans"), or
    leaves out the Markdown or quote marks the declared title was wrapped in ("## Pier",
    "*Pier*", '"Pier"'). Any other difference (a space, a quote's shape, an ellipsis) keeps
    the declared spelling."""
    if declared == heading:
        return False
    matcher = difflib.SequenceMatcher(None, declared, heading, autojunk=False)
    for op, start, end, other_start, other_end in matcher.get_opcodes():
        typed, printed = declared[start:end], heading[other_start:other_end]
        if op == "equal":
            continue
        if op == "replace" and _SEPARATOR_CHARS.issuperset(typed + printed):
            continue
        if op == "delete" and typed.strip() and _MARKUP_CHARS.issuperset(typed):
            continue
        return False
    return True


def _compact(text: str) -> str:
    return _NON_WORD.sub("", fold(text))


def _strip_site_name(title: str, structured: Structured, url: str, leading: bool = True) -> str:
    """Remove trailing or leading site names: 'Headline | The Daily' -> 'Headline'.

    Also 'Headline - Daily - Daily' (a CMS that appends the name to a title that has it) and
    a decoration set after the headline ('Headline \u22c6'). `leading=False` strips only
    trailing names (for an <h1>, whose first words may happen to spell the host).
    """
    title = _strip_decoration(title)
    while True:
        stripped = _strip_one_site_name(title, structured, url, leading)
        if stripped == title or not stripped:
            return title
        title = stripped


def _strip_decoration(title: str) -> str:
    """'Headline \u22c6' -> 'Headline': mathematical signs printed apart at the end (emoji,
    which some headlines end with, are kept)."""
    words = title.rsplit(None, 1)
    if len(words) == 2 and all(unicodedata.category(ch) == "Sm" for ch in words[1]):
        return words[0]
    return title


def _strip_one_site_name(title: str, structured: Structured, url: str, leading: bool) -> str:
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    names = [fold(name) for name in (structured.site_name, structured.publisher) if name]
    host = host_of(url).removeprefix("www.").replace(".", "").replace("-", "")
    ends = ((parts[-1], "head"), (parts[0], "tail")) if leading else ((parts[-1], "head"),)
    for part, keep in ends:
        key = fold(part)
        if not key:
            continue
        compact = key.replace(" ", "")
        named = any(key == name or (name and name in key) for name in names)
        in_host = len(compact) >= _MIN_SITE_KEY and compact in host and len(key.split()) <= 4
        section = keep == "head" and compact in _sections(url)
        if named or in_host or section:
            if keep == "head":
                return title[: title.rfind(part)].rstrip(_TITLE_TRIM)
            return title[title.find(part) + len(part) :].lstrip(_TITLE_TRIM)
    return title


def _sections(url: str) -> set[str]:
    """The folders of a URL's path that hold a letter, letters and digits only:
    "/local-news/2026/story" -> {"localnews"} (the last segment, the story's own slug, is not
    a section)."""
    try:
        path = urlsplit(url).path
    except ValueError:  # a malformed URL ("http://[x/") has no folders to read
        return set()
    segments = [segment for segment in path.split("/") if segment]
    keys = {_compact(unquote(segment)) for segment in segments[:-1]}
    return {key for key in keys if not key.isdigit() and key}


def select(soup: BeautifulSoup, selector: str | None) -> list[Tag]:
    """Elements a site-rule selector matches (none for an empty selector)."""
    if not selector:
        return []
    return [tag for tag in soup.select(selector) if isinstance(tag, Tag)]


def rule_text(soup: BeautifulSoup, page: Page, selector: str | None) -> Found | None:
    """Text of the first element a site-rule selector matches."""
    for tag in select(soup, selector):
        index = page.node_of(tag)
        text = page.text_of(index) if index is not None else tag.get_text(" ")
        text = clean_space(text.replace("\n", " "))
        if text:
            return Found(text, "rule")
    return None


def rule_body(
    soup: BeautifulSoup,
    page: Page,
    rule: SiteRule | None,
    excluded: list[bool],
    sums: Sums,
    title: str | None,
) -> BodyResult | None:
    """Body blocks from the elements a site rule names, in document order."""
    if rule is None or not rule.body:
        return None
    containers = sorted(
        index for tag in select(soup, rule.body) if (index := page.node_of(tag)) is not None
    )
    if not containers:
        return None
    merged = BodyResult(container=containers[0], excluded=excluded)
    last_end = -1
    for index in containers:
        if index < last_end:
            continue
        last_end = page.nodes[index].end
        part = select_blocks(page, index, excluded, title, sums, None)
        merged.blocks.extend(part.blocks)
        merged.bylines.extend(part.bylines)
    return merged


def pick_subtitle(
    page: Page,
    structured: Structured,
    body: BodyResult,
    excluded: list[bool],
    title: str | None,
    headline: int | None,
) -> Found | None:
    """The standfirst: a block marked as one, or repeating the description, under the headline."""
    if not body.blocks:
        return None
    first_body = body.blocks[0]
    start = headline if headline is not None else max(0, (body.container or 0) - 200)
    title_key = fold(title) if title else ""
    candidates: list[Block] = []
    for block in page.blocks:
        if block.node >= first_body.node:
            break
        if block.node < start or excluded[block.node] or block.heading == 1:
            continue
        candidates.append(block)
    # A block the page marks as a standfirst, before the body or opening it.
    for block in [*candidates, first_body]:
        node = page.nodes[block.node]
        if (
            node.context & SUBTITLE_HINT
            and not node.context & (BYLINE | CAPTION | DATELINE)
            and block.weight >= _MIN_SUBTITLE_WEIGHT
            and fold(block.text) != title_key
            and block.link_weight * 3 < block.weight
            and not is_dateline(block.text)
        ):
            if block is first_body:
                body.blocks.pop(0)
            return Found(block.text, "dom")
    descriptions = [fold(html.unescape(value.text)) for value in structured.descriptions]
    for block in candidates:
        key = fold(block.text)
        if len(key) < _MIN_SUBTITLE_WEIGHT:
            continue
        for description in descriptions:
            if _repeats_description(key, description):
                return Found(block.text, "dom")
    return None


def _repeats_description(key: str, description: str) -> bool:
    """True when a block is the page's description, give or take a truncation or a dateline."""
    if key == description:
        return True
    if len(description) <= _MIN_DESCRIPTION_KEY:
        return False
    probe = description[:-3] if description.endswith("...") else description[:-2]
    return probe in key and len(key) <= len(description) + _MAX_DESCRIPTION_EXTRA


def headline_node(page: Page, excluded: list[bool], title: str | None) -> int | None:
    """The <h1> that prints the title (or the first visible <h1>)."""
    visible = [index for index in page.h1 if not excluded[index]][:_MAX_HEADINGS]
    if title:
        key = fold(title)
        for index in visible:
            if fold(page.text_of(index)) == key:
                return index
    return visible[0] if visible else None


def pick_language(page: Page, structured: Structured, text: str) -> Found | None:
    """ISO 639-1 language: JSON-LD/microdata, <html lang>, meta tags, else the text's own."""
    candidates: list[tuple[str | None, Provenance]] = [
        *((value.text, value.source) for value in structured.languages if value.source != "meta"),
        (page.html_lang, "dom"),
        *((value.text, value.source) for value in structured.languages if value.source == "meta"),
    ]
    for raw, source in candidates:
        code = normalise_language(raw) if raw else None
        if code:
            return Found(code, source)
    detected = detect_language(text)
    return Found(detected, "detected") if detected else None


def pick_canonical(page: Page, structured: Structured, url: str) -> str:
    """Canonical URL: link rel=canonical, og:url, JSON-LD url; else the page URL."""
    candidates = [page.canonical, *(value.text for value in structured.canonical)]
    for candidate in candidates:
        if candidate:
            absolute = normalize_url(candidate, url)
            if absolute:
                return absolute
    return normalize_url(url) or url
