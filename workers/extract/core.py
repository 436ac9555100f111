"""The extract() pipeline: parse once, read structured data, find the body, assemble records."""

from __future__ import annotations

import bisect
import dataclasses
import gc
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from bs4 import BeautifulSoup

from workers.extract.autodiscover import announced_feeds
from workers.extract.body import (
    choose_container,
    excluded_nodes,
    hidden_nodes,
    is_dateline,
    select_blocks,
    subtree_sums,
)
from workers.extract.credits import (
    pick_authors,
    publisher_agency,
    pull_signature_bylines,
    strip_credits,
)
from workers.extract.dom import Page, mark_teasers
from workers.extract.fields import (
    Context,
    headline_node,
    pick_canonical,
    pick_language,
    pick_subtitle,
    pick_title,
    rule_body,
    rule_text,
)
from workers.extract.flags import HIDDEN
from workers.extract.kind import KindEvidence, decide_kind, no_story, rescued_story
from workers.extract.lead_image import pick_image
from workers.extract.markup import parse_html
from workers.extract.metadata import read_structured
from workers.extract.patterns import SHOP_BUTTON, SHOP_BUTTON_MAX_CHARS
from workers.extract.published import first_date, pick_published
from workers.extract.rules import SiteRule, SiteRules
from workers.extract.structured import Structured
from workers.extract.teasers import TeaserScan, scan_tree
from workers.extract.teasers.tree import Tree
from workers.extract.text import clean_space, fold, looks_binary, word_count
from workers.extract.walk import walk
from workers.models import Article, PageExtraction, Provenance
from workers.urls import normalize_url

# An article needs at least this many words of body (fewer with structured evidence).
MIN_ARTICLE_WORDS = 60
MIN_DECLARED_ARTICLE_WORDS = 25
_TAG = re.compile(r"<[^>]{0,2000}>")
_LINE_BREAKS = re.compile(r"\s*\n\s*")
_MIN_DECLARED_BODY_WORDS = 120
# Share of the shown text's word 4-grams that must reappear in the declared body.
_MIN_SHOWN_IN_DECLARED = 0.5


def extract(html: str, url: str, rules: SiteRules | None = None) -> PageExtraction:
    """Extract the article, teasers and links of one page (pure: no I/O, no settings)."""
    if not html or not html.strip():
        return PageExtraction(kind="other", url=url, reason="empty document")
    if looks_binary(html):
        return PageExtraction(kind="other", url=url, reason="binary content, not text")
    with _collector_paused():
        soup = parse_html(html)
        try:
            feeds = announced_feeds(soup, url)
            extraction = _extract_parsed(soup, url, rules)
            return dataclasses.replace(extraction, feeds=feeds) if feeds else extraction
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
    rule = rules.for_url(url) if rules is not None else None
    page = walk(soup, _removed_ids(soup, rule), url)
    scan = _scan_teasers(page.tree)
    mark_teasers(page, scan.blocks)
    links = _links(page.hrefs, url)
    if not page.nodes or not page.blocks:
        return _not_article(url, scan, links, "no text")
    structured = read_structured(page, url)
    article = _article(soup, page, structured, url, rule)
    rescued = False
    if (article is None or not _is_article(article, structured)) and structured.declares_article:
        # Declared an article but no story found outside the furniture: look again with
        # only hidden elements and captions set aside.
        article = _article(soup, page, structured, url, rule, relaxed=True)
        rescued = True
    if article is None or not _is_article(article, structured):
        return _not_article(url, scan, links, "no main content")
    evidence = _evidence(page, structured, article, url, scan)
    if rescued and not rescued_story(evidence):
        return _not_article(url, scan, links, "no main content")
    decision = decide_kind(evidence)
    if decision.kind == "article":
        return PageExtraction(
            kind="article", url=url, article=article, teasers=list(scan.teasers), links=links
        )
    return PageExtraction(
        kind=decision.kind,
        url=url,
        teasers=list(scan.teasers),
        links=links,
        reason=decision.reason,
    )


def _evidence(
    page: Page, structured: Structured, article: Article, url: str, scan: TeaserScan
) -> KindEvidence:
    """What the kind decision reads about a page with a candidate body."""
    link_share, span_link_share, span_datelines = _body_span(page, article.body)
    return KindEvidence(
        url=url,
        words=article.word_count,
        teasers=scan.block_links,
        cards=scan.cards,
        declares_article=structured.declares_article or article.provenance.get("body") == "rule",
        # htmldate's fallback date (provenance "library") is not the page's own evidence.
        has_date=article.published_at is not None
        and article.provenance.get("published_at") != "library",
        # Nor is a credit printed outside the story's span (provenance "outside").
        has_authors=bool(article.authors) and article.provenance.get("authors") != "outside",
        types=frozenset(structured.types),
        code_blocks=sum(1 for node in page.nodes if node.name == "pre"),
        shop_button=_shows_buy_button(page),
        link_share=link_share,
        span_link_share=span_link_share,
        span_datelines=span_datelines,
    )


def _body_span(page: Page, body: str) -> tuple[float, float, int]:
    """Shares of text weight inside links, of the body and of all blocks across its span, and
    the date lines in that span.

    Each paragraph is found as the next block of the page with the same text (paragraphs come
    in document order); paragraphs rewritten on the way (list items, table rows) are skipped.
    The span runs from the first found block to the last, blocks the body left out included.
    With no paragraph found nothing is known: (0, 1, 0), no list of links and no link-free text.
    """
    positions: dict[str, list[int]] = {}
    for index, block in enumerate(page.blocks):
        positions.setdefault(block.text, []).append(index)
    weight = link_weight = 0
    first, start = -1, 0
    for paragraph in body.split("\n\n"):
        found = positions.get(paragraph)
        if not found:
            continue
        at = bisect.bisect_left(found, start)
        if at == len(found):
            continue
        block = page.blocks[found[at]]
        first = found[at] if first < 0 else first
        start = found[at] + 1
        weight += block.weight
        link_weight += block.link_weight
    if not weight:
        return 0.0, 1.0, 0
    span = page.blocks[first:start]
    span_weight = sum(block.weight for block in span)
    span_links = sum(block.link_weight for block in span)
    datelines = sum(1 for block in span if is_dateline(block.text))
    return link_weight / weight, span_links / span_weight if span_weight else 0.0, datelines


def _shows_buy_button(page: Page) -> bool:
    """A visible "Add to cart" label: a button, a submit input, or a short block of text."""
    for node in page.nodes:
        if node.context & HIDDEN:
            continue
        if node.name == "button":
            label = node.tag.get_text(" ", strip=True)
        elif node.name == "input" and node.tag.get("type") == "submit":
            value = node.tag.get("value")
            label = value if isinstance(value, str) else ""
        else:
            continue
        if len(label) <= SHOP_BUTTON_MAX_CHARS and SHOP_BUTTON.match(label):
            return True
    return any(
        len(block.text) <= SHOP_BUTTON_MAX_CHARS and SHOP_BUTTON.match(block.text)
        for block in page.blocks
    )


def _scan_teasers(tree: Tree) -> TeaserScan:
    """Teasers and their blocks; a failing teaser scan costs the teasers, never the article."""
    try:
        return scan_tree(tree)
    except Exception:  # noqa: BLE001  (best effort: e.g. an unparseable page URL)
        return TeaserScan()


def _not_article(url: str, scan: TeaserScan, links: list[str], reason: str) -> PageExtraction:
    decision = no_story(max(scan.block_links, scan.cards), reason, url)
    return PageExtraction(
        kind=decision.kind, url=url, teasers=list(scan.teasers), links=links, reason=decision.reason
    )


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
    *,
    relaxed: bool = False,
) -> Article | None:
    provenance: dict[str, Provenance] = {}
    excluded = hidden_nodes(page) if relaxed else excluded_nodes(page)
    sums = subtree_sums(page, excluded)
    title = rule_text(soup, page, rule.title if rule else None) or pick_title(
        page, structured, excluded, url
    )
    headline = headline_node(page, excluded, title.value if title else None)
    body = rule_body(soup, page, rule, excluded, sums, title.value if title else None)
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
    subtitle = rule_text(soup, page, rule.subtitle if rule else None) or pick_subtitle(
        page, structured, body, excluded, title.value if title else None, headline
    )
    pull_signature_bylines(body)
    paragraphs = [block.text for block in body.blocks]
    if subtitle and paragraphs and fold(paragraphs[0]) == fold(subtitle.value):
        paragraphs.pop(0)
    if body_source == "dom" and structured.article_body:
        declared = _declared_body(structured.article_body, paragraphs)
        if declared is not None:
            paragraphs, body_source = declared, "json-ld"
    paragraphs, credit_agency = strip_credits(paragraphs)
    paragraphs = _dedupe(paragraphs)
    text = "\n\n".join(paragraphs)
    if title:
        provenance["title"] = title.source
    if subtitle:
        provenance["subtitle"] = subtitle.source
    if text:
        provenance["body"] = body_source
    context = Context(
        soup, page, structured, body, excluded, rule, url, title.value if title else None
    )
    names, agency, author_source = pick_authors(context)
    if names:
        provenance["authors"] = author_source
    agency = agency or credit_agency or publisher_agency(structured)
    if agency:
        provenance["agency"] = author_source if agency != credit_agency else "dom"
    published, published_source = pick_published(context)
    updated = first_date(structured.modified)
    assumed: list[str] = []
    if published:
        provenance["published_at"] = published_source
        if published.assumed_utc:
            assumed.append("published_at")
    if updated:
        provenance["updated_at"] = updated[1]
        if updated[0].assumed_utc:
            assumed.append("updated_at")
    language = pick_language(page, structured, f"{title.value}\n\n{text}" if title else text)
    if language:
        provenance["language"] = language.source
    image = pick_image(soup, page, structured, body, url, rule)
    if image:
        provenance["image"] = image[1]
    canonical = pick_canonical(page, structured, url)
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
