"""Publication date: site rule, structured data, <time> elements, printed date lines."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import htmldate
from bs4.formatter import HTMLFormatter

from workers.extract.body import DATELINE_MAX_CHARS, BodyResult
from workers.extract.dates import ParsedDate, parse_printed, parse_structured
from workers.extract.dom import Page
from workers.extract.fields import Context, select
from workers.extract.flags import CAPTION, DATELINE, HIDDEN, TEASER
from workers.extract.kind import story_url
from workers.extract.structured import Value
from workers.extract.text import clean_space, fold
from workers.models import Provenance

# A printed date near the headline: blocks read before and after the headline's <h1> (a date
# line is at most body.DATELINE_MAX_CHARS long: "Published on July 18, 2025 | 6 min read").
DATELINE_BLOCKS_BEFORE = 5
DATELINE_BLOCKS_AFTER = 30
# A date line that names an update or a review, not the publication.
_UPDATE_LINE = re.compile(
    r"updat|modif|revis|review|aktualisiert|geändert|mis à jour|actualiz|aggiornat",
    re.IGNORECASE,
)
# Pictures beside a date line whose alt text it may repeat (a caption, not a date line).
CAPTION_IMAGES = 4
# A line that says it gives the publication: "Posted on the 15/12/2025", "Published | Oct 10".
_PUBLISHED_LABEL = re.compile(
    r"\W*(?:first\s+|originally\s+)?(?:published|posted|publié|veröffentlicht|publicado|"
    r"pubblicato)\b",
    re.IGNORECASE,
)
# The day a story's URL path names: /2025/12/18/ (permalinks use the site's local day).
_URL_DAY = re.compile(r"/((?:19|20)\d\d)/(\d\d)/(\d\d)(?:/|$)")
# A sentence that states the first publication: "This article was originally published on".
_FIRST_PUBLISHED = re.compile(
    r"\b(?:originally|first)\s+(?:published|posted)(?:\s+(?:on|in))?\s+", re.IGNORECASE
)
# How far past "originally published on" its date is read ("26 Sep 2019 at 4:12pm").
STATED_DATE_CHARS = 40
# The place a wire story's first paragraph opens with, before its date: "RAJSHAHI, ".
_OPENING_PLACE = re.compile(r"[A-ZÀ-Þ][\w.'’/ -]{1,40}?,\s+")
# How far past the place the date of an opening dateline ends ("Dec 20, 2025 (BSS) -").
OPENING_DATE_CHARS = 32
# The date itself, up to the agency's bracket or the dash: a few words ("Tuesday, Dec 20, 2025").
OPENING_DATE_WORDS = 4
_OPENING_END = re.compile(r"\s*(?:\(|[-–—]\s)")
# A date written for machines: ISO 8601, epoch seconds / milliseconds, RFC 2822.
_MACHINE_DATE = re.compile(
    r"\s*(?:\d{4}-\d\d-\d\d|\d{10}(?:\d{3})?\s*$"
    r"|(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d\d)"
)
# A printed date by the headline this much earlier than the declared one is the publication:
# the declared value is a later save (a day's slack for a UTC value against a local print).
REPUBLISHED_AFTER = timedelta(days=1)
# Serialises a tree without re-escaping its text, for htmldate: half the time of str(soup).
_RAW_MARKUP = HTMLFormatter(entity_substitution=None)
# Elements that never hold the headline or its date line, wherever they sit.
_NOT_HEADLINE = HIDDEN | CAPTION | TEASER


def first_date(values: list[Value]) -> tuple[ParsedDate, Provenance] | None:
    """The first value that parses as a date, with its provenance."""
    for value in values:
        parsed = parse_structured(value.text)
        if parsed is not None:
            return parsed, value.source
    return None


def pick_published(context: Context) -> tuple[ParsedDate | None, Provenance]:
    """Publication date: site rule, structured data, then the date printed by the headline,
    other <time> elements and datelines in the body.

    A date printed by the headline more than a day before the declared one is read instead:
    the declared value is then the day the story was saved again or moved, not its first
    publication.

    JSON-LD dates written for people ("Nov 05, 2025", "13/11/2025") are read last: such
    fields are often filled with the page's last edit.
    """
    soup, page, structured, rule = context.soup, context.page, context.structured, context.rule
    body, excluded = context.body, context.excluded
    if rule and rule.published_at:
        for tag in select(soup, rule.published_at):
            for attr in ("datetime", "content"):
                value = tag.get(attr)
                if isinstance(value, str) and (parsed := parse_structured(value)):
                    return parsed, "rule"
            printed = parse_printed(clean_space(tag.get_text(" ")))
            if printed:
                return printed, "rule"
    stated = _stated_first_publication(page)
    if stated:
        return stated, "dom"
    declared = [value for value in structured.published if _machine_written(value)]
    found = first_date(declared)
    anchor = _headline_anchor(page, excluded, body, context.title)
    near = _dateline_near_headline(page, excluded, body, anchor)
    if found:
        if near and near.value.date() < found[0].value.date() - REPUBLISHED_AFTER:
            return near, "dom"
        return _on_url_day(page, context.url, found[0]), found[1]
    if near:
        return near, "dom"
    limit = page.nodes[body.container].end if body.container is not None else len(page.nodes)
    for index in page.times:
        if index >= limit or excluded[index]:
            continue
        parsed = _time_value(page, index)
        if parsed:
            return parsed, "dom"
    for text in (*context.body.datelines, *context.body.bylines):
        parsed = parse_printed(text)
        if parsed:
            return parsed, "dom"
    opening = _opening_dateline(body)
    if opening:
        return opening, "dom"
    labelled = _labelled_dateline(page, excluded)
    if labelled:
        return labelled, "dom"
    written = first_date([value for value in structured.published if value not in declared])
    if written:
        return written
    return _library_fallback(context), "library"


def _library_fallback(context: Context) -> ParsedDate | None:
    """htmldate's quick search (no free-text scan), read only when our own sources found no
    date and the URL names one story (a slug or a /yyyy/ path, kind.story_url).

    It reads what we do not: a date in the URL or an image path, a lone dateModified, a
    <time> element below the body, JSON in scripts and attributes. Measured on the wcxb
    tune split (390 dated pages): on every undated page, day 0.836 -> 0.872, but reference
    and shop pages (MDN, Steam) then carry a "last modified" day that the kind decision
    reads as a story's, others-not-article 0.748 -> 0.670; on story URLs alone the gain is
    kept for the most part and the kind shifts on two pages. The extensive search filled
    more pages than the quick one (33 against 23) but 15 of them wrong, at ten times the
    cost. htmldate gives a day only: midnight, UTC assumed. Its provenance is "library",
    and the page kind does not read such a date as the page's own (core._evidence): a
    date found in a URL or a script says nothing of whether the page is a story.
    """
    if not story_url(context.url):
        return None
    with warnings.catch_warnings():
        # htmldate warns through the standard library about dates it discards.
        warnings.simplefilter("ignore")
        try:
            markup = context.soup.decode(formatter=_RAW_MARKUP)
            found = htmldate.find_date(
                markup, url=context.url, extensive_search=False, original_date=True
            )
        except (ValueError, TypeError):
            return None
    if not found:
        return None
    try:
        day = datetime.strptime(found, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    return ParsedDate(day, assumed_utc=True)


def _on_url_day(page: Page, url: str, parsed: ParsedDate) -> ParsedDate:
    """A declared instant in UTC, told in the UTC offset of the page's own <time> values
    when that puts it on the day its URL names (WordPress declares 02:41 UTC on the 19th
    for a story filed at /2025/12/18/ in New York, whose comments are dated at -05:00).

    Kept as declared otherwise: with no day in the URL, the wcxb gold reads the UTC day.
    """
    offset = parsed.value.utcoffset()
    named = _URL_DAY.search(urlsplit(url).path)
    if parsed.assumed_utc or offset is None or offset or named is None:
        return parsed
    for index in page.times:
        value = page.nodes[index].tag.get("datetime")
        stamp = parse_structured(value) if isinstance(value, str) else None
        if stamp is None or stamp.assumed_utc or not stamp.value.utcoffset():
            continue
        local = parsed.value.astimezone(stamp.value.tzinfo)
        if local.strftime("%Y%m%d") == "".join(named.groups()):
            return ParsedDate(local, assumed_utc=False)
        break
    return parsed


def _stated_first_publication(page: Page) -> ParsedDate | None:
    """The date a sentence on the page gives as the first publication ("This article was
    originally published on 26 Sep 2019 at 4:12pm but has been regularly updated"), read
    before every other source: it says which of the page's dates is the original one. Not
    read in teasers, captions or hidden elements."""
    for block in page.blocks:
        if page.nodes[block.node].context & _NOT_HEADLINE:
            continue
        stated = _FIRST_PUBLISHED.search(block.text)
        if stated:
            parsed = parse_printed(block.text[stated.end() : stated.end() + STATED_DATE_CHARS])
            if parsed:
                return parsed
    return None


def _opening_dateline(body: BodyResult) -> ParsedDate | None:
    """The date a wire-style story opens with: "RAJSHAHI, Dec 20, 2025 (BSS) - Homestead
    gardening has...". Only a date set between a leading place name and the agency's bracket
    or a dash is read."""
    if not body.blocks:
        return None
    text = body.blocks[0].text
    place = _OPENING_PLACE.match(text)
    if place is None:
        return None
    head = _OPENING_END.split(text[place.end() : place.end() + OPENING_DATE_CHARS], 1)
    if len(head) < 2 or len(head[0].split()) > OPENING_DATE_WORDS:
        return None
    return parse_printed(head[0])


def _labelled_dateline(page: Page, excluded: list[bool]) -> ParsedDate | None:
    """The first short line anywhere on the page that names itself the publication
    ("Posted on the 15/12/2025 at 19:00", or a "Published" label over a "Feb 2, 2023"
    line), read when no date was found by the headline or in the body: many blog templates
    print it under the story. Lines set aside (teasers, comments, captions, hidden) are not
    read; the line is read only before an update word.
    """
    blocks = page.blocks
    for position, block in enumerate(blocks):
        label = _PUBLISHED_LABEL.match(block.text)
        if label is None or excluded[block.node] or len(block.text) > DATELINE_MAX_CHARS:
            continue
        text = block.text
        following = blocks[position + 1] if position + 1 < len(blocks) else None
        if not text[label.end() :].strip(" :|-") and following and not excluded[following.node]:
            text = following.text[:DATELINE_MAX_CHARS]
        parsed = _printed_before_update(text)
        if parsed:
            return parsed
    return None


def _printed_before_update(text: str) -> ParsedDate | None:
    """The date a line prints before any update word ("May 2, 2024 · Updated May 9")."""
    update = _UPDATE_LINE.search(text)
    return parse_printed(text[: update.start()] if update else text)


def _machine_written(value: Value) -> bool:
    """True unless a JSON-LD date is written for people rather than machines."""
    return value.source != "json-ld" or _MACHINE_DATE.match(value.text) is not None


def _time_value(page: Page, index: int) -> ParsedDate | None:
    tag = page.nodes[index].tag
    value = tag.get("datetime")
    parsed = parse_structured(value) if isinstance(value, str) else None
    return parsed or parse_printed(clean_space(tag.get_text(" ")))


def _headline_anchor(
    page: Page, excluded: list[bool], body: BodyResult, title: str | None
) -> int | None:
    """The element a printed date sits beside: the visible <h1> that prints the title (else
    the first visible one), else the first <h1> that is not hidden, a caption or a teaser
    (templates set the headline in wrappers named like furniture: "article-banner",
    "sidebar"), else the body's first block."""
    key = fold(title) if title else ""
    printing = (index for index in page.h1 if not excluded[index] and key)
    titled = next((index for index in printing if fold(page.text_of(index)) == key), None)
    visible = (
        titled
        if titled is not None
        else next((index for index in page.h1 if not excluded[index]), None)
    )
    if visible is not None:
        return visible
    shown = (index for index in page.h1 if not page.nodes[index].context & _NOT_HEADLINE)
    first = next(shown, None)
    if first is not None:
        return first
    return body.blocks[0].node if body.blocks else None


def _dateline_near_headline(
    page: Page, excluded: list[bool], body: BodyResult, anchor: int | None
) -> ParsedDate | None:
    """A short printed date line in the blocks around the headline.

    Many templates print "Nov 21, 2018" or "Published on July 18, 2025" in the hero beside
    the headline, outside the body container and without a <time> element. A line naming an
    update is read only before the update word ("May 2, 2024 - Updated June 1, 2025"):
    published_at is the original publication. A <time> element in these blocks is read
    first. Lines in furniture-named wrappers are read when the headline sits in one, or
    when they follow the headline and come before the body or are marked as a date line
    (never hidden ones, captions or teasers).
    """
    if anchor is None:
        return None
    blocks = page.blocks
    at = next((i for i, block in enumerate(blocks) if block.node >= anchor), len(blocks))
    window = blocks[max(0, at - DATELINE_BLOCKS_BEFORE) : at + DATELINE_BLOCKS_AFTER]
    if not window:
        return None
    first, last = window[0].node, window[-1].node
    for index in page.times:
        if first <= index <= last and not excluded[index]:
            parsed = _time_value(page, index)
            if parsed:
                return parsed
    in_furniture = excluded[anchor]
    first_body = body.blocks[0].node if body.blocks else len(page.nodes)
    for block in window:
        text = block.text
        if len(text) > DATELINE_MAX_CHARS:
            continue
        context = page.nodes[block.node].context
        after = block.node >= anchor
        if excluded[block.node] and (
            context & _NOT_HEADLINE
            or not (in_furniture or (after and (block.node < first_body or context & DATELINE)))
        ):
            continue
        if _captions_a_picture(page, block.node, text):
            continue
        parsed = _printed_before_update(text)
        if parsed:
            return parsed
    return None


def _captions_a_picture(page: Page, index: int, text: str) -> bool:
    """True when the line repeats the alt or title text of a picture set beside it (in the
    same parent): a caption without caption markup ("Fighting near the river, 24 April
    2023" under a photo), whose date is the picture's, not the story's."""
    node = page.nodes[index]
    parent = page.nodes[node.parent].tag if node.parent >= 0 else node.tag
    key = fold(text)
    for image in parent.find_all("img", limit=CAPTION_IMAGES):
        for attr in ("alt", "title"):
            value = image.get(attr)
            if isinstance(value, str) and fold(value) == key:
                return True
    return False
