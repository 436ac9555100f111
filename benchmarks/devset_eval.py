"""Score our extractor and trafilatura on the dev set of real news pages, side by side.

Usage:
    .venv/bin/python benchmarks/devset_eval.py [--devset PATH] [--limit N] [--show-worst K]
        [--only ID] [--split all|dev|holdout]

The dev set path defaults to $INGEST_DEVSET, then ../shared/devset relative to the repo root.

Measures (the same for both extractors, on the same decompressed pages, in one process):
- body: tokens are Unicode \\w+ matches, case-folded (the gold is verbatim; folding makes the
  measure robust to casing changes such as all-caps kickers); shingles are runs of 4 tokens;
  per-page precision/recall over shingle multisets; precision is averaged over pages that
  returned any text, recall over all pages; F1 is the harmonic mean of the two averages.
  The gold body keeps the standfirst, so ours is scored as `subtitle + "\\n\\n" + body`
  (we keep the standfirst in Article.subtitle). trafilatura is scored on its `text`.
- title: exact match after case folding, NFKD with combining marks removed, whitespace
  collapsed.
- authors: per-page F1 over sets of names, each name compared as its case-folded token set;
  a page where gold and output are both empty scores 1. The gold lists credited news agencies
  among the authors while we keep them in Article.agency, so ours is scored as
  `authors + [agency]`, the agency spelled as the gold spells it when the gold names the
  same agency under another alias ("Associated Press" for our "AP"). The column
  `authors(strict)` scores `authors` alone. trafilatura's "; "-joined author string is split.
- date: the published calendar day matches the gold's, both read in the gold's UTC offset
  (a value we had to assume UTC for is compared as the page's own wall-clock day).
- pages/s: extraction only (HTML already decompressed in memory), timed per call, the two
  extractors alternating page by page so that machine load weighs on both alike.

`--split holdout` scores only the third of publishers set aside while tuning (a stable hash
of the publisher name); `--split dev` scores the other two thirds.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from devset_scoring import (  # noqa: E402
    Totals,
    authors_f1,
    body_pr,
    day_in_gold_offset,
    parse_gold_datetime,
    title_match,
)

from workers.extract import extract  # noqa: E402
from workers.extract.authors import agency_name  # noqa: E402


@dataclass
class Output:
    """One extractor's answer for one page, in the gold's terms."""

    body: str
    title: str | None
    authors: list[str]
    authors_strict: list[str]
    published: Any
    assumed_utc: bool


@dataclass
class Case:
    """A dev-set page with its gold fields."""

    id: str
    publisher: str
    url: str
    html: str
    gold: dict[str, Any]


def default_devset() -> Path:
    env = os.environ.get("INGEST_DEVSET")
    if env:
        return Path(env)
    return (REPO / ".." / "shared" / "devset").resolve()


def in_holdout(publisher: str) -> bool:
    """A stable third of publishers, kept aside while tuning heuristics."""
    return hashlib.sha1(publisher.encode()).digest()[0] % 3 == 0


def load_cases(devset: Path, split: str, limit: int | None, only: str | None) -> list[Case]:
    cases: list[Case] = []
    with (devset / "gold.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            gold = json.loads(line)
            if only and gold["id"] != only:
                continue
            held = in_holdout(gold["publisher"])
            if (split == "dev" and held) or (split == "holdout" and not held):
                continue
            raw = gzip.decompress((devset / gold["file"]).read_bytes())
            cases.append(
                Case(
                    gold["id"], gold["publisher"], gold["url"], raw.decode("utf-8", "replace"), gold
                )
            )
            if limit and len(cases) >= limit:
                break
    return cases


def ours(case: Case) -> tuple[Output, float]:
    started = time.perf_counter()
    result = extract(case.html, case.url)
    elapsed = time.perf_counter() - started
    article = result.article
    if article is None:
        return Output("", None, [], [], None, False), elapsed
    body = article.body
    if article.subtitle:
        body = f"{article.subtitle}\n\n{body}"
    credited = list(article.authors)
    if article.agency:
        spelled = next(
            (name for name in case.gold.get("authors", []) if agency_name(name) == article.agency),
            article.agency,
        )
        credited.append(spelled)
    return (
        Output(
            body,
            article.title,
            credited,
            list(article.authors),
            article.published_at,
            "published_at" in article.assumed_utc,
        ),
        elapsed,
    )


def reference(case: Case) -> tuple[Output, float]:
    import trafilatura  # noqa: PLC0415  (a benchmark-only dependency, loaded when used)

    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = trafilatura.bare_extraction(case.html, url=case.url, with_metadata=True)
    elapsed = time.perf_counter() - started
    if doc is None:
        return Output("", None, [], [], None, False), elapsed
    data = doc if isinstance(doc, dict) else doc.as_dict()
    names = [name.strip() for name in (data.get("author") or "").split(";") if name.strip()]
    published = None
    if data.get("date"):
        try:
            published = time.strptime(data["date"][:10], "%Y-%m-%d")
        except ValueError:
            published = None
    return Output(data.get("text") or "", data.get("title"), names, names, published, True), elapsed


def score(output: Output, case: Case) -> dict[str, Any]:
    gold = case.gold
    precision, recall = body_pr(output.body, gold.get("body") or "")
    gold_date = parse_gold_datetime(gold.get("published"))
    date_ok = False
    if gold_date is not None and output.published is not None:
        if isinstance(output.published, time.struct_time):
            day = (output.published.tm_year, output.published.tm_mon, output.published.tm_mday)
            date_ok = day == (gold_date.year, gold_date.month, gold_date.day)
        else:
            date_ok = day_in_gold_offset(output.published, gold_date, output.assumed_utc) == (
                gold_date.date()
            )
    return {
        "precision": precision,
        "recall": recall,
        "title": title_match(output.title, gold.get("title")),
        "authors": authors_f1(output.authors, gold.get("authors") or []),
        "authors_strict": authors_f1(output.authors_strict, gold.get("authors") or []),
        "date": date_ok,
    }


def run(cases: list[Case]) -> tuple[dict[str, Totals], list[dict[str, Any]]]:
    """Extract every page with both extractors, interleaved page by page.

    The two run alternately (which goes first alternates too), so a change in machine load
    during the run weighs on both alike; only the extraction call itself is timed.
    """
    runners = {"ours": ours, "trafilatura": reference}
    totals = {name: Totals() for name in runners}
    rows: list[dict[str, Any]] = []
    for position, case in enumerate(cases):
        order = list(runners) if position % 2 == 0 else list(reversed(runners))
        for name in order:
            output, elapsed = runners[name](case)
            totals[name].seconds += elapsed
            result = score(output, case)
            totals[name].add(
                result["precision"],
                result["recall"],
                result["title"],
                result["authors"],
                result["authors_strict"],
                result["date"],
            )
            if name == "ours":
                rows.append({"case": case, "output": output, **result})
    return totals, rows


def print_table(totals: dict[str, Totals]) -> None:
    header = (
        f"{'extractor':<12} {'body P':>7} {'body R':>7} {'body F1':>8} {'title':>7} "
        f"{'authors':>8} {'authors(strict)':>16} {'date':>7} {'pages/s':>8}"
    )
    print(header)
    print("-" * len(header))
    summaries = {name: total.summary() for name, total in totals.items()}
    for name, s in summaries.items():
        print(
            f"{name:<12} {s['body_p']:7.3f} {s['body_r']:7.3f} {s['body_f1']:8.3f} "
            f"{s['title']:7.3f} {s['authors']:8.3f} {s['authors_strict']:16.3f} "
            f"{s['date']:7.3f} {s['pages_per_s']:8.1f}"
        )
    ours_speed = summaries["ours"]["pages_per_s"]
    ref_speed = summaries["trafilatura"]["pages_per_s"]
    if ref_speed:
        print(f"speed ratio ours/trafilatura: {ours_speed / ref_speed:.2f}x")


def show_worst(rows: list[dict[str, Any]], count: int) -> None:
    def f1(row: dict[str, Any]) -> float:
        p, r = row["precision"] or 0.0, row["recall"]
        return 2 * p * r / (p + r) if p + r else 0.0

    print(f"\nworst {count} bodies (ours):")
    for row in sorted(rows, key=f1)[:count]:
        p = row["precision"]
        shown = "-" if p is None else f"{p:.3f}"
        print(f"  {f1(row):.3f}  P={shown} R={row['recall']:.3f}  {row['case'].id}")
    print("\ntitle misses:")
    for row in rows:
        if not row["title"]:
            got, want = row["output"].title, row["case"].gold["title"]
            print(f"  {row['case'].id}: got {got!r} want {want!r}")
    print("\nauthor misses:")
    for row in rows:
        if row["authors"] < 1:
            want = row["case"].gold.get("authors")
            print(
                f"  {row['authors']:.2f} {row['case'].id}: got {row['output'].authors} want {want}"
            )
    print("\ndate misses:")
    for row in rows:
        if not row["date"]:
            want = row["case"].gold.get("published")
            print(f"  {row['case'].id}: got {row['output'].published} want {want}")


def dump(rows: list[dict[str, Any]], path: Path) -> None:
    """Per-page scores of our extractor, one JSON object per line, for comparing runs."""
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            record = {key: row[key] for key in ("precision", "recall", "title", "authors", "date")}
            handle.write(json.dumps({"id": row["case"].id, **record}) + "\n")


def show_one(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        case, output = row["case"], row["output"]
        print(f"== {case.id}  P={row['precision']} R={row['recall']:.3f}")
        print(f"title:   {output.title!r}\n  gold:  {case.gold['title']!r}")
        print(f"authors: {output.authors}\n  gold:  {case.gold.get('authors')}")
        print(f"date:    {output.published}\n  gold:  {case.gold.get('published')}")
        print("---- body (ours)\n" + output.body)
        print("---- body (gold)\n" + (case.gold.get("body") or ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--show-worst", type=int, default=0, metavar="K")
    parser.add_argument("--only", default=None, metavar="ID")
    parser.add_argument("--split", choices=("all", "dev", "holdout"), default="all")
    parser.add_argument("--dump", type=Path, default=None, help="write per-page scores (JSONL)")
    args = parser.parse_args(argv)
    devset = args.devset or default_devset()
    if not (devset / "gold.jsonl").exists():
        print(f"no dev set at {devset} (set --devset or INGEST_DEVSET)", file=sys.stderr)
        return 2
    cases = load_cases(devset, args.split, args.limit, args.only)
    if not cases:
        print("no pages selected", file=sys.stderr)
        return 2
    totals, rows = run(cases)
    print(f"dev set: {devset} ({len(cases)} pages, split={args.split})")
    print_table(totals)
    if args.dump:
        dump(rows, args.dump)
    if args.only:
        show_one(rows)
    elif args.show_worst:
        show_worst(rows, args.show_worst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
