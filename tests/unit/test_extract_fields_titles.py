"""Headlines: site names a CMS appends more than once, decorations after the headline."""

from __future__ import annotations

import pytest

from workers.extract import extract

_STORY = " ".join(
    ["The harbour board met on Monday to plan the new ferry pier and the footpath beside it."] * 4
)


def _page(title: str, heading: str) -> str:
    paragraphs = "".join(f"<p>{_STORY}</p>" for _ in range(5))
    return (
        f"<html><head><title>{title}</title><meta property='og:title' content='{title}'>"
        "<meta property='og:site_name' content='Harbour Post'></head><body><article>"
        f"<h1>{heading}</h1>{paragraphs}</article></body></html>"
    )


@pytest.mark.parametrize(
    ("title", "heading"),
    [
        # The site name appended to a title that already carries it, in <h1> and og:title.
        (
            "Ferry pier plans move ahead \u2013 Harbour Post - Harbour Post",
            "Ferry pier plans move ahead \u2013 Harbour Post",
        ),
        # A decoration printed after the declared headline.
        ("Ferry pier plans move ahead \u22c6", "Ferry pier plans move ahead"),
    ],
)
def test_site_names_and_decorations_leave_the_headline(title: str, heading: str) -> None:
    article = extract(_page(title, heading), "https://harbourpost.example/news/pier").article
    assert article is not None
    assert article.title == "Ferry pier plans move ahead"


def test_a_headline_opening_with_the_site_name_keeps_it() -> None:
    """An <h1> loses only a trailing site name: "Harbour Post: ..." opens the headline."""
    heading = "Harbour Post: ferry pier plans move ahead"
    article = extract(_page(heading, heading), "https://harbourpost.example/news/pier").article
    assert article is not None
    assert article.title == heading


def test_an_emoji_ending_the_headline_is_kept() -> None:
    heading = "Ferry pier plans move ahead \U0001f6a2"
    article = extract(_page(heading, heading), "https://harbourpost.example/news/pier").article
    assert article is not None
    assert article.title == heading


_NEXT = "Ferry pier plans: what comes next"
_DASHED = "Ferry pier plans \u2013 what comes next"


@pytest.mark.parametrize(
    ("declared", "heading", "expected"),
    [
        # A plain hyphen typed in the declared title where the <h1> prints a dash or colon.
        ("Ferry pier plans - what comes next", _DASHED, _DASHED),
        ("Ferry pier plans - what comes next", _NEXT, _NEXT),
        # Markdown or quote marks wrapped around the declared title.
        ("## " + _NEXT, _NEXT, _NEXT),
        ("*Ferry pier plans* (1902)", "Ferry pier plans (1902)", "Ferry pier plans (1902)"),
        (f'"{_NEXT}"', _NEXT, _NEXT),
        # Other differences keep the declared spelling: a quote's shape, a space the <h1>'s
        # markup lost, an ellipsis or a separator it leaves out.
        ('The "new" pier opens', "The \u201cnew\u201d pier opens", 'The "new" pier opens'),
        (_NEXT, "Ferry pier plans:what comes next", _NEXT),
        ("Ferry pier plans...", "Ferry pier plans", "Ferry pier plans..."),
        (
            "Ferry pier plans. - What next",
            "Ferry pier plans. What next",
            "Ferry pier plans. - What next",
        ),
    ],
)
def test_a_declared_title_the_h1_repeats_takes_its_dashes_and_drops_its_wrapping(
    declared: str, heading: str, expected: str
) -> None:
    article = extract(_page(declared, heading), "https://harbourpost.example/news/pier").article
    assert article is not None
    assert article.title == expected


def _undeclared_page(title: str, top: str) -> str:
    paragraphs = "".join(f"<p>{_STORY}</p>" for _ in range(5))
    return (
        f"<html><head><title>{title}</title></head><body>{top}<article>"
        f"{paragraphs}</article></body></html>"
    )


@pytest.mark.parametrize(
    "top",
    [
        # A logo set in the first <h1>, the headline in the second.
        "<h1><a href='/'>hp</a></h1><h1>Ferry pier plans move ahead</h1>",
        # The headline set in a banner the walk counts as furniture.
        "<div class='post-banner'><h1>Ferry pier plans move ahead</h1></div>",
    ],
)
def test_without_a_declared_title_the_h1_the_title_opens_with_is_the_headline(top: str) -> None:
    page = _undeclared_page("Ferry pier plans move ahead | Harbour town", top)
    article = extract(page, "https://harbourpost.example/news/pier").article
    assert article is not None
    assert article.title == "Ferry pier plans move ahead"


def test_a_trailing_section_the_url_files_the_story_under_is_stripped() -> None:
    paragraphs = "".join(f"<p>{_STORY}</p>" for _ in range(5))
    declared = "Ferry pier plans move ahead | Local News"
    page = (
        f"<html><head><title>{declared}</title><meta property='og:title' content='{declared}'>"
        f"</head><body><article>{paragraphs}</article></body></html>"
    )
    article = extract(page, "https://harbourpost.example/local-news/4411").article
    assert article is not None
    assert article.title == "Ferry pier plans move ahead"
    # A folder of digits (a year) is no section, nor the story's own slug.
    page = page.replace("Local News", "2026")
    article = extract(page, "https://harbourpost.example/2026/05/pier").article
    assert article is not None
    assert article.title == "Ferry pier plans move ahead | 2026"


def test_an_h1_set_in_capitals_does_not_outvote_the_declared_title() -> None:
    page = _page("Ferry pier plans: what comes next", "FERRY PIER PLANS IN 2026: WHAT COMES NEXT")
    article = extract(page, "https://harbourpost.example/news/pier").article
    assert article is not None
    assert article.title == "Ferry pier plans: what comes next"


def test_a_long_declared_headline_cut_at_a_word_gives_way_to_the_whole_one() -> None:
    whole = (
        "Ferry pier plans move ahead as the harbour board backs a new footpath, a cycle lane "
        "and two more berths (with a caf\u00e9 by the water)"
    )
    cut = whole[: whole.rindex(" (with")] + " (with"
    paragraphs = "".join(f"<p>{_STORY}</p>" for _ in range(5))
    page = (
        f"<html><head><title>{whole} | Harbour Post</title>"
        f'<script type=\'application/ld+json\'>{{"@type": "BlogPosting", '
        f'"headline": "{cut}"}}</script>'
        f"<meta property='og:title' content='{whole} | Harbour Post'>"
        "<meta property='og:site_name' content='Harbour Post'></head>"
        f"<body><article>{paragraphs}</article></body></html>"
    )
    article = extract(page, "https://harbourpost.example/news/pier").article
    assert article is not None
    assert article.title == whole
