"""Publication date: site rule, structured data, <time> elements, printed date lines."""

from __future__ import annotations

import re

from workers.extract.body import DATELINE_MAX_CHARS, BodyResult
from workers.extract.dates import ParsedDate, parse_printed, parse_structured
from workers.extract.dom import Page
from workers.extract.fields import Context, select
from workers.extract.flags import CAPTION, HIDDEN, TEASER
from workers.extract.structured import Value
from workers.extract.text import clean_space
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
    """Publication date: site rule, structured data, then <time> and printed datelines."""
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
    found = first_date(structured.published)
    if found:
        return found
    limit = page.nodes[body.container].end if body.container is not None else len(page.nodes)
    for index in page.times:
        if index >= limit or excluded[index]:
            continue
        tag = page.nodes[index].tag
        value = tag.get("datetime")
        parsed = parse_structured(value) if isinstance(value, str) else None
        parsed = parsed or parse_printed(clean_space(tag.get_text(" ")))
        if parsed:
            return parsed, "dom"
    for text in (*context.body.datelines, *context.body.bylines):
        parsed = parse_printed(text)
        if parsed:
            return parsed, "dom"
    return _dateline_near_headline(page, excluded, body), "dom"


def _headline_anchor(page: Page, excluded: list[bool], body: BodyResult) -> int | None:
    """The element a printed date sits beside: the first visible <h1>, else the first <h1>
    that is not hidden, a caption or a teaser (templates set the headline in wrappers named
    like furniture: "article-banner", "sidebar"), else the body's first block."""
    visible = next((index for index in page.h1 if not excluded[index]), None)
    if visible is not None:
        return visible
    shown = (index for index in page.h1 if not page.nodes[index].context & _NOT_HEADLINE)
    first = next(shown, None)
    if first is not None:
        return first
    return body.blocks[0].node if body.blocks else None


def _dateline_near_headline(
    page: Page, excluded: list[bool], body: BodyResult
) -> ParsedDate | None:
    """A short printed date line in the blocks around the headline.

    Many templates print "Nov 21, 2018" or "Published on July 18, 2025" in the hero beside
    the headline, outside the body container and without a <time> element. A line naming an
    update is read only before the update word ("May 2, 2024 - Updated June 1, 2025"):
    published_at is the original publication. When the headline itself sits in a wrapper
    named like furniture, the lines beside it are read too (not hidden ones, captions or
    teasers).
    """
    anchor = _headline_anchor(page, excluded, body)
    if anchor is None:
        return None
    in_furniture = excluded[anchor]
    blocks = page.blocks
    at = next((i for i, block in enumerate(blocks) if block.node >= anchor), len(blocks))
    for block in blocks[max(0, at - DATELINE_BLOCKS_BEFORE) : at + DATELINE_BLOCKS_AFTER]:
        text = block.text
        if len(text) > DATELINE_MAX_CHARS:
            continue
        if excluded[block.node] and (
            not in_furniture or page.nodes[block.node].context & _NOT_HEADLINE
        ):
            continue
        update = _UPDATE_LINE.search(text)
        parsed = parse_printed(text[: update.start()] if update else text)
        if parsed:
            return parsed
    return None
