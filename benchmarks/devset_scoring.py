"""Scoring rules of the dev-set evaluation: body shingles, titles, author sets, published day."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def tokens(text: str) -> list[str]:
    """Unicode \\w+ tokens, case-folded (the gold is verbatim; folding absorbs casing noise)."""
    return _TOKEN.findall(text.casefold())


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Multiset of runs of four consecutive tokens (one shorter run for very short texts)."""
    words = tokens(text)
    if len(words) < SHINGLE:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def body_pr(output: str, gold: str) -> tuple[float | None, float]:
    """Per-page (precision, recall) over shingle multisets; precision None for empty output."""
    out, ref = shingles(output), shingles(gold)
    overlap = sum((out & ref).values())
    precision = overlap / sum(out.values()) if out else None
    recall = overlap / sum(ref.values()) if ref else 1.0
    return precision, recall


def norm_title(text: str | None) -> str:
    """Case-folded, NFKD with combining marks removed, whitespace collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def title_match(output: str | None, gold: str | None) -> bool:
    """Exact match after normalisation."""
    return norm_title(output) == norm_title(gold)


def _name_key(name: str) -> frozenset[str]:
    return frozenset(tokens(name))


def authors_f1(output: list[str], gold: list[str]) -> float:
    """F1 over sets of names, a name compared as its case-folded token set; both empty -> 1."""
    out = {_name_key(name) for name in output if _name_key(name)}
    ref = {_name_key(name) for name in gold if _name_key(name)}
    if not out and not ref:
        return 1.0
    if not out or not ref:
        return 0.0
    hits = len(out & ref)
    if not hits:
        return 0.0
    precision, recall = hits / len(out), hits / len(ref)
    return 2 * precision * recall / (precision + recall)


def parse_gold_datetime(value: str | None) -> datetime | None:
    """The gold 'published' value as a datetime (naive when the gold has no offset)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def day_in_gold_offset(value: datetime, gold: datetime, assumed_utc: bool) -> date:
    """Calendar day of an extracted instant as the page itself would print it.

    An aware value is shifted to the gold's UTC offset. A value whose source gave no offset
    (UTC was only assumed) is the page's own wall-clock time, so its day is taken as is.
    """
    if assumed_utc or value.tzinfo is None or gold.tzinfo is None:
        return value.date()
    return value.astimezone(gold.tzinfo).date()


@dataclass
class Totals:
    """Running sums for one extractor over the pages scored so far."""

    pages: int = 0
    precisions: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)
    titles: int = 0
    authors: float = 0.0
    authors_strict: float = 0.0
    dates: int = 0
    seconds: float = 0.0

    def add(
        self,
        precision: float | None,
        recall: float,
        title_ok: bool,
        author_score: float,
        author_strict: float,
        date_ok: bool,
    ) -> None:
        self.pages += 1
        if precision is not None:
            self.precisions.append(precision)
        self.recalls.append(recall)
        self.titles += int(title_ok)
        self.authors += author_score
        self.authors_strict += author_strict
        self.dates += int(date_ok)

    def summary(self) -> dict[str, float]:
        """Averages: body P/R/F1, title exact, author F1, date accuracy, pages per second."""
        n = self.pages or 1
        precision = sum(self.precisions) / len(self.precisions) if self.precisions else 0.0
        recall = sum(self.recalls) / n
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "body_p": precision,
            "body_r": recall,
            "body_f1": f1,
            "title": self.titles / n,
            "authors": self.authors / n,
            "authors_strict": self.authors_strict / n,
            "date": self.dates / n,
            "pages_per_s": self.pages / self.seconds if self.seconds else 0.0,
        }
