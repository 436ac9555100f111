"""The two extractors the evaluation compares, each answering in the gold's terms, and scoring.

``ours`` is workers.extract; ``reference`` is trafilatura (the optional ``bench`` extra),
loaded only when used. Both take a dev-set Case and return an Output plus the seconds the
extraction call alone took (decompression and scoring are not timed).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from devset_data import Case
from devset_scoring import (
    authors_f1,
    body_pr,
    day_in_gold_offset,
    parse_gold_datetime,
    parse_gold_day,
    same_day,
    shingle_f1,
    snippet_found,
    split_names,
    title_match,
    title_match_plain,
    word_f1,
)

from workers.extract import extract
from workers.extract.authors import agency_name


@dataclass
class Output:
    """One extractor's answer for one page."""

    body: str = ""
    title: str | None = None
    authors: list[str] = field(default_factory=list)  # with the agency, spelled as the gold
    authors_strict: list[str] = field(default_factory=list)  # people only
    published: datetime | date | None = None
    assumed_utc: bool = False
    has_article: bool = False  # an article record came back (what the indexer would store)
    kind: str | None = None  # our page kind; trafilatura has none
    reason: str | None = None
    teasers: int | None = None  # our teaser count; trafilatura finds none


def gold_authors(case: Case) -> list[str]:
    """The gold's names: devset lists them, wcxb has one free-text field (split here)."""
    if case.set == "devset":
        return list(case.gold.get("authors") or [])
    return split_names(case.gold.get("author"))


def ours(case: Case) -> tuple[Output, float]:
    started = time.perf_counter()
    result = extract(case.html, case.url)
    elapsed = time.perf_counter() - started
    article = result.article
    output = Output(kind=result.kind, reason=result.reason, teasers=len(result.teasers))
    if article is None:
        return output, elapsed
    # The gold bodies keep the standfirst; we keep it in Article.subtitle.
    output.body = f"{article.subtitle}\n\n{article.body}" if article.subtitle else article.body
    output.title = article.title
    output.authors_strict = list(article.authors)
    output.authors = list(article.authors)
    if article.agency:
        # The gold credits agencies among the authors, under its own spelling of the name.
        spelled = next(
            (name for name in gold_authors(case) if agency_name(name) == article.agency),
            article.agency,
        )
        output.authors.append(spelled)
    output.published = article.published_at
    output.assumed_utc = "published_at" in article.assumed_utc
    output.has_article = True
    return output, elapsed


def reference(case: Case) -> tuple[Output, float]:
    import trafilatura  # noqa: PLC0415  (the benchmark-only dependency, loaded when used)

    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = trafilatura.bare_extraction(case.html, url=case.url, with_metadata=True)
    elapsed = time.perf_counter() - started
    if doc is None:
        return Output(), elapsed
    data = doc if isinstance(doc, dict) else doc.as_dict()
    names = [name.strip() for name in (data.get("author") or "").split(";") if name.strip()]
    published = None
    if data.get("date"):
        try:
            published = date.fromisoformat(str(data["date"])[:10])
        except ValueError:
            published = None
    text = data.get("text") or ""
    return Output(
        body=text,
        title=data.get("title"),
        authors=names,
        authors_strict=names,
        published=published,
        assumed_utc=True,
        has_article=bool(text.strip()),
    ), elapsed


def _devset_date(output: Output, gold_value: str | None) -> bool:
    gold = parse_gold_datetime(gold_value)
    if gold is None or output.published is None:
        return False
    if isinstance(output.published, datetime):
        return day_in_gold_offset(output.published, gold, output.assumed_utc) == gold.date()
    return output.published == gold.date()


def score(output: Output, case: Case) -> dict[str, Any]:
    """Per-page figures; None where a measure does not apply to this page."""
    gold = case.gold
    row: dict[str, Any] = {
        "kind": output.kind,
        "reason": output.reason,
        "teasers": output.teasers,
        "has_article": output.has_article,
        "body_words": len(output.body.split()),
        # What was extracted, so that two runs' JSON can be compared field by field.
        "got": {
            "title": output.title,
            "authors": output.authors,
            "published": output.published.isoformat() if output.published else None,
        },
    }
    body_scored = case.set == "devset" or case.page_type == "article"
    if not body_scored:
        return row
    precision, recall = body_pr(output.body, gold.get("body") or "")
    row.update(
        shingle_p=precision,
        shingle_r=recall,
        shingle_f1=shingle_f1(precision, recall),
        word_f1=word_f1(output.body, gold.get("body") or ""),
    )
    names = gold_authors(case)
    if case.set == "devset":
        row["title"] = title_match(output.title, gold.get("title"))
        row["authors"] = authors_f1(output.authors, names)
        row["authors_strict"] = authors_f1(output.authors_strict, names)
        row["date"] = _devset_date(output, gold.get("published"))
        return row
    row["title"] = title_match_plain(output.title, gold.get("title"))
    # wcxb leaves author and date null where the page shows none: scored where given.
    row["authors"] = authors_f1(output.authors, names) if names else None
    row["authors_strict"] = authors_f1(output.authors_strict, names) if names else None
    # Pages whose gold gives no day, or only a month, are not scored on the date.
    gold_day = parse_gold_day(gold.get("published"))
    row["date"] = same_day(output.published, gold_day) if gold_day else None
    with_snippets = gold.get("with") or []
    without_snippets = gold.get("without") or []
    row["with_hits"] = sum(snippet_found(s, output.body) for s in with_snippets)
    row["with_total"] = len(with_snippets)
    row["without_leaks"] = sum(snippet_found(s, output.body) for s in without_snippets)
    row["without_total"] = len(without_snippets)
    return row
