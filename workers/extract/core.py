"""The extract() pipeline: parse once, read structured data, find the body, assemble records."""

from __future__ import annotations

import gc
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from bs4 import BeautifulSoup, Tag

from workers.extract import authors as author_rules
from workers.extract.body import (
    BodyResult,
    Sums,
    choose_container,
    excluded_nodes,
    is_dateline,
    select_blocks,
    subtree_sums,
)
from workers.extract.dates import ParsedDate, parse_printed, parse_structured
from workers.extract.dom import Block, Page, walk
from workers.extract.language import normalise_language
from workers.extract.metadata import Structured, Value, is_cms_account, read_structured
from workers.extract.patterns import BYLINE, CAPTION, DATELINE, SUBTITLE_HINT
from workers.extract.rules import SiteRule, SiteRules
from workers.extract.teasers import TeaserScan, find_teasers
from workers.extract.text import clean_space, fold, word_count
from workers.models import Article, Image, PageExtraction, Provenance, Teaser
from workers.urls import host_of, normalize_url

# An article needs at least this many words of body (fewer with structured evidence).
MIN_ARTICLE_WORDS = 60
MIN_DECLARED_ARTICLE_WORDS = 25
MIN_LISTING_TEASERS = 3
_MAX_BYLINE_WEIGHT = 120
_MIN_SUBTITLE_WEIGHT = 30
_MIN_DESCRIPTION_KEY = 40
# A standfirst may open with a dateline ("Berlin.") that the description leaves out.
_MAX_DESCRIPTION_EXTRA = 30
_TAG = re.compile(r"<[^>]{0,2000}>")
_LINE_BREAKS = re.compile(r"\s*\n\s*")
_MIN_DECLARED_BODY_WORDS = 120
# Share of the shown text's word 4-grams that must reappear in the declared body.
_MIN_SHOWN_IN_DECLARED = 0.5
_MAX_SIGNATURE_WEIGHT = 60
_SIGNATURE_REACH = 3
_TITLE_SEPARATORS = re.compile(
    r"\s+[|\u2013\u2014\-:\u00b7\u2022/]\s+|\s*[|\u00bb\u00ab\uff1a\u3010\u3011]\s*|--"
)
_TITLE_TRIM = " |-\u2013\u2014:\u00b7\u2022/\u00bb\u00ab\uff1a"
_MAX_HEADINGS = 3
_MIN_TITLE_KEY = 8
_MIN_SITE_KEY = 3
_BYLINE_START = re.compile(
    r"^(?:by|von|par|por|door|av|af|di|de|texto|text|autor|written by|reported by)[:\s]|"
    # Chinese credits: editor in charge, author, reporter ("责编", "作者", "记者").
    r"^[(\uff08]?\s*(?:\u8d23\u7f16|\u8d23\u4efb\u7f16\u8f91|\u4f5c\u8005|\u8bb0\u8005)\s*[:\uff1a/\s]",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _Context:
    """What the field pickers share: the tree, the walk, structured data, the chosen body."""

    soup: BeautifulSoup
    page: Page
    structured: Structured
    body: BodyResult
    excluded: list[bool]
    rule: SiteRule | None
    url: str


@dataclass(slots=True)
class _Found:
    """A chosen field value with its provenance."""

    value: str
    source: Provenance


def extract(html: str, url: str, rules: SiteRules | None = None) -> PageExtraction:
    """Extract the article, teasers and links of one page (pure: no I/O, no settings)."""
    if not html or not html.strip():
        return PageExtraction(kind="other", url=url, reason="empty document")
    with _collector_paused():
        soup = BeautifulSoup(html, "lxml")
        try:
            return _extract_parsed(soup, url, rules)
        finally:
            # Break the tree's parent/child cycles now, so it is freed at once rather than
            # left for a later full garbage collection to find. (Decomposing the
            # BeautifulSoup object itself leaves its children linked.)
            for child in list(soup.contents):
                child.decompose()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a page is parsed and walked.

    Building a soup allocates tens of thousands of tracked objects, which triggers repeated
    full collections that rescan every live object in the process; nothing here creates
    cyclic garbage that must be found by the collector (the soup's cycles are broken before
    it is dropped), so it can wait until the page is done. The previous state is restored;
    nothing changes when the caller had already disabled the collector.
    """
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _extract_parsed(soup: BeautifulSoup, url: str, rules: SiteRules | None) -> PageExtraction:
    scan = _scan_teasers(soup, url)
    rule = rules.for_url(url) if rules is not None else None
    removed = _removed_ids(soup, rule)
    page = walk(soup, removed, {id(block) for block in scan.blocks})
    links = _links(page.hrefs, url)
    teasers = list(scan.teasers)
    if not page.nodes or not page.blocks:
        return _not_article(url, teasers, links, "no text")
    structured = read_structured(page, url)
    article = _article(soup, page, structured, url, rule)
    if article is not None and _is_article(article, structured):
        return PageExtraction(
            kind="article", url=url, article=article, teasers=teasers, links=links
        )
    return _not_article(url, teasers, links, "no main content")


def _scan_teasers(soup: BeautifulSoup, url: str) -> TeaserScan:
    """Teasers and their blocks; a failing teaser scan costs the teasers, never the article."""
    try:
        return find_teasers(soup, url)
    except Exception:  # noqa: BLE001  (best effort: e.g. an unparseable page URL)
        return TeaserScan()


def _not_article(url: str, teasers: list[Teaser], links: list[str], reason: str) -> PageExtraction:
    if len(teasers) >= MIN_LISTING_TEASERS:
        return PageExtraction(kind="listing", url=url, teasers=teasers, links=links)
    return PageExtraction(kind="other", url=url, teasers=teasers, links=links, reason=reason)


def _is_article(article: Article, structured: Structured) -> bool:
    """Enough body, or a shorter one on a page that declares (or a rule marks) an article."""
    if article.word_count >= MIN_ARTICLE_WORDS:
        return True
    declared = structured.declares_article or article.provenance.get("body") == "rule"
    return declared and article.word_count >= MIN_DECLARED_ARTICLE_WORDS


def _removed_ids(soup: BeautifulSoup, rule: SiteRule | None) -> set[int]:
    if rule is None or not rule.remove:
        return set()
    return {id(tag) for selector in rule.remove for tag in soup.select(selector)}


@lru_cache(maxsize=65536)
def _absolute_link(href: str) -> str | None:
    return normalize_url(href)


def _links(hrefs: list[str], page_url: str) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    raw_seen: set[str] = set()
    for raw in hrefs:
        href = raw.strip()
        if not href or href in raw_seen or href.startswith(("#", "javascript:", "mailto:")):
            continue
        raw_seen.add(href)
        if href.startswith(("http://", "https://")):
            link = _absolute_link(href)
        else:
            link = normalize_url(href, page_url)
        if link and link not in seen:
            seen.add(link)
            out.append(link)
    return out


def _article(
    soup: BeautifulSoup,
    page: Page,
    structured: Structured,
    url: str,
    rule: SiteRule | None,
) -> Article | None:
    provenance: dict[str, Provenance] = {}
    excluded = excluded_nodes(page)
    sums = subtree_sums(page, excluded)
    title = _rule_text(soup, page, rule.title if rule else None) or _title(
        page, structured, excluded, url
    )
    headline = _headline_node(page, excluded, title.value if title else None)
    body = _rule_body(soup, page, rule, excluded, sums, title.value if title else None)
    if body is None:
        container = choose_container(page, excluded, sums)
        if container is None:
            return None
        body = select_blocks(
            page, container, excluded, title.value if title else None, sums, headline
        )
        body_source: Provenance = "dom"
    else:
        body_source = "rule"
    subtitle = _rule_text(soup, page, rule.subtitle if rule else None) or _subtitle(
        page, structured, body, excluded, title.value if title else None, headline
    )
    _pull_signature_bylines(body)
    paragraphs = [block.text for block in body.blocks]
    if subtitle and paragraphs and fold(paragraphs[0]) == fold(subtitle.value):
        paragraphs.pop(0)
    if body_source == "dom" and structured.article_body:
        declared = _declared_body(structured.article_body, paragraphs)
        if declared is not None:
            paragraphs, body_source = declared, "json-ld"
    paragraphs, credit_agency = _strip_credits(paragraphs)
    paragraphs = _dedupe(paragraphs)
    text = "\n\n".join(paragraphs)
    if title:
        provenance["title"] = title.source
    if subtitle:
        provenance["subtitle"] = subtitle.source
    if text:
        provenance["body"] = body_source
    context = _Context(soup, page, structured, body, excluded, rule, url)
    names, agency, author_source = _authors(context)
    if names:
        provenance["authors"] = author_source
    agency = agency or credit_agency or _publisher_agency(structured)
    if agency:
        provenance["agency"] = author_source if agency != credit_agency else "dom"
    published, published_source = _published(context)
    updated = _first_date(structured.modified)
    assumed: list[str] = []
    if published:
        provenance["published_at"] = published_source
        if published.assumed_utc:
            assumed.append("published_at")
    if updated:
        provenance["updated_at"] = updated[1]
        if updated[0].assumed_utc:
            assumed.append("updated_at")
    language = _language(page, structured)
    if language:
        provenance["language"] = language.source
    image = _image(soup, page, structured, body, url, rule)
    if image:
        provenance["image"] = image[1]
    canonical = _canonical(page, structured, url)
    if structured.section:
        provenance["section"] = structured.section.source
    if structured.tags and structured.tags_source:
        provenance["tags"] = structured.tags_source
    return Article(
        url=url,
        canonical_url=canonical,
        title=title.value if title else None,
        subtitle=subtitle.value if subtitle else None,
        body=text,
        authors=names,
        agency=agency,
        published_at=published.value if published else None,
        updated_at=updated[0].value if updated else None,
        section=structured.section.text if structured.section else None,
        tags=_unique(structured.tags),
        language=language.value if language else None,
        image=image[0] if image else None,
        word_count=word_count(text),
        provenance=provenance,
        assumed_utc=assumed,
    )


def _declared_body(article_body: str, paragraphs: list[str]) -> list[str] | None:
    """JSON-LD articleBody paragraphs when the page shows only the start of the story.

    Paywalled pages print a teaser paragraph or two and declare the whole text in JSON-LD;
    the declared text is used only when it is much longer and begins with what is shown.
    """
    text = html.unescape(_TAG.sub(" ", article_body)) if "<" in article_body else article_body
    declared = [clean_space(part) for part in _LINE_BREAKS.split(text)]
    declared = [part for part in declared if part]
    declared_words = word_count(" ".join(declared))
    shown = " ".join(paragraphs)
    if declared_words < _MIN_DECLARED_BODY_WORDS or word_count(shown) > 0.4 * declared_words:
        return None
    shown_words = fold(shown).split()
    shown_grams = _grams(shown_words)
    if shown_grams:
        # What is shown must be the opening of the declared text, not a part of something else.
        opening = fold(" ".join(declared)).split()[: 2 * len(shown_words) + 20]
        if len(shown_grams & _grams(opening)) < _MIN_SHOWN_IN_DECLARED * len(shown_grams):
            return None
    return declared


def _grams(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + 4]) for i in range(len(words) - 3)}


def _pull_signature_bylines(body: BodyResult) -> None:
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


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _dedupe(paragraphs: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for paragraph in paragraphs:
        key = fold(paragraph)
        if key and len(key) > 40 and key in seen:
            continue
        seen.add(key)
        out.append(paragraph)
    return out


def _strip_credits(paragraphs: list[str]) -> tuple[list[str], str | None]:
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


# --- title ---------------------------------------------------------------------------------


def _title(page: Page, structured: Structured, excluded: list[bool], url: str) -> _Found | None:
    """The headline: the declared one (JSON-LD, OpenGraph...) unless the page shows another.

    A declared title that the page's <h1> repeats wins outright; an <h1> found inside the
    first declared title (which may carry a site name) wins next; then the first declared.
    """
    headings = [
        clean_space(page.text_of(index).replace("\n", " "))
        for index in page.h1[:_MAX_HEADINGS]
        if not excluded[index]
    ]
    headings = [text for text in headings if text]
    declared = [
        _Found(_strip_site_name(html.unescape(value.text), structured, url), value.source)
        for value in structured.titles
    ]
    declared = [found for found in declared if found.value]
    heading_keys = [fold(heading) for heading in headings]
    for candidate in declared:
        if fold(candidate.value) in heading_keys:
            return candidate
    if declared:
        first_key = fold(declared[0].value)
        for heading, key in zip(headings, heading_keys, strict=True):
            if len(key) >= _MIN_TITLE_KEY and key in first_key:
                return _Found(heading, "dom")
        return declared[0]
    if headings:
        return _Found(headings[0], "dom")
    if page.title_tag:
        return _Found(_strip_site_name(page.title_tag, structured, url), "dom")
    return None


def _strip_site_name(title: str, structured: Structured, url: str) -> str:
    """Remove a trailing or leading site name: 'Headline | The Daily' -> 'Headline'."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    names = [fold(name) for name in (structured.site_name, structured.publisher) if name]
    host = host_of(url).removeprefix("www.").replace(".", "").replace("-", "")
    for part, keep in ((parts[-1], "head"), (parts[0], "tail")):
        key = fold(part)
        if not key:
            continue
        compact = key.replace(" ", "")
        named = any(key == name or (name and name in key) for name in names)
        in_host = len(compact) >= _MIN_SITE_KEY and compact in host and len(key.split()) <= 4
        if named or in_host:
            if keep == "head":
                return title[: title.rfind(part)].rstrip(_TITLE_TRIM)
            return title[title.find(part) + len(part) :].lstrip(_TITLE_TRIM)
    return title


# --- rules ---------------------------------------------------------------------------------


def _select(soup: BeautifulSoup, selector: str | None) -> list[Tag]:
    if not selector:
        return []
    return [tag for tag in soup.select(selector) if isinstance(tag, Tag)]


def _rule_text(soup: BeautifulSoup, page: Page, selector: str | None) -> _Found | None:
    for tag in _select(soup, selector):
        index = page.node_of(tag)
        text = page.text_of(index) if index is not None else tag.get_text(" ")
        text = clean_space(text.replace("\n", " "))
        if text:
            return _Found(text, "rule")
    return None


def _rule_body(
    soup: BeautifulSoup,
    page: Page,
    rule: SiteRule | None,
    excluded: list[bool],
    sums: Sums,
    title: str | None,
) -> BodyResult | None:
    if rule is None or not rule.body:
        return None
    containers = sorted(
        index for tag in _select(soup, rule.body) if (index := page.node_of(tag)) is not None
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


# --- subtitle ------------------------------------------------------------------------------


def _subtitle(
    page: Page,
    structured: Structured,
    body: BodyResult,
    excluded: list[bool],
    title: str | None,
    headline: int | None,
) -> _Found | None:
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
            return _Found(block.text, "dom")
    descriptions = [fold(html.unescape(value.text)) for value in structured.descriptions]
    for block in candidates:
        key = fold(block.text)
        if len(key) < _MIN_SUBTITLE_WEIGHT:
            continue
        for description in descriptions:
            if _repeats_description(key, description):
                return _Found(block.text, "dom")
    return None


def _repeats_description(key: str, description: str) -> bool:
    """True when a block is the page's description, give or take a truncation or a dateline."""
    if key == description:
        return True
    if len(description) <= _MIN_DESCRIPTION_KEY:
        return False
    probe = description[:-3] if description.endswith("...") else description[:-2]
    return probe in key and len(key) <= len(description) + _MAX_DESCRIPTION_EXTRA


def _headline_node(page: Page, excluded: list[bool], title: str | None) -> int | None:
    """The <h1> that prints the title (or the first visible <h1>)."""
    visible = [index for index in page.h1 if not excluded[index]]
    if title:
        key = fold(title)
        for index in visible:
            if fold(page.text_of(index)) == key:
                return index
    return visible[0] if visible else None


# --- authors -------------------------------------------------------------------------------


def _authors(context: _Context) -> tuple[list[str], str | None, Provenance]:
    """Credited people, best source first; desks and publishers only when no person is named."""
    soup, structured, rule = context.soup, context.structured, context.rule
    tiers: list[tuple[list[str], Provenance]] = []
    if rule and rule.authors:
        tiers.append(
            ([clean_space(tag.get_text(" ")) for tag in _select(soup, rule.authors)], "rule")
        )
    source = structured.authors_source or "json-ld"
    people = [p.name for p in structured.authors if not p.is_org and not _org_like(p.name, context)]
    metas = [v.text for v in structured.meta_authors if not _org_like(v.text, context)]
    tiers += [(people, source), (metas, "meta")]
    for group in _dom_bylines(context):
        printed = [name for name in group if not _org_like(name, context)]
        tiers.append(([name for name in printed if _cased_like_a_name(name)], "dom"))
    orgs = [p.name for p in structured.authors if p.is_org or _org_like(p.name, context)]
    meta_orgs = [v.text for v in structured.meta_authors if _org_like(v.text, context)]
    tiers += [(orgs, source), (meta_orgs, "meta")]
    agency: str | None = None
    for raw, provenance in tiers:
        if not raw:
            continue
        names, found = author_rules.clean_names(raw)
        agency = agency or found
        people_only = [name for name in names if not author_rules.looks_like_domain(name)]
        if people_only:
            return people_only, agency, provenance
        if names and provenance in {"json-ld", "microdata"} and raw is orgs:
            return names, agency, provenance
    return [], agency, source


def _cased_like_a_name(text: str) -> bool:
    """Printed names in cased scripts start with a capital; 'israel news' is an account."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or not any(ch.islower() or ch.isupper() for ch in letters):
        return True
    return any(word[:1].isupper() for word in text.split())


def _org_like(name: str, context: _Context) -> bool:
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


def _dom_bylines(context: _Context) -> list[list[str]]:
    """Byline candidates printed on the page, most precise kind first.

    Author-page links, then text in byline/author elements, then lines opening with "By".
    """
    page, body, excluded = context.page, context.body, context.excluded
    limit = page.nodes[body.container].end if body.container is not None else len(page.nodes)
    start = page.h1[0] if page.h1 else 0
    links: list[str] = []
    for index in page.author_links:
        node = page.nodes[index]
        href = node.tag.get("href")
        if isinstance(href, str) and is_cms_account(href):
            continue
        if start <= index < limit and not excluded[index] and not node.context & CAPTION:
            text = clean_space(node.tag.get_text(" "))
            if text and text not in links:
                links.append(text)
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
        elif _BYLINE_START.match(block.text) and block.text not in prefixed:
            prefixed.append(block.text)
    return [links[:6], marked[:3], prefixed[:2]]


def _publisher_agency(structured: Structured) -> str | None:
    if structured.publisher:
        return author_rules.agency_name(structured.publisher)
    return None


# --- dates ---------------------------------------------------------------------------------


def _first_date(values: list[Value]) -> tuple[ParsedDate, Provenance] | None:
    for value in values:
        parsed = parse_structured(value.text)
        if parsed is not None:
            return parsed, value.source
    return None


def _published(context: _Context) -> tuple[ParsedDate | None, Provenance]:
    soup, page, structured, rule = context.soup, context.page, context.structured, context.rule
    body, excluded = context.body, context.excluded
    if rule and rule.published_at:
        for tag in _select(soup, rule.published_at):
            for attr in ("datetime", "content"):
                value = tag.get(attr)
                if isinstance(value, str) and (parsed := parse_structured(value)):
                    return parsed, "rule"
            printed = parse_printed(clean_space(tag.get_text(" ")))
            if printed:
                return printed, "rule"
    found = _first_date(structured.published)
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
    return None, "dom"


# --- language, image, canonical --------------------------------------------------------------


def _language(page: Page, structured: Structured) -> _Found | None:
    candidates: list[tuple[str | None, Provenance]] = [
        *((value.text, value.source) for value in structured.languages if value.source != "meta"),
        (page.html_lang, "dom"),
        *((value.text, value.source) for value in structured.languages if value.source == "meta"),
    ]
    for raw, source in candidates:
        code = normalise_language(raw) if raw else None
        if code:
            return _Found(code, source)
    return None


def _image(
    soup: BeautifulSoup,
    page: Page,
    structured: Structured,
    body: BodyResult,
    url: str,
    rule: SiteRule | None,
) -> tuple[Image, Provenance] | None:
    if rule and rule.image:
        for tag in _select(soup, rule.image):
            src = _img_src(tag)
            absolute = normalize_url(src, url) if src else None
            if absolute:
                return Image(absolute, *_figure_caption(page, tag)), "rule"
    info = structured.image
    if info is not None:
        absolute = normalize_url(info.url, url)
        if absolute:
            caption, credit = info.caption, info.credit
            if caption is None or credit is None:
                dom_caption, dom_credit = _caption_for(page, absolute, url)
                caption = caption or dom_caption
                credit = credit or dom_credit
            return Image(absolute, caption, credit), info.source
    if body.container is None:
        return None
    end = page.nodes[body.container].end
    for index in page.images:
        if (body.container <= index < end and not body.excluded[index]) or (
            body.container <= index < end and page.nodes[index].context & CAPTION
        ):
            tag = page.nodes[index].tag
            src = _img_src(tag)
            absolute = normalize_url(src, url) if src else None
            if absolute:
                return Image(absolute, *_figure_caption(page, tag)), "dom"
    return None


def _img_src(tag: Tag) -> str | None:
    image = tag if tag.name == "img" else tag.find("img")
    if not isinstance(image, Tag):
        content = tag.get("content")
        return content if isinstance(content, str) else None
    for attr in ("src", "data-src", "data-original", "data-lazy-src"):
        value = image.get(attr)
        if isinstance(value, str) and value.strip() and not value.startswith("data:"):
            return value
    return None


def _caption_for(page: Page, image_url: str, page_url: str) -> tuple[str | None, str | None]:
    stem = image_url.rsplit("/", 1)[-1].split("?", maxsplit=1)[0]
    if len(stem) < 6:
        return None, None
    for index in page.images:
        src = _img_src(page.nodes[index].tag)
        if src and stem in src:
            return _figure_caption(page, page.nodes[index].tag)
    return None, None


def _figure_caption(page: Page, tag: Tag) -> tuple[str | None, str | None]:
    figure = tag if tag.name == "figure" else tag.find_parent("figure")
    if not isinstance(figure, Tag):
        return None, None
    caption_tag = figure.find("figcaption")
    if not isinstance(caption_tag, Tag):
        return None, None
    credit_tag = caption_tag.find(class_=re.compile(r"credit|copyright|source", re.IGNORECASE))
    credit = clean_space(credit_tag.get_text(" ")) if isinstance(credit_tag, Tag) else None
    caption = clean_space(caption_tag.get_text(" "))
    if credit and caption.endswith(credit):
        caption = caption[: -len(credit)].rstrip(" |-\u2013\u2014/")
    return caption or None, credit or None


def _canonical(page: Page, structured: Structured, url: str) -> str:
    candidates = [page.canonical, *(value.text for value in structured.canonical)]
    for candidate in candidates:
        if candidate:
            absolute = normalize_url(candidate, url)
            if absolute:
                return absolute
    return normalize_url(url) or url
