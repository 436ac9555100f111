"""Teaser gold on dev-set pages: hashed headlines, a well-formed gold file, a missing set."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import devset_data  # noqa: E402
import teaser_eval  # noqa: E402
import teaser_scoring  # noqa: E402

SHA1 = re.compile(r"^[0-9a-f]{40}$")


def _gold() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(teaser_eval.DEVSET_GOLD.read_text(encoding="utf-8"))
    return data


def test_headline_hash_ignores_case_spacing_and_soft_hyphens() -> None:
    """The hash is sha1 of the casefolded, whitespace-collapsed text, invisible marks dropped."""
    expected = hashlib.sha1(b"tram line extension opens", usedforsecurity=False).hexdigest()
    assert teaser_scoring.headline_hash("Tram  line\u00adextension\n OPENS ") != expected
    assert teaser_scoring.headline_hash("Tram  line ex\u00adten\u200bsion\n OPENS ") == expected
    assert teaser_scoring.headline_hash("Tram line extension closes") != expected


def test_hashed_gold_scores_urls_and_headlines_like_plain_gold() -> None:
    """Scoring against hashed headlines counts the same hits as scoring against the text."""
    page = "https://site.example/story"
    ours = [("/a", "Bridge reopens"), ("/b", "Wrong headline"), ("/c", "Extra story")]
    gold = [("/a", "bridge  reopens"), ("/b", "Right headline"), ("/d", "Missed story")]
    totals = teaser_scoring.score_page(
        "p",
        page,
        [(url, teaser_scoring.headline_hash(text)) for url, text in ours],
        [(url, teaser_scoring.headline_hash(text)) for url, text in gold],
    )
    assert (totals.tp, totals.fp, totals.fn, totals.headline_hits) == (2, 1, 1, 1)


def test_devset_gold_holds_both_splits_as_the_split_file_says() -> None:
    """About a dozen pages per split, each page in the part its publisher is assigned to."""
    gold = _gold()
    assert gold["_rules"] and gold["_format"]
    parts = devset_data.load_split("devset")
    pages = gold["pages"]
    for split in ("tune", "check"):
        assert sum(page["split"] == split for page in pages.values()) >= 10, split
    for page_id, page in pages.items():
        assert parts[page_id.split("_")[0]] == page["split"], page_id


def test_devset_gold_stores_urls_and_hashes_but_no_page_text() -> None:
    """Every teaser is an absolute URL and a sha1; no headline text is kept in the file."""
    pages = _gold()["pages"]
    assert sum(len(page["teasers"]) for page in pages.values()) > 100
    for page_id, page in pages.items():
        assert page["page_url"].startswith(("http://", "https://")), page_id
        for teaser in page["teasers"]:
            assert set(teaser) == {"url", "headline_sha1"}, page_id
            assert teaser["url"].startswith(("http://", "https://")), page_id
            assert SHA1.match(teaser["headline_sha1"]), page_id
        for url in page["borderline"]:
            assert url.startswith(("http://", "https://")), page_id


def test_missing_devset_is_said_plainly_and_exits_zero(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no ../shared/devset the eval prints why nothing was scored and returns 0."""
    monkeypatch.setattr(devset_data, "SHARED", tmp_path / "absent")
    assert teaser_eval.main(["--set", "devset"]) == 0
    out = capsys.readouterr().out
    assert "not found" in out and "nothing scored" in out


def test_link_listing_marks_headings_and_resolves_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The annotation aid lists each link with its heading mark and its absolute URL."""
    html = (
        "<html><body><nav><a href='/world'>World</a></nav>"
        "<section><h2>Read next</h2><a href='/b/story-two'><h3>Story two</h3></a>"
        "<a href='javascript:void(0)'>Share</a><a href='c'>Third story</a></section></body></html>"
    )
    monkeypatch.setattr(teaser_eval, "devset_page", lambda _: ("https://site.example/a/", html))
    lines = teaser_eval.list_links("x")
    assert lines[0] == "PAGE https://site.example/a/"
    assert "      ## h2 Read next" in lines
    links = [line for line in lines if re.match(r"^ *\d+ ", line)]
    assert links == [
        "  0 'World' | https://site.example/world",
        "  1 'Story two' H | https://site.example/b/story-two",
        "  3 'Third story' | https://site.example/a/c",
    ]
