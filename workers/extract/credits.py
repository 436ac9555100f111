"""Who wrote it: byline sources in order of trust, printed signatures, agency credit lines."""

from __future__ import annotations

import re
from bisect import bisect_right

from workers.extract import authors as author_rules
from workers.extract.body import BodyResult
from workers.extract.dom import Block, Page
from workers.extract.fields import Context, select
from workers.extract.flags import BYLINE, CAPTION, HIDDEN, TEASER
from workers.extract.jsonld import is_cms_account
from workers.extract.structured import Structured
from workers.extract.text import clean_space, fold
from workers.models import Provenance
from workers.urls import host_of

_MAX_BYLINE_WEIGHT = 120
_MAX_SIGNATURE_WEIGHT = 60
_SIGNATURE_REACH = 3
_LINK_BLOCK_REACH = 50
# Bylines printed outside the story's span (above a promo <h1>, in an author box after the
# body, in a sidebar card) are read last of all, at most this many.
_MAX_OUTSIDE_BYLINES = 2
_BYLINE_START = re.compile(
    r"^(?:by|von|par|por|door|av|af|di|de|texto|text|autor|written by|reported by)[:\s]|"
    # A "By" label in its own element, glued to the name: "ByJane Doe".
    r"^(?-i:By(?=[A-Z][a-z]))|"
    # Chinese credits: editor in charge, author, reporter ("责编", "作者", "记者").
    r"^[(\uff08]?\s*(?:\u8d23\u7f16|\u8d23\u4efb\u7f16\u8f91|\u4f5c\u8005|\u8bb0\u8005)\s*[:\uff1a/\s]",
    re.IGNORECASE,
)


# A sentence opening with "By" ("By adopting these rules, ..."): a lower-case word after it
# that more text follows ("by acme | May 2" names a lower-case brand).
_SENTENCE_AFTER_BY = re.compile(r"^\S+\s+[a-z]\w*\s+(?![|,\u00b7\u2022\u2013\u2014-])\S")
# Credits for checking the work, not writing it: "Reviewed by", "Fact checked by".
_REVIEWER_LABEL = re.compile(
    r"\b(?:(?:medically|clinically|expert|legally)\s+)?(?:reviewed|fact[- ]?checked|checked|"
    r"verified)\s+by\b\s*:?\s*",
    re.IGNORECASE,
)
# Running text that links a name to its profile ("As Dr. Jane Doe, a psychologist, ...")
# mentions someone: a link in a block heavier than this counts only after every byline.
_MAX_LINK_BLOCK_WEIGHT = 180


def pick_authors(context: Context) -> tuple[list[str], str | None, Provenance]:
    """Credited people, best source first; reviewers named beside a writer are left out."""
    names, agency, provenance = _pick_authors(context)
    reviewers = _reviewers(context)
    writers = [name for name in names if name.casefold() not in reviewers]
    return (writers or names), agency, provenance


def _reviewers(context: Context) -> set[str]:
    """Names the page credits for reviewing or fact-checking, case-folded."""
    page, body = context.page, context.body
    limit = page.nodes[body.container].end if body.container is not None else len(page.nodes)
    texts = [*body.bylines]
    for block in page.blocks:
        if block.node >= limit:
            break
        if block.weight <= _MAX_BYLINE_WEIGHT and _REVIEWER_LABEL.search(block.text):
            texts.append(block.text)
    found: set[str] = set()
    for text in texts:
        for match in _REVIEWER_LABEL.finditer(text):
            tail = text[match.end() :]
            cut = _REVIEWER_LABEL.search(tail)
            label_end = re.search(r"\b(?:by|written by)\b", tail, re.IGNORECASE)
            ends = [m.start() for m in (cut, label_end) if m is not None]
            for name in author_rules.split_byline(tail[: min(ends)] if ends else tail):
                found.add(name.casefold())
    return found


def _pick_authors(context: Context) -> tuple[list[str], str | None, Provenance]:
    """Credited people, best source first; desks and publishers only when no person is named."""
    soup, structured, rule = context.soup, context.structured, context.rule
    tiers: list[tuple[list[str], Provenance]] = []
    if rule and rule.authors:
        tiers.append(
            ([clean_space(tag.get_text(" ")) for tag in select(soup, rule.authors)], "rule")
        )
    source = structured.authors_source or "json-ld"
    people = [p.name for p in structured.authors if not p.is_org and not _org_like(p.name, context)]
    metas = [v.text for v in structured.meta_authors if not _org_like(v.text, context)]
    tiers += [(people, source), (metas, "meta")]
    # A desk named after the site is its team ("Acme Staff"); an author-page link named like
    # the site may be its owner's (a personal site: "Jane Roe" on janeroe.com), but news
    # sites link their newsroom account so ("The Daily Times"): it comes after every printed
    # byline. Structured data naming a person like the site stays with the organisations.
    links, marked, prefixed, mentions = _dom_bylines(context)
    groups: list[tuple[list[str], Provenance]] = [
        ([name for name in links if not _org_like(name, context)], "dom")
    ]
    for group in (marked, prefixed):
        kept = [
            name for name in group if not _org_like(name, context) or author_rules.is_desk(name)
        ]
        groups.append((kept, "dom"))
    groups += [([name for name in links if _own_name(name, context)], "dom"), (mentions, "dom")]
    for group, provenance in groups:
        tiers.append(([name for name in group if _cased_like_a_name(name)], provenance))
    orgs = [p.name for p in structured.authors if p.is_org or _org_like(p.name, context)]
    meta_orgs = [v.text for v in structured.meta_authors if _org_like(v.text, context)]
    tiers += [(orgs, source), (meta_orgs, "meta")]
    # Last of all, a credit printed outside the story's span (_outside_bylines).
    outside = [name for name in _outside_bylines(context) if not _org_like(name, context)]
    tiers.append(([name for name in outside if _cased_like_a_name(name)], "outside"))
    agency: str | None = None
    for raw, provenance in tiers:
        if not raw:
            continue
        names, found = author_rules.clean_names(raw)
        agency = agency or found
        names = [_without_outlet(name, context) for name in names]
        people_only = [name for name in names if not author_rules.looks_like_domain(name)]
        if people_only:
            return people_only, agency, provenance
        if names and provenance in {"json-ld", "microdata"} and raw is orgs:
            return names, agency, provenance
    return [], agency, source


def _without_outlet(name: str, context: Context) -> str:
    """'Jane Doe USA TODAY' -> 'Jane Doe': the publication's name printed after a person's
    (two words at least are left), as a byline box sets it."""
    structured = context.structured
    words = name.split()
    for org in (structured.publisher, structured.site_name):
        tail = org.split() if org else []
        if not tail or len(words) < len(tail) + 2:
            continue
        if fold(" ".join(words[-len(tail) :])) == fold(" ".join(tail)):
            return " ".join(words[: -len(tail)])
    return name


def _cased_like_a_name(text: str) -> bool:
    """Printed names in cased scripts start with a capital; 'israel news' is an account."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or not any(ch.islower() or ch.isupper() for ch in letters):
        return True
    return any(word[:1].isupper() for word in text.split())


def _own_name(name: str, context: Context) -> bool:
    """A person's or a desk's name that the org test takes for the site's own name."""
    if not _org_like(name, context):
        return False
    return author_rules.is_desk(name) or (author_rules.is_name_like(name) and len(name.split()) > 1)


def _org_like(name: str, context: Context) -> bool:
    """A credit that names the publication itself rather than a person."""
    if "://" in name or name.startswith(("www.", "@")):
        return True
    pieces = author_rules.split_byline(name)
    if len(pieces) > 1 and _org_like(pieces[0], context):
        # "hessenschau.de, Frankfurt, Germany": a publisher and its address.
        return True
    key = fold(name).replace(" ", "")
    if not key:
        return True
    structured = context.structured
    for org in (structured.publisher, structured.site_name):
        org_key = fold(org).replace(" ", "") if org else ""
        if org_key and org_key in key and 2 * len(org_key) >= len(key):
            return True
    host = host_of(context.url).removeprefix("www.")
    return len(key) >= 3 and key in host.replace(".", "").replace("-", "")


def _dom_bylines(context: Context) -> list[list[str]]:
    """Byline candidates printed on the page, most precise kind first.

    Author-page links, then text in byline/author elements, then lines opening with "By",
    then author-page links inside running text.
    """
    page, body, excluded = context.page, context.body, context.excluded
    limit = page.nodes[body.container].end if body.container is not None else len(page.nodes)
    start = page.h1[0] if page.h1 else 0
    links: list[str] = []
    mentions: list[str] = []
    for index in page.author_links:
        node = page.nodes[index]
        href = node.tag.get("href")
        if isinstance(href, str) and is_cms_account(href):
            continue
        if start <= index < limit and not excluded[index] and not node.context & CAPTION:
            text = clean_space(node.tag.get_text(" "))
            found = mentions if _in_running_text(page, index) else links
            if text and text not in found:
                found.append(text)
    marked: list[str] = list(body.bylines)
    prefixed: list[str] = []
    for block in page.blocks:
        if block.node < start or excluded[block.node] or block.weight > _MAX_BYLINE_WEIGHT:
            continue
        if block.node >= limit:
            break
        context_flags = page.nodes[block.node].context
        if block.heading or context_flags & CAPTION:
            continue
        if context_flags & BYLINE and block.text not in marked:
            marked.append(block.text)
        elif (
            _BYLINE_START.match(block.text)
            and not _SENTENCE_AFTER_BY.match(block.text)
            and block.text not in prefixed
        ):
            prefixed.append(block.text)
    return [links[:6], marked[:3], prefixed[:2], mentions[:2]]


def _outside_bylines(context: Context) -> list[str]:
    """Author-marked lines that _dom_bylines does not read: outside its span (before the
    first <h1>, after the story's container) or in furniture inside it (a share bar holding
    the author card), never in teasers, captions or hidden elements. Small sites print their
    one credit there; it is read only when nothing nearer names anyone."""
    page, body = context.page, context.body
    limit = page.nodes[body.container].end if body.container is not None else len(page.nodes)
    start = page.h1[0] if page.h1 else 0
    found: list[str] = []
    shut = TEASER | CAPTION | HIDDEN
    for block in page.blocks:
        read = start <= block.node < limit and not context.excluded[block.node]
        if read or block.heading or block.weight > _MAX_BYLINE_WEIGHT:
            continue
        flags = page.nodes[block.node].context
        if flags & BYLINE and not flags & shut and block.text not in found:
            found.append(block.text)
        if len(found) >= _MAX_OUTSIDE_BYLINES:
            break
    return found


def _in_running_text(page: Page, index: int) -> bool:
    """True when a link sits inside a paragraph too long to be a byline."""
    starts = [block.node for block in page.blocks]
    position = bisect_right(starts, index) - 1
    while position >= 0:
        block = page.blocks[position]
        if index < page.nodes[block.node].end:
            return block.weight > _MAX_LINK_BLOCK_WEIGHT
        position -= 1
        if index - block.node > _LINK_BLOCK_REACH:
            break
    return False


def publisher_agency(structured: Structured) -> str | None:
    """The agency a JSON-LD publisher names, if it is one."""
    if structured.publisher:
        return author_rules.agency_name(structured.publisher)
    return None


def pull_signature_bylines(body: BodyResult) -> None:
    """Move a byline printed as a paragraph near the top or bottom of the body to bylines.

    Small CMSes print "<p>By Jane Doe</p>" or "<p><strong>Jane Doe</strong></p>" above the
    story or sign it off in italics; it is a byline, not a paragraph, and what follows a
    sign-off is furniture.
    """
    blocks = body.blocks
    for index, block in enumerate(blocks[:_SIGNATURE_REACH]):
        if _is_signature(block):
            body.bylines.append(block.text)
            del blocks[index]
            break
    start = max(len(blocks) - _SIGNATURE_REACH, 0)
    for index in range(len(blocks) - 1, start - 1, -1):
        if _is_signature(blocks[index]):
            body.bylines.append(blocks[index].text)
            del blocks[index:]
            break


def _is_signature(block: Block) -> bool:
    if block.heading:
        return False
    if _BYLINE_START.match(block.text) and block.weight <= _MAX_BYLINE_WEIGHT:
        return author_rules.looks_like_byline(block.text)
    if block.weight > _MAX_SIGNATURE_WEIGHT:
        return False
    if block.bold_weight * 10 < block.weight * 9:
        return False
    pieces = author_rules.split_byline(block.text)
    return bool(pieces) and all(author_rules.is_name_like(piece) for piece in pieces)


def strip_credits(paragraphs: list[str]) -> tuple[list[str], str | None]:
    """Drop trailing credit lines ("(PTI)", "With files from AP") and report the agency."""
    agency: str | None = None
    while paragraphs:
        last = paragraphs[-1]
        found = author_rules.credit_line_agency(last)
        if found is None:
            if not author_rules.is_credit_note(last):
                break
            found = author_rules.first_agency_in(last)
        agency = agency or found
        paragraphs = paragraphs[:-1]
    if paragraphs:
        last, found = author_rules.strip_credit_suffix(paragraphs[-1])
        if found:
            paragraphs = [*paragraphs[:-1], last]
            agency = agency or found
    return paragraphs, agency
