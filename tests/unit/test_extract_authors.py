"""Author bylines: entities, bare prefix labels and plural "Authors:" labels."""

from __future__ import annotations

import pytest

from workers.extract import extract
from workers.extract.authors import clean_names, split_byline

_STORY = " ".join(
    ["The council voted on the new budget after a long debate about the roads and schools."] * 4
)


def _page(byline: str) -> str:
    paragraphs = "".join(f"<p>{_STORY}</p>" for _ in range(4))
    return (
        "<html><head><title>Council passes budget</title></head><body><article>"
        f"<h1>Council passes budget</h1><div class='byline'>{byline}</div>"
        f"{paragraphs}</article></body></html>"
    )


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        (["Maria &amp; Katerina"], ["Maria", "Katerina"]),
        (["Written by", "David Jackson"], ["David Jackson"]),
        (["Written By"], []),
        (["Authors:Jane Doe, John Roe"], ["Jane Doe", "John Roe"]),
        (["By"], []),
    ],
)
def test_byline_labels_and_entities_are_not_names(raw: list[str], names: list[str]) -> None:
    """An escaped '&' splits co-authors; a label printed alone is no name."""
    assert clean_names(raw)[0] == names


def test_a_name_starting_like_a_prefix_is_kept() -> None:
    """'By' is removed only as a whole word: 'Byron Lee' stays whole."""
    assert split_byline("Byron Lee") == ["Byron Lee"]


def test_page_byline_with_plural_label_gives_the_people() -> None:
    """A printed 'Authors: A and B' byline yields both people without the label."""
    article = extract(_page("Authors: Jane Doe and John Roe"), "https://news.example/c").article
    assert article is not None
    assert article.authors == ["Jane Doe", "John Roe"]


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        (["By Dr. Ann Lee - Mar 27, 2024"], ["Dr. Ann Lee"]),
        (["Jane Doe | 5 min"], ["Jane Doe"]),
        (["Jane Doe - Roe"], ["Jane Doe - Roe"]),
    ],
)
def test_a_date_behind_a_dash_is_cut_from_the_byline(raw: list[str], names: list[str]) -> None:
    """A dash or bar followed by a date or a number ends the byline; other dashes stay."""
    assert clean_names(raw)[0] == names


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        (["Acme Support Team"], ["Acme Support Team"]),
        (["Team Acme"], ["Team Acme"]),
        (["Arts Desk"], ["Arts Desk"]),
        (["team"], []),
        (["Jane Doe, Senior Editor"], ["Jane Doe"]),
    ],
)
def test_a_site_team_or_desk_credited_as_a_whole_is_kept(raw: list[str], names: list[str]) -> None:
    """A company team or a desk signing as a whole is a credit; a role after a name is not."""
    assert clean_names(raw)[0] == names


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        (["Written by", "Nora Quill", "Last updated on:"], ["Nora Quill"]),
        (["Tue, 14 Oct, 2025 - 09:12"], []),
        (["WHERE TO BUY", "Ivo Brandt"], ["Ivo Brandt"]),
        (["About the author", "Learn More"], []),
        (["June Carter", "Jan de Vries", "Sun Li"], ["June Carter", "Jan de Vries", "Sun Li"]),
    ],
)
def test_date_words_and_widget_labels_are_not_names(raw: list[str], names: list[str]) -> None:
    """A byline box's "Last updated" label, a date line's weekday and a widget's label are
    furniture; a name holding a month or a weekday as one of its words is still a name."""
    assert clean_names(raw)[0] == names


def test_a_bold_about_line_still_ends_the_story_as_a_sign_off() -> None:
    """'About Acme Media' in bold after the story is the sign-off's furniture: it and what
    follows stay out of the body, and it is no author."""
    paragraphs = "".join(f"<p>{_STORY}</p>" for _ in range(4))
    html = (
        "<html><head><title>Council passes budget</title></head><body><article>"
        f"<h1>Council passes budget</h1><p class='byline'>By Nora Quill</p>{paragraphs}"
        "<p><strong>About Acme Media</strong></p><p>Acme Media runs four sites.</p>"
        "</article></body></html>"
    )
    article = extract(html, "https://news.example/2025/10/14/budget").article
    assert article is not None
    assert article.authors == ["Nora Quill"]
    assert "Acme Media" not in article.body


def test_the_outlet_printed_after_a_name_is_not_part_of_it() -> None:
    """A byline box that sets the publication after the writer ('Nora Quill Ledger') credits
    the writer; a name with no outlet after it is left whole."""
    paragraphs = "".join(f"<p>{_STORY}</p>" for _ in range(4))

    def authors(byline: str) -> list[str]:
        html = (
            "<html><head><title>Council passes budget</title>"
            "<meta property='og:site_name' content='Ledger'></head><body><article>"
            f"<h1>Council passes budget</h1><div class='byline'>{byline}</div>{paragraphs}"
            "</article></body></html>"
        )
        article = extract(html, "https://ledger.example/2025/10/14/budget").article
        assert article is not None
        return article.authors

    assert authors("Nora Quill Ledger") == ["Nora Quill"]
    assert authors("Nora Quill") == ["Nora Quill"]
