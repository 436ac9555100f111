"""Fixture pages in several CMS styles, each checked against the expected fields beside it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workers.extract import extract

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
CASES = sorted(path.stem for path in PAGES.glob("article_*.html"))
# Keys of an expectation file that are not Article fields.
_PAGE_KEYS = {"url", "kind"}


def _load(name: str) -> tuple[str, dict[str, Any]]:
    html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
    expected = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    return html, expected


def test_every_fixture_page_has_an_expectation() -> None:
    """Each fixture page comes with its expected-output JSON."""
    assert len(CASES) >= 7
    for name in CASES:
        assert (PAGES / f"{name}.json").exists(), name


@pytest.mark.parametrize("name", CASES)
def test_fixture_page_matches_expected_fields(name: str) -> None:
    """The extractor reproduces every field the fixture's JSON lists (and only those)."""
    html, expected = _load(name)
    result = extract(html, expected["url"])
    assert result.kind == expected.get("kind", "article"), result.reason
    assert result.article is not None
    actual = result.article.to_dict()
    for key, want in expected.items():
        if key in _PAGE_KEYS:
            continue
        if key == "provenance":
            got = {field: actual["provenance"].get(field) for field in want}
            assert got == want, f"{name}: provenance"
            continue
        assert actual[key] == want, f"{name}: {key}"


@pytest.mark.parametrize("name", CASES)
def test_fixture_body_word_count_matches_body(name: str) -> None:
    """word_count counts the words of the extracted body."""
    html, expected = _load(name)
    article = extract(html, expected["url"]).article
    assert article is not None
    words = [token for token in article.body.split() if any(ch.isalnum() for ch in token)]
    assert article.word_count == len(words) > 0
