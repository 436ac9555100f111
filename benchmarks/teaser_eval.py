"""Teaser quality: URL precision/recall/F1 and headline exact against hand-annotated gold.

Usage:
    .venv/bin/python benchmarks/teaser_eval.py [--set fixtures|devset] [--split all|tune|check]
        [--show-errors]
    .venv/bin/python benchmarks/teaser_eval.py --list-links PAGE_ID   # the annotation aid

Two gold sets:
- `fixtures` (default): tests/fixtures/teaser_gold/gold.json, fixture pages written for this
  purpose (mega-menus, tag clouds, section rails, tabbed most-read boxes, sponsored widgets,
  responsive duplicates...), each marked `tune` (looked at while changing the scan) or
  `check` (written before the change and only scored).
- `devset`: benchmarks/teaser_gold_devset.json, teasers annotated by hand on real pages of
  ../shared/devset (split as benchmarks/splits/devset.json says). The pages stay outside the
  repository, and so does their text: the gold keeps each teaser's URL and a hash of its
  headline (teaser_scoring.headline_hash); the annotation rules are the file's "_rules".
  When the dev set is absent the script says so and exits 0.

Teasers come from `extract()`, the product's entry point. Measures: see
benchmarks/teaser_scoring.py. `--list-links` prints every link of a dev-set page in document
order with its text, the headings around it and its DOM position, without running the
extractor: the gold was decided from that listing and the page, never from extract()'s output.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bs4 import BeautifulSoup, Tag  # noqa: E402
from devset_data import MissingSet, gold_rows, load_split, set_dir  # noqa: E402
from teaser_scoring import TeaserTotals, headline_hash, score_page  # noqa: E402

from workers.extract import extract  # noqa: E402

GOLD = REPO / "tests" / "fixtures" / "teaser_gold"
DEVSET_GOLD = Path(__file__).resolve().parent / "teaser_gold_devset.json"
SPLITS = ("tune", "check")


def load_gold(folder: Path = GOLD) -> dict[str, dict[str, Any]]:
    """Gold per fixture page name."""
    pages: dict[str, dict[str, Any]] = json.loads(
        (folder / "gold.json").read_text(encoding="utf-8")
    )["pages"]
    return pages


def _totals() -> dict[str, TeaserTotals]:
    return {"tune": TeaserTotals(), "check": TeaserTotals(), "all": TeaserTotals()}


def score_fixtures(split: str = "all", folder: Path = GOLD) -> dict[str, TeaserTotals]:
    """Totals per split ("tune", "check") and over all pages scored."""
    out = _totals()
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


def load_devset_gold(path: Path = DEVSET_GOLD) -> dict[str, dict[str, Any]]:
    """Hashed teaser gold per dev-set page id."""
    pages: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["pages"]
    return pages


def devset_page(page_id: str) -> tuple[str, str]:
    """(url, html) of one dev-set page; MissingSet when the set or the page is absent."""
    for row in gold_rows("devset"):
        if row["id"] == page_id:
            raw = gzip.decompress((set_dir("devset") / row["file"]).read_bytes())
            return str(row["url"]), raw.decode("utf-8", "replace")
    raise MissingSet(f"page {page_id!r} is not in the dev set")


def score_devset(split: str = "all", path: Path = DEVSET_GOLD) -> dict[str, TeaserTotals]:
    """Totals per split over the annotated dev-set pages; MissingSet when the set is absent."""
    parts = load_split("devset")
    out = _totals()
    for page_id, gold in sorted(load_devset_gold(path).items()):
        if parts.get(page_id.split("_")[0]) != gold["split"]:
            raise MissingSet(f"{page_id}: gold split {gold['split']!r} disagrees with the split")
        if split != "all" and gold["split"] != split:
            continue
        url, html = devset_page(page_id)
        page = extract(html, url)
        ours = {headline_hash(teaser.headline): teaser.headline for teaser in page.teasers}
        totals = score_page(
            page_id,
            gold["page_url"],
            [(teaser.url, headline_hash(teaser.headline)) for teaser in page.teasers],
            [(teaser["url"], teaser["headline_sha1"]) for teaser in gold["teasers"]],
            gold.get("borderline", ()),
        )
        # errors name our headline by its text (the gold's stays a hash)
        totals.errors = [(n, kind, u, ours.get(h, h)) for n, kind, u, h in totals.errors]
        out[gold["split"]].add(totals)
        out["all"].add(totals)
    return out


_HEADING = re.compile(r"^h[1-6]$")
_SKIP = ("script", "style", "noscript", "template", "svg")
_BLOCKS = ("article", "section", "aside", "nav", "header", "footer", "main", "ul", "ol", "figure")


def _text(node: Tag) -> str:
    return " ".join(node.get_text(" ").replace("\u00ad", "").replace("\u200b", "").split())


def _dom_path(node: Tag, depth: int = 5) -> str:
    steps: list[str] = []
    for parent in node.parents:
        if parent.name in ("html", "body", "[document]") or len(steps) == depth:
            break
        classes = " ".join(parent.get_attribute_list("class", [])).strip()
        ident = str(parent.get("id") or "")
        if parent.name in _BLOCKS or classes or ident:
            steps.append(
                parent.name
                + (f"#{ident[:20]}" if ident else "")
                + (f".{classes[:30]}" if classes else "")
            )
    return " > ".join(reversed(steps))


def list_links(page_id: str) -> list[str]:
    """Every link and every heading outside a link, in document order, one line each.

    A link line: its index, its text, `H` when the text is a heading (or `H='...'` with the
    heading it holds), and its resolved URL; a `@` line gives the DOM position when it changes.
    """
    url, html = devset_page(page_id)
    soup = BeautifulSoup(html, "lxml")
    for node in soup(list(_SKIP)):
        node.decompose()
    lines, index, last = [f"PAGE {url}"], 0, ""
    for node in soup.body.descendants if soup.body else ():
        if not isinstance(node, Tag):
            continue
        outside = not node.find_parent("a") and not node.find("a")
        if _HEADING.match(node.name) and outside and (heading := _text(node)):
            lines.append(f"      ## {node.name} {heading[:80]}")
        href = str(node.get("href") or "").strip()
        if node.name != "a" or not href:
            continue
        if href.startswith(("javascript:", "mailto:")):
            index += 1
            continue
        if (where := _dom_path(node)) != last:
            lines.append(f"   @ {where[-150:]}")
            last = where
        text = _text(node)
        title = node.find(_HEADING) or node.find_parent(_HEADING)
        shown = _text(title) if isinstance(title, Tag) else ""
        mark = (" H" if shown == text else f" H={shown[:100]!r}") if shown else ""
        lines.append(f"{index:3d} {text[:100]!r}{mark} | {urljoin(url, href)[:120]}")
        index += 1
    return lines


def _row(label: str, totals: TeaserTotals) -> str:
    return (
        f"{label:<7} {totals.pages:>5} {totals.tp + totals.fn:>6} {totals.tp + totals.fp:>6} "
        f"{totals.precision:>6.3f} {totals.recall:>6.3f} {totals.f1:>6.3f} "
        f"{totals.headline_exact:>9.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--set", choices=("fixtures", "devset"), default="fixtures")
    parser.add_argument("--split", choices=("all", *SPLITS), default="all")
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--list-links", metavar="PAGE_ID")
    args = parser.parse_args(argv)
    try:
        if args.list_links:
            print("\n".join(list_links(args.list_links)))
            return 0
        score = score_devset if args.set == "devset" else score_fixtures
        results = score(args.split)
    except MissingSet as exc:
        print(f"teaser_eval: {exc}; nothing scored")
        return 0
    print(f"set: {args.set}")
    print("split   pages   gold   ours  url P  url R url F1  headline")
    for label in ("tune", "check", "all"):
        if results[label].pages:
            print(_row(label, results[label]))
    if args.show_errors:
        for name, kind, url, headline in results["all"].errors:
            print(f"{name}: {kind}: {url} {headline!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
