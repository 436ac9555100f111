"""Printed bylines: glued labels and roles, sentences opening with "By", mentions, reviewers."""

from __future__ import annotations

import pytest

from workers.extract import extract
from workers.extract.authors import split_byline

_STORY = " ".join(
    ["The harbour board met on Monday to plan the new ferry pier and the footpath beside it."] * 4
)


def _page(header: str, first: str = _STORY) -> str:
    paragraphs = "".join(f"<p>{_STORY}</p>" for _ in range(4))
    return (
        "<html><head><title>Ferry pier plans</title></head><body><article>"
        f"<h1>Ferry pier plans move ahead</h1>{header}<div class='entry-content'>"
        f"<p>{first}</p>{paragraphs}</div></article></body></html>"
    )


def _authors(html: str) -> list[str]:
    article = extract(html, "https://harbour.example/news/ferry-pier").article
    assert article is not None
    return article.authors


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("Jane RoeSenior Editor at Harbour News", ["Jane Roe"]),
        ("Tom Okafor-BrownFounder", ["Tom Okafor-Brown"]),
        ("Rachel MacDonald", ["Rachel MacDonald"]),
        ("Ann McLeod", ["Ann McLeod"]),
        ("ByJane Roe", ["Jane Roe"]),
        ("Byron Lee", ["Byron Lee"]),
    ],
)
def test_labels_and_roles_glued_to_a_name_are_cut(raw: str, names: list[str]) -> None:
    """A role or a "By" set in its own element reaches the text glued to the name."""
    assert split_byline(raw) == names


def test_a_sentence_opening_with_by_is_no_byline() -> None:
    sentence = "By planning the pier and the path together, the board saves money."
    assert _authors(_page("", first=sentence)) == []


def test_a_profile_linked_in_running_text_is_no_byline() -> None:
    mention = (
        "As <a href='/people/ada-quist'>Dr. Ada Quist</a>, an engineer who advised the board "
        "on the tides, the currents and the footings for three years, put it at the meeting: "
        "the pier will stand for a hundred years if the footings are set deep enough."
    )
    header = "<p class='byline'>By Jane Roe</p>"
    assert _authors(_page(header, first=mention)) == ["Jane Roe"]


@pytest.mark.parametrize(
    ("header", "names"),
    [
        # A "By" label in its own element reaches the text glued to the name: "ByJane Roe".
        (
            "<div class='entry-meta'><span class='meta-label'>By</span>"
            "<span><a href='/about/'>Jane Roe</a></span></div>",
            ["Jane Roe"],
        ),
        # A reviewer credited beside the writer is left out ...
        (
            "<div class='byline'>By <a href='/author/jane-roe'>Jane Roe</a>. "
            "Reviewed by <a href='/author/tom-okafor'>Tom Okafor</a></div>",
            ["Jane Roe"],
        ),
        # ... and kept when credited alone.
        (
            "<div class='byline'>Reviewed by <a href='/author/tom-okafor'>Tom Okafor</a></div>",
            ["Tom Okafor"],
        ),
    ],
)
def test_bylines_printed_around_the_headline(header: str, names: list[str]) -> None:
    assert _authors(_page(header)) == names


def _site_page(head: str, header: str) -> str:
    return _page(header).replace("<head>", f"<head>{head}", 1)


def test_the_owner_of_a_personal_site_is_its_author() -> None:
    """An author link named like the site (janeroe.example) is its owner's, no organisation."""
    head = "<meta property='og:site_name' content='Jane Roe'>"
    header = "<p class='meta'><a href='/author/jane/'>Jane Roe</a></p>"
    article = extract(_site_page(head, header), "https://janeroe.example/blog/pier").article
    assert article is not None
    assert article.authors == ["Jane Roe"]


def test_a_desk_named_after_the_site_is_kept() -> None:
    head = "<meta property='og:site_name' content='Harbour'>"
    assert _authors(_site_page(head, "<p class='authorName'>Harbour Staff</p>")) == [
        "Harbour Staff"
    ]


def test_a_lower_case_name_after_by_is_a_byline() -> None:
    """A lower-case word after "By" that a separator follows names: "by harbourco | Apr 2"."""
    header = "<p class='post-info'>by harbourco | Apr 21, 2025</p>"
    assert _authors(_page(header)) == ["harbourco"]


def test_a_label_opening_a_sentence_is_no_byline() -> None:
    """ "Text in, summary out" opens with a credit label ("Text"), yet reads as a sentence."""
    header = "<p class='post-info'>Text in \u2192 summary out.</p>"
    assert _authors(_page(header)) == []
