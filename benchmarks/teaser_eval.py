"""Teaser quality: URL precision/recall/F1 and headline exact against hand-annotated gold.

Usage:
    .venv/bin/python benchmarks/teaser_eval.py [--split all|tune|check] [--show-errors]

The gold is tests/fixtures/teaser_gold/gold.json: fixture pages written for this purpose
(mega-menus, tag clouds, section rails, tabbed most-read boxes, sponsored widgets, responsive
duplicates...), each marked `tune` (looked at while changing the scan) or `check` (written
before the change and only scored). Teasers come from `extract()`, the product's entry point.
Measures: see benchmarks/teaser_scoring.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from teaser_scoring import TeaserTotals, score_page  # noqa: E402

from workers.extract import extract  # noqa: E402

GOLD = REPO / "tests" / "fixtures" / "teaser_gold"


def load_gold(folder: Path = GOLD) -> dict[str, dict[str, Any]]:
    """Gold per fixture page name."""
    pages: dict[str, dict[str, Any]] = json.loads(
        (folder / "gold.json").read_text(encoding="utf-8")
    )["pages"]
    return pages


def score_fixtures(split: str = "all", folder: Path = GOLD) -> dict[str, TeaserTotals]:
    """Totals per split ("tune", "check") and over all pages scored."""
    out = {"tune": TeaserTotals(), "check": TeaserTotals(), "all": TeaserTotals()}
    for name, gold in sorted(load_gold(folder).items()):
        if split != "all" and gold["split"] != split:
            continue
        html = (folder / f"{name}.html").read_text(encoding="utf-8")
        page = extract(html, gold["page_url"])
        totals = score_page(
            name,
            gold["page_url"],
            [(teaser.url, teaser.headline) for teaser in page.teasers],
            [(teaser["url"], teaser["headline"]) for teaser in gold["teasers"]],
            gold.get("borderline", ()),
        )
        out[gold["split"]].add(totals)
        out["all"].add(totals)
    return out


def _row(label: str, totals: TeaserTotals) -> str:
    return (
        f"{label:<7} {totals.pages:>5} {totals.tp + totals.fn:>6} {totals.tp + totals.fp:>6} "
        f"{totals.precision:>6.3f} {totals.recall:>6.3f} {totals.f1:>6.3f} "
        f"{totals.headline_exact:>9.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("all", "tune", "check"), default="all")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    results = score_fixtures(args.split)
    print("split   pages   gold   ours  url P  url R url F1  headline")
    for label in ("tune", "check", "all"):
        if results[label].pages:
            print(_row(label, results[label]))
    if args.show_errors:
        for name, kind, url, headline in results["all"].errors:
            print(f"{name}: {kind}: {url} {headline!r}")


if __name__ == "__main__":
    main()
