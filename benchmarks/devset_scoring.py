"""Scoring rules of the dev-set evaluation: body shingles and words, titles, authors, days."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date, datetime

_TOKEN = re.compile(r"\w+")
SHINGLE = 4
# wcxb's free-text author field: names are separated by commas, semicolons, "and", "&".
_NAME_SEPARATORS = re.compile(r"\s*(?:[,;/|]|\band\b|&)\s*", re.IGNORECASE)
# Credentials printed after a name ("Jane Roe, MS, RD", "John Doe, Ph.D."): not names.
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,6}(?:[- ]\w+)?|(?:[A-Za-z]{1,3}\.){1,3}[A-Za-z]?\.?)$")


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


def word_f1(output: str, gold: str) -> float:
    """wcxb's body measure: F1 over multisets of lower-cased \\w+ tokens; empty output -> 0."""
    out = Counter(_TOKEN.findall(output.lower()))
    ref = Counter(_TOKEN.findall(gold.lower()))
    if not out or not ref:
        return 1.0 if not out and not ref else 0.0
    overlap = sum((out & ref).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(out.values()), overlap / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def shingle_f1(precision: float | None, recall: float) -> float:
    """One page's shingle F1 (0 when nothing was returned)."""
    if precision is None or precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def title_match_plain(output: str | None, gold: str | None) -> bool:
    """wcxb's title rule: exact after case folding and whitespace collapsing."""
    return " ".join((output or "").casefold().split()) == " ".join((gold or "").casefold().split())


def split_names(field: str | None) -> list[str]:
    """Names in a free-text author field, credentials after a name dropped."""
    if not field:
        return []
    parts = [part.strip(" .") for part in _NAME_SEPARATORS.split(field)]
    return [part for part in parts if part and not _CREDENTIAL.match(part)]


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def snippet_found(snippet: str, text: str) -> bool:
    """The snippet occurs in the text as whole words (case kept, whitespace collapsed)."""
    wanted = _collapsed(snippet)
    if not wanted:
        return False
    pattern = (r"(?<!\w)" if wanted[0].isalnum() or wanted[0] == "_" else "") + re.escape(wanted)
    if wanted[-1].isalnum() or wanted[-1] == "_":
        pattern += r"(?!\w)"
    return re.search(pattern, _collapsed(text)) is not None


def same_day(value: datetime | date | None, gold: date) -> bool:
    """The calendar day of a value as the page printed it (its own offset) equals the gold's."""
    if value is None:
        return False
    day = value.date() if isinstance(value, datetime) else value
    return day == gold


def parse_gold_day(value: str | None) -> date | None:
    """A wcxb gold day (YYYY-MM-DD); None when absent or vaguer than a day ("2003-11")."""
    try:
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None
