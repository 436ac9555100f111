"""Quality floors on the dev set of real news pages (skipped only when the dev set is absent)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from workers.extract import extract
from workers.extract.authors import agency_name

REPO = Path(__file__).resolve().parent.parent.parent
# A little below the figures benchmarks/devset_eval.py reports, to catch regressions.
FLOORS = {"body_f1": 0.95, "title": 0.85, "authors": 0.86, "date": 0.95}


def _devset() -> Path:
    env = os.environ.get("INGEST_DEVSET")
    if env:
        return Path(env)
    for candidate in (Path("/work/shared/devset"), REPO.parent / "shared" / "devset"):
        if (candidate / "gold.jsonl").exists():
            return candidate
    return REPO.parent / "shared" / "devset"


def _scoring() -> ModuleType:
    path = REPO / "benchmarks" / "devset_scoring.py"
    spec = importlib.util.spec_from_file_location("devset_scoring", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("devset_scoring", module)
    spec.loader.exec_module(module)
    return module


def test_devset_scores_stay_above_floors() -> None:
    """Body F1, title, author F1 and date accuracy on the dev set stay above their floors."""
    devset = _devset()
    gold_path = devset / "gold.jsonl"
    if not gold_path.exists():
        pytest.skip(f"dev set not found at {gold_path} (set INGEST_DEVSET)")
    scoring = _scoring()
    totals = scoring.Totals()
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        gold = json.loads(line)
        html = gzip.decompress((devset / gold["file"]).read_bytes()).decode("utf-8", "replace")
        article = extract(html, gold["url"]).article
        body, title, credited, published, assumed = "", None, [], None, False
        if article is not None:
            body = f"{article.subtitle}\n\n{article.body}" if article.subtitle else article.body
            title = article.title
            credited = [*article.authors, *([article.agency] if article.agency else [])]
            published = article.published_at
            assumed = "published_at" in article.assumed_utc
        precision, recall = scoring.body_pr(body, gold["body"])
        gold_date = scoring.parse_gold_datetime(gold.get("published"))
        date_ok = bool(
            gold_date is not None
            and published is not None
            and scoring.day_in_gold_offset(published, gold_date, assumed) == gold_date.date()
        )
        # Agencies are compared by their canonical names on both sides.
        gold_names = [agency_name(name) or name for name in gold.get("authors") or []]
        totals.add(
            precision,
            recall,
            scoring.title_match(title, gold["title"]),
            scoring.authors_f1(credited, gold_names),
            scoring.authors_f1(list(article.authors) if article else [], gold_names),
            date_ok,
        )
    summary = totals.summary()
    assert totals.pages >= 100
    for measure, floor in FLOORS.items():
        assert summary[measure] >= floor, f"{measure} {summary[measure]:.3f} < {floor}"
