"""Teaser scoring: URL precision/recall/F1 and headline exactness against hand-made gold.

Per page, teasers are compared as multisets of normalised URLs (a story shown in two blocks,
or in two tab panes, is two teasers; a responsive copy of a block is not). For every URL,
with g gold and p predicted teasers: true positives min(g, p), false negatives g - min(g, p),
false positives p - min(g, p), except that URLs the gold marks borderline (EXTRACTION.md:
mega-menu cards, tickers, footer headline lists, "Related:" lines, previous/next links) never
count as false positives. Precision, recall and F1 are micro-averaged over all teasers of the
pages scored. Headline exact: of the matched teasers (paired by URL in document order), the
share whose headline equals the gold's exactly (the gold is written whitespace-collapsed).
Gold kept as a hash (the dev-set pages' text stays out of the repository) is compared the
same way, after hashing our headlines with `headline_hash`.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from workers.urls import normalize_url


@dataclass
class TeaserTotals:
    """Counts summed over pages; the figures are derived from them."""

    pages: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    headline_hits: int = 0
    # (page, kind, url, headline) for every error, to print the worst cases
    errors: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def headline_exact(self) -> float:
        return self.headline_hits / self.tp if self.tp else 1.0

    def add(self, other: TeaserTotals) -> None:
        self.pages += other.pages
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.headline_hits += other.headline_hits
        self.errors.extend(other.errors)


# Removed before hashing, as EXTRACTION.md removes them from a headline.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def headline_hash(headline: str) -> str:
    """sha1 hex of the headline casefolded and whitespace-collapsed (soft hyphens dropped)."""
    text = " ".join(headline.translate(_INVISIBLE).split()).casefold()
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _key(url: str, page_url: str) -> str:
    return normalize_url(url, page_url) or url


def score_page(
    name: str,
    page_url: str,
    predicted: Iterable[tuple[str, str]],
    gold: Iterable[tuple[str, str]],
    borderline: Iterable[str] = (),
) -> TeaserTotals:
    """Score one page's predicted (url, headline) teasers against its gold teasers."""
    pred_by: dict[str, list[str]] = defaultdict(list)
    gold_by: dict[str, list[str]] = defaultdict(list)
    for url, headline in predicted:
        pred_by[_key(url, page_url)].append(headline)
    for url, headline in gold:
        gold_by[_key(url, page_url)].append(headline)
    lenient = {_key(url, page_url) for url in borderline}
    totals = TeaserTotals(pages=1)
    for url in sorted(set(pred_by) | set(gold_by)):
        got, want = pred_by.get(url, []), gold_by.get(url, [])
        matched = min(len(got), len(want))
        totals.tp += matched
        totals.fn += len(want) - matched
        for headline in want[matched:]:
            totals.errors.append((name, "missed", url, headline))
        if url not in lenient:
            totals.fp += len(got) - matched
            for headline in got[matched:]:
                totals.errors.append((name, "extra", url, headline))
        same = Counter(got[:matched]) & Counter(want[:matched])
        totals.headline_hits += sum(same.values())
        wrong = Counter(got[:matched]) - same
        expected = list((Counter(want[:matched]) - same).elements())
        for ours, theirs in zip(wrong.elements(), expected, strict=True):
            totals.errors.append((name, f"headline (gold: {theirs})", url, ours))
    return totals
