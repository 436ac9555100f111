"""Teasers against hand-annotated gold: precision and recall, paid widgets, tabs, duplicates."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from workers.extract import extract
from workers.models import Teaser

REPO = Path(__file__).resolve().parent.parent.parent
GOLD = REPO / "tests" / "fixtures" / "teaser_gold"
# The targets for teaser URL F1 and headline exactness.
MIN_URL_F1 = 0.95
MIN_HEADLINE_EXACT = 0.90


def _load(name: str) -> ModuleType:
    path = REPO / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


def _gold() -> dict[str, dict[str, Any]]:
    pages: dict[str, dict[str, Any]] = json.loads((GOLD / "gold.json").read_text("utf-8"))["pages"]
    return pages


def _teasers(name: str) -> list[Teaser]:
    html = (GOLD / f"{name}.html").read_text(encoding="utf-8")
    return extract(html, _gold()[name]["page_url"]).teasers


def test_gold_pages_all_exist_with_both_splits() -> None:
    """Every gold entry has its page, and both the tune and the check split hold pages."""
    gold = _gold()
    assert {page["split"] for page in gold.values()} == {"tune", "check"}
    for name in gold:
        assert (GOLD / f"{name}.html").is_file(), name


@pytest.mark.parametrize("split", ["tune", "check"])
def test_teaser_url_f1_and_headlines_meet_the_targets(split: str) -> None:
    """On each split of the gold, URL F1 >= 0.95 and headline exact >= 0.90."""
    _load("teaser_scoring")
    evaluation = _load("teaser_eval")
    totals = evaluation.score_fixtures(split, GOLD)[split]
    assert totals.pages > 0
    assert totals.f1 >= MIN_URL_F1, totals.errors
    assert totals.headline_exact >= MIN_HEADLINE_EXACT, totals.errors


def test_scoring_counts_duplicates_and_forgives_borderline_links() -> None:
    """The scorer matches URL multisets, ignores extra borderline URLs, checks headlines."""
    scoring = _load("teaser_scoring")
    page = "https://site.example/story"
    totals = scoring.score_page(
        "p",
        page,
        [("/a", "A one"), ("/a", "A one"), ("/menu-card", "Menu card"), ("/b", "B wrong")],
        [("/a", "A one"), ("/a", "A one"), ("/b", "B two"), ("/c", "C three")],
        ["/menu-card"],
    )
    assert (totals.tp, totals.fp, totals.fn) == (3, 0, 1)
    assert totals.headline_hits == 2
    assert totals.precision == 1.0 and totals.recall == 0.75


def test_sponsored_partner_and_commerce_widgets_give_no_teasers() -> None:
    """Taboola, partner content, shop, job, coupon and course widgets are never teasers."""
    urls = {
        teaser.url
        for name in ("article_tabs_sponsored", "section_rail_widgets", "article_partner_mixed")
        for teaser in _teasers(name)
    }
    assert urls
    for url in urls:
        assert "/partner/" not in url and "taboola" not in url, url
        host = url.split("/")[2]
        assert not host.startswith(("jobs.", "shop.", "vouchers.", "academy.", "deals.")), url


def test_sponsored_card_inside_a_real_block_is_dropped_alone() -> None:
    """A "Sponsored" card among real recommendations goes; its neighbours stay, renumbered."""
    recommended = [t for t in _teasers("article_partner_mixed") if t.block == "Recommended for you"]
    assert [t.position for t in recommended] == [0, 1, 2]
    assert not any("smart-ticketing" in t.url for t in recommended)


def test_every_tab_pane_counts_and_a_responsive_copy_counts_once() -> None:
    """A story in two tab panes is two teasers; a block served twice for two screens is one."""
    tabs = [t.url for t in _teasers("article_tabs_sponsored")]
    assert sum(url.endswith("bridge-closure-extended-to-september-18330") for url in tabs) == 2
    copies = [t.url for t in _teasers("article_responsive_duplicate")]
    assert sum(url.endswith("tram-line-extension-opens") for url in copies) == 1


def test_ranks_time_stamps_and_kickers_are_not_part_of_the_headline() -> None:
    """ "1", "10:42" and "Schifffahrt:" printed inside the link are left out of the headline."""
    headlines = {
        t.headline
        for name in (
            "article_tabs_sponsored",
            "article_responsive_duplicate",
            "article_german_boxes",
        )
        for t in _teasers(name)
    }
    assert "Bridge closure extended to September as repair bill rises" in headlines
    assert "Tram line extension opens two weeks early" in headlines
    assert "Reederei bestellt zwei neue Schiffe in Norwegen" in headlines
    assert not any(h[:1].isdigit() and h.split()[0].rstrip(".:").isdigit() for h in headlines)


def test_boxed_card_inside_the_story_prose_is_a_teaser() -> None:
    """A "Read next" card set between the story's paragraphs is one teaser under that label."""
    boxed = [t for t in _teasers("article_responsive_duplicate") if "cooling-centres" in t.url]
    assert [(t.headline, t.block) for t in boxed] == [
        ("Heatwave plan adds twelve cooling centres across the city", "Read next")
    ]
