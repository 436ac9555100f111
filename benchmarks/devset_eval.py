"""Score our extractor beside trafilatura on both dev sets, per fixed tune/check split.

Usage:
    .venv/bin/python benchmarks/devset_eval.py [--set devset|wcxb|all] [--split tune|check|all]
        [--limit N] [--json FILE] [--no-trafilatura] [--show-worst N] [--only ID] [--jobs N]

The sets are found beside the repository: ../shared/devset (116 news pages, fundus gold, split
by publisher) and ../shared/devset-wcxb (1,358 pages of seven types, split by domain). The
split is read from benchmarks/splits/<set>.json (written once by make_splits.py); pages of a
site the file does not list are reported as "unassigned" and scored only under --split all.
A missing set is said plainly and the script exits 2.

Measures (the same for both extractors, on the same decompressed pages, in one process):
- body, on every devset page and on wcxb `article` pages; ours is scored as
  `subtitle + "\\n\\n" + body` (the gold keeps the standfirst), trafilatura on its `text`:
  - shingle F1 (the devset README): case-folded Unicode \\w+ tokens, runs of 4, per-page
    precision/recall over shingle multisets; precision averaged over pages that returned
    text, recall over all pages; F1 is the harmonic mean of the two averages;
  - word F1 (the wcxb README): per-page F1 over multisets of lower-cased \\w+ tokens, averaged
    over pages; a page with no article scores 0.
- title: exact after case folding, diacritics removed and whitespace collapsed (devset);
  after case folding and whitespace collapsing (wcxb).
- authors: per-page F1 over sets of names (each name as its case-folded token set). devset:
  both empty scores 1, the agency we keep apart is credited as the gold spells it (`authors`;
  `strict` scores people alone). wcxb: its free-text field is split on commas, "and", "&"
  (credentials such as "MS" or "Ph.D." dropped), scored on pages whose gold names someone.
- date: the published calendar day as the page prints it (devset: in the gold's offset; a
  value UTC was only assumed for counts as the page's wall clock); wcxb: pages with a gold day.
- snippets (wcxb articles): `with` = share of the gold's must-contain snippets found in the
  body; `clean` = share of its must-not-contain snippets absent. Found means occurring as
  whole words, case kept, whitespace collapsed.
- kind (ours only: trafilatura has no page kind): the confusion matrix gold type x our kind,
  and the three shares of the wcxb README: article->article, listing/collection->listing,
  other types not article. For trafilatura "returned text" per type is printed instead.
- teasers: neither set has teaser gold; teaser counts per page are printed.
- pages/s: the extraction call only, the two extractors alternating page by page (which goes
  first alternates too), so machine load weighs on both alike; the ratio is ours/theirs.
  With --jobs N the pages are shared among N processes, each alternating the same way; the
  figures of a --jobs 1 run are the ones to quote.

The work queue lists the body-scored pages where trafilatura beats us by more than 0.2 F1
(shingle F1 on devset, word F1 on wcxb).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from devset_data import (
    PARTS,
    SETS,
    UNASSIGNED,
    Case,
    MissingSet,
    load_cases,
    unassigned_sites,
)
from devset_extractors import Output, ours, reference, score

Extractor = Callable[[Case], tuple[Output, float]]
WORK_QUEUE_GAP = 0.2
TEASER_EVAL = Path(__file__).resolve().parent / "teaser_eval.py"
KINDS = ("article", "listing", "other")
LISTING_TYPES = ("listing", "collection")


def primary_f1(set_name: str) -> str:
    """The body measure each set's README names."""
    return "shingle_f1" if set_name == "devset" else "word_f1"


def evaluate(case: Case, extractors: dict[str, Extractor], position: int) -> dict[str, Any]:
    """Both extractors on one page, in alternating order; scores and timings of each."""
    names = list(extractors) if position % 2 == 0 else list(reversed(extractors))
    row: dict[str, Any] = {
        "set": case.set,
        "id": case.id,
        "site": case.site,
        "part": case.part,
        "page_type": case.page_type,
        "url": case.url,
    }
    for name in names:
        output, seconds = extractors[name](case)
        row[name] = {**score(output, case), "seconds": seconds}
    return row


def _pool_task(job: tuple[Case, bool, int]) -> dict[str, Any]:
    case, with_reference, position = job
    return evaluate(case, chosen_extractors(with_reference), position)


def chosen_extractors(with_reference: bool) -> dict[str, Extractor]:
    return {"ours": ours, "trafilatura": reference} if with_reference else {"ours": ours}


def run(cases: Iterable[Case], with_reference: bool, jobs: int) -> Iterator[dict[str, Any]]:
    """One row per page, in page order."""
    if jobs <= 1:
        extractors = chosen_extractors(with_reference)
        for position, case in enumerate(cases):
            yield evaluate(case, extractors, position)
        return
    from multiprocessing import Pool  # noqa: PLC0415  (only for --jobs)

    work = ((case, with_reference, position) for position, case in enumerate(cases))
    with Pool(jobs) as pool:
        yield from pool.imap(_pool_task, work, chunksize=4)


# ---- summaries -------------------------------------------------------------------------


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarise(rows: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """One extractor's figures over a group of rows (None where no page was scored)."""
    answers = [row[name] for row in rows if name in row]
    scored = [a for a in answers if "word_f1" in a]
    precisions = [a["shingle_p"] for a in scored if a["shingle_p"] is not None]
    precision = _mean(precisions)
    recall = _mean([a["shingle_r"] for a in scored])
    f1 = None
    if precision is not None and recall is not None:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def share(key: str) -> float | None:
        values = [float(a[key]) for a in scored if a.get(key) is not None]
        return _mean(values)

    with_total = sum(a.get("with_total", 0) for a in scored)
    without_total = sum(a.get("without_total", 0) for a in scored)
    seconds = sum(a["seconds"] for a in answers)
    return {
        "pages": len(answers),
        "body_pages": len(scored),
        "shingle_p": precision,
        "shingle_r": recall,
        "shingle_f1": f1,
        "word_f1": _mean([a["word_f1"] for a in scored]),
        "title": share("title"),
        "authors": share("authors"),
        "authors_pages": sum(1 for a in scored if a.get("authors") is not None),
        "authors_strict": share("authors_strict"),
        "date": share("date"),
        "date_pages": sum(1 for a in scored if a.get("date") is not None),
        "with": sum(a.get("with_hits", 0) for a in scored) / with_total if with_total else None,
        "clean": (
            1 - sum(a.get("without_leaks", 0) for a in scored) / without_total
            if without_total
            else None
        ),
        "pages_per_s": len(answers) / seconds if seconds else None,
    }


def kind_shares(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """The wcxb README's three kind figures for our extractor."""

    def share(types: Callable[[str], bool], ok: Callable[[str | None], bool]) -> float | None:
        kinds = [row["ours"]["kind"] for row in rows if types(row["page_type"])]
        return sum(ok(kind) for kind in kinds) / len(kinds) if kinds else None

    return {
        "article_as_article": share(lambda t: t == "article", lambda k: k == "article"),
        "listing_as_listing": share(lambda t: t in LISTING_TYPES, lambda k: k == "listing"),
        "other_not_article": share(
            lambda t: t != "article" and t not in LISTING_TYPES, lambda k: k != "article"
        ),
    }


def _fmt(value: float | None, width: int = 7, digits: int = 3) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:{width}.{digits}f}"


def print_table(summaries: dict[str, dict[str, Any]]) -> None:
    header = (
        f"  {'extractor':<12} {'pages':>5} {'sh P':>7} {'sh R':>7} {'sh F1':>7} {'word F1':>7} "
        f"{'title':>7} {'authors':>7} {'strict':>7} {'date':>7} {'with':>7} {'clean':>7} "
        f"{'pages/s':>7}"
    )
    print(header)
    for name, s in summaries.items():
        print(
            f"  {name:<12} {s['body_pages']:>5} {_fmt(s['shingle_p'])} {_fmt(s['shingle_r'])} "
            f"{_fmt(s['shingle_f1'])} {_fmt(s['word_f1'])} {_fmt(s['title'])} "
            f"{_fmt(s['authors'])} {_fmt(s['authors_strict'])} {_fmt(s['date'])} "
            f"{_fmt(s['with'])} {_fmt(s['clean'])} {_fmt(s['pages_per_s'], 7, 1)}"
        )
    first = next(iter(summaries.values()))
    print(
        f"  (body on {first['body_pages']} pages; authors on {first['authors_pages']}, "
        f"date on {first['date_pages']} with gold)"
    )
    speeds = [s["pages_per_s"] for s in summaries.values()]
    if len(speeds) == 2 and all(speeds):
        print(f"  speed ratio ours/trafilatura: {speeds[0] / speeds[1]:.2f}x")


def print_kinds(rows: list[dict[str, Any]], with_reference: bool) -> None:
    types = sorted({row["page_type"] for row in rows})
    matrix = Counter((row["page_type"], row["ours"]["kind"]) for row in rows)
    print(f"  page kind (gold type x ours){'':<8}" + "".join(f"{k:>9}" for k in KINDS), end="")
    print(f"{'trafilatura text':>18}" if with_reference else "")
    for page_type in types:
        total = sum(matrix[page_type, kind] for kind in KINDS)
        cells = "".join(f"{matrix[page_type, kind]:>9}" for kind in KINDS)
        line = f"    {page_type:<14} n={total:<4}{'':<12}{cells}"
        if with_reference:
            texts = sum(
                row["trafilatura"]["has_article"] for row in rows if row["page_type"] == page_type
            )
            line += f"{texts:>18}"
        print(line)
    shares = kind_shares(rows)
    print(
        "  articles -> article "
        + _fmt(shares["article_as_article"], 0)
        + "   listing/collection -> listing "
        + _fmt(shares["listing_as_listing"], 0)
        + "   others not article "
        + _fmt(shares["other_not_article"], 0)
    )


def print_teasers(rows: list[dict[str, Any]]) -> None:
    elsewhere = (
        " (fixture-page teaser gold: benchmarks/teaser_eval.py)" if TEASER_EVAL.exists() else ""
    )
    print(f"  teasers: no teaser gold in this set{elsewhere}; our teasers per page by gold type:")
    for page_type in sorted({row["page_type"] for row in rows}):
        counts = [row["ours"]["teasers"] for row in rows if row["page_type"] == page_type]
        print(
            f"    {page_type:<14} mean {statistics.fmean(counts):6.1f}  median "
            f"{statistics.median(counts):5.1f}  max {max(counts):4d}  zero {counts.count(0)}"
        )


def print_work_queue(rows: list[dict[str, Any]]) -> None:
    measure = primary_f1(rows[0]["set"])
    queue = [
        row
        for row in rows
        if "trafilatura" in row
        and measure in row["ours"]
        and row["trafilatura"][measure] - row["ours"][measure] > WORK_QUEUE_GAP
    ]
    queue.sort(key=lambda row: row["ours"][measure] - row["trafilatura"][measure])
    print(f"  work queue: {len(queue)} pages where trafilatura's {measure} beats ours by >0.2")
    for row in queue:
        ours_row = row["ours"]
        print(
            f"    {row['id']:<28} ours {ours_row[measure]:.3f} traf "
            f"{row['trafilatura'][measure]:.3f}  {ours_row['kind']}"
            f"{' (' + ours_row['reason'] + ')' if ours_row['reason'] else ''}  {row['url']}"
        )


def print_worst(rows: list[dict[str, Any]], count: int) -> None:
    measure = primary_f1(rows[0]["set"])
    scored = [row for row in rows if measure in row["ours"]]
    print(f"  worst {count} bodies (ours, {measure}):")
    for row in sorted(scored, key=lambda r: r["ours"][measure])[:count]:
        o = row["ours"]
        print(f"    {o[measure]:.3f}  {row['id']:<28} {o['kind']:<8} {o['body_words']:>6} words")
    for key in ("title", "authors", "date"):
        misses = [row["id"] for row in scored if row["ours"].get(key) not in (None, True, 1.0)]
        shown = ", ".join(misses[:count]) + (" ..." if len(misses) > count else "")
        print(f"  {key} misses ({len(misses)}): {shown}")


def report(
    set_name: str, rows: list[dict[str, Any]], split: str, with_reference: bool, worst: int
) -> None:
    names = ["ours", "trafilatura"] if with_reference else ["ours"]
    groups = [part for part in (*PARTS, UNASSIGNED) if any(r["part"] == part for r in rows)]
    if split == "all" and len(groups) > 1:
        groups.append("all")
    for group in groups:
        chosen = [r for r in rows if group in ("all", r["part"])]
        sites = len({r["site"] for r in chosen})
        print(f"\n== {set_name} / {group}: {len(chosen)} pages, {sites} sites")
        print_table({name: summarise(chosen, name) for name in names})
        print_kinds(chosen, with_reference)
        print_teasers(chosen)
        if with_reference:
            print_work_queue(chosen)
        if worst:
            print_worst(chosen, worst)


def show_one(case: Case, with_reference: bool) -> None:
    for name, extractor in chosen_extractors(with_reference).items():
        output, _ = extractor(case)
        print(f"== {name} on {case.set}/{case.id} ({case.page_type}) {case.url}")
        print(f"kind: {output.kind} {output.reason or ''}  teasers: {output.teasers}")
        print(f"title:   {output.title!r}\n  gold:  {case.gold.get('title')!r}")
        gold_authors = case.gold.get("authors", case.gold.get("author"))
        print(f"authors: {output.authors}\n  gold:  {gold_authors}")
        print(f"date:    {output.published}\n  gold:  {case.gold.get('published')}")
        print(f"{score(output, case)}")
        print("---- body\n" + output.body)
    print("---- gold body\n" + (case.gold.get("body") or ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=(*SETS, "all"), default="all")
    parser.add_argument("--split", choices=(*PARTS, "all"), default="all")
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each set")
    parser.add_argument("--json", type=Path, default=None, help="per-page results (JSON lines)")
    parser.add_argument("--no-trafilatura", action="store_true", help="ours only (faster)")
    parser.add_argument("--show-worst", type=int, default=0, metavar="N")
    parser.add_argument("--only", default=None, metavar="ID", help="show one page in full")
    parser.add_argument("--jobs", type=int, default=1, help="processes (timing: see docstring)")
    args = parser.parse_args(argv)
    with_reference = not args.no_trafilatura
    if with_reference:
        try:
            import trafilatura  # noqa: F401, PLC0415
        except ImportError:
            print(
                "trafilatura is not installed: pip install -e '.[bench]' or pass --no-trafilatura",
                file=sys.stderr,
            )
            return 2
    set_names = list(SETS) if args.set == "all" else [args.set]
    started = time.perf_counter()
    all_rows: list[dict[str, Any]] = []
    try:
        for set_name in set_names:
            missing = unassigned_sites(set_name)
            cases = load_cases(set_name, args.split, args.limit, args.only)
            if args.only:
                shown = 0
                for case in cases:
                    show_one(case, with_reference)
                    shown += 1
                if not shown:
                    print(f"{set_name}: no page {args.only!r}", file=sys.stderr)
                continue
            rows = list(run(cases, with_reference, args.jobs))
            if not rows:
                print(f"{set_name}: no pages selected", file=sys.stderr)
                return 2
            print(f"\n#### {set_name}: {len(rows)} pages (split={args.split})")
            if missing:
                print(f"  {len(missing)} sites in no part of the split file: {missing[:10]}")
            report(set_name, rows, args.split, with_reference, args.show_worst)
            all_rows.extend(rows)
    except MissingSet as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.json:
        with args.json.open("w", encoding="utf-8") as handle:
            for row in all_rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    if not args.only:
        print(
            f"\n{len(all_rows)} pages in {time.perf_counter() - started:.0f} s (jobs={args.jobs})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
