"""Publication date picking: meta names, printed date lines beside the headline."""

from __future__ import annotations

from datetime import date

import pytest

from workers.extract import extract

_URL = "https://allotments.example/blog/plots-shared-out"


def _paragraphs() -> str:
    return "".join(
        f"<p>Plot {number}: the allotment society met on Tuesday evening to share out the new "
        f"plots, and member {number} who had waited more than a year was offered one beside "
        "the river path, with a shed, a water butt and a key to the gate.</p>"
        for number in range(1, 6)
    )


def _page(
    head: str = "", hero: str = "", headline: str = "<h1>Plots shared out at last</h1>"
) -> str:
    return (
        f"<html><head><title>Plots shared out</title>{head}</head><body>"
        f'<div class="hero">{headline}{hero}</div>'
        f'<div class="content">{_paragraphs()}</div></body></html>'
    )


def _published_day(html: str) -> date | None:
    article = extract(html, _URL).article
    assert article is not None
    return article.published_at.date() if article.published_at else None


@pytest.mark.parametrize(
    "name", ["published-date", "w-published-date", "citation_publication_date", "published"]
)
def test_publication_meta_names_date_the_story(name: str) -> None:
    """Meta tags some CMSes name "published-date", "published"... give the publication date."""
    html = _page(head=f'<meta name="{name}" content="2021-02-16">')
    assert _published_day(html) == date(2021, 2, 16)


def test_a_line_printing_both_dates_gives_the_first_publication() -> None:
    """'August 16, 2019 - Updated July 9, 2025' dates the story on the day before the update."""
    html = _page(hero="<div>August 16, 2019 - Updated July 9, 2025</div>")
    assert _published_day(html) == date(2019, 8, 16)


def test_a_line_printing_only_an_update_gives_no_publication_date() -> None:
    """'Updated: January 2, 2026' alone is not the original publication."""
    assert _published_day(_page(hero="<div>Updated: January 2, 2026</div>")) is None


def test_a_headline_in_a_furniture_named_wrapper_still_anchors_its_date_line() -> None:
    """A headline and date set in a box named like furniture ("sidebar") date the story."""
    html = (
        "<html><head><title>Plots shared out</title></head><body>"
        '<div class="sidebar-hero"><h1>Plots shared out at last</h1>'
        "<div>Mar 24, 2025</div></div>"
        f'<div class="content">{_paragraphs()}</div></body></html>'
    )
    assert _published_day(html) == date(2025, 3, 24)


def test_a_page_without_an_h1_reads_the_date_beside_its_first_block() -> None:
    """With the headline set in an <h2>, a date line above the story still dates it."""
    html = _page(headline="<h2>Plots shared out at last</h2>", hero="<p>January 22nd, 2019</p>")
    assert _published_day(html) == date(2019, 1, 22)
