"""Field-level helpers: author bylines, agencies, dates, languages and lenient JSON-LD."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from workers.extract import extract
from workers.extract.authors import (
    agency_name,
    clean_names,
    credit_line_agency,
    first_agency_in,
    is_credit_note,
    looks_like_byline,
    strip_credit_suffix,
)
from workers.extract.dates import parse_printed, parse_structured
from workers.extract.jsonld import parse_json_ld, type_names
from workers.extract.language import detect_language, normalise_language


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        (["By Jane Doe and John Roe, Senior Correspondents"], ["Jane Doe", "John Roe"]),
        (["Von Anna Schmidt und Lukas Meier"], ["Anna Schmidt", "Lukas Meier"]),
        (["Par Claire Martin et Hugo Bernard"], ["Claire Martin", "Hugo Bernard"]),
        (["Jane Doe, John Roe"], ["Jane Doe", "John Roe"]),
        (["By Sam Lee | Updated 12 May 2024"], ["Sam Lee"]),
        (["Maria Rossi (maria.rossi@paper.example)"], ["Maria Rossi"]),
        (["Tom Becker in Berlin"], ["Tom Becker"]),
        (["Ana Lopez, Staff Writer"], ["Ana Lopez"]),
        (["구현모 기자"], ["구현모"]),
        (["（责编：王小明、李华）"], ["王小明", "李华"]),
        (["https://www.facebook.com/somepaper"], []),
        (["Jane Doe", "jane doe"], ["Jane Doe"]),
    ],
)
def test_bylines_become_person_names(raw: list[str], names: list[str]) -> None:
    """Prefixes, roles, places, e-mails and URLs are removed; co-authors are split."""
    assert clean_names(raw)[0] == names


@pytest.mark.parametrize(
    ("raw", "agency"),
    [
        (["Jane Doe", "AFP"], "AFP"),
        (["The Associated Press"], "AP"),
        (["Reuters"], "Reuters"),
        (["Press Trust of India"], "PTI"),
        (["Quelle: sid, dpa"], "SID"),
    ],
)
def test_agencies_are_kept_out_of_the_author_list(raw: list[str], agency: str) -> None:
    """Agency credits are recognised and reported apart from people."""
    names, found = clean_names(raw)
    assert found == agency
    assert all(agency_name(name) is None for name in names)


def test_short_agency_names_must_be_printed_as_acronyms() -> None:
    """'PA' is the agency; the lower-case word 'pa' is not."""
    assert agency_name("PA") == "PA"
    assert agency_name("pa") is None
    assert agency_name("dpa") == "dpa"


@pytest.mark.parametrize(
    ("line", "agency"),
    [
        ("(PTI)", "PTI"),
        ("With AFP", "AFP"),
        ("AFP/Reuters", "AFP"),
        ("— dpa", "dpa"),
        ("(IANS)", "IANS"),
        ("Bron: BELGA", "Belga"),
    ],
)
def test_trailing_credit_lines_name_their_agency(line: str, agency: str) -> None:
    """Stand-alone credit paragraphs are recognised."""
    assert credit_line_agency(line) == agency


@pytest.mark.parametrize(
    ("note", "agency"),
    [
        ("With files from The Associated Press and a staff reporter", "AP"),
        ("With reporting by Reuters", "Reuters"),
        ("Reporting by Jane Doe; Editing by John Roe", None),
    ],
)
def test_closing_credit_notes_are_recognised(note: str, agency: str | None) -> None:
    """'With files from ...' notes are credit lines; the first agency they name is reported."""
    assert is_credit_note(note)
    assert first_agency_in(note) == agency


def test_sentences_are_not_credit_lines() -> None:
    """Ordinary short paragraphs, even mentioning an agency, are not credit lines."""
    assert credit_line_agency("He told AFP he would stay.") is None
    assert credit_line_agency("pa") is None
    assert not is_credit_note("He said the reporting by journalists was fair.")


def test_credit_glued_to_the_last_paragraph_is_cut() -> None:
    """'... said. (PTI)' loses its credit and reports the agency."""
    assert strip_credit_suffix("The minister said talks would resume. (PTI)") == (
        "The minister said talks would resume.",
        "PTI",
    )
    assert strip_credit_suffix("A sentence (in brackets).") == ("A sentence (in brackets).", None)


def test_byline_paragraphs_are_told_from_prose() -> None:
    """'By Jane Doe' is a byline; 'By the way, ...' is not."""
    assert looks_like_byline("By Jane Doe and John Roe, Senior Correspondents")
    assert looks_like_byline("（责编：王小明、李华）")
    assert not looks_like_byline("By the way, nobody expected the vote to pass")


@pytest.mark.parametrize(
    ("raw", "expected", "assumed"),
    [
        ("2024-05-03T15:47:42.389Z", datetime(2024, 5, 3, 15, 47, 42, 389000, tzinfo=UTC), False),
        (
            "2024-04-26T20:44:00+0200",
            datetime(2024, 4, 26, 20, 44, tzinfo=timezone(timedelta(hours=2))),
            False,
        ),
        ("2024-04-24 22:58:49", datetime(2024, 4, 24, 22, 58, 49, tzinfo=UTC), True),
        ("2023-04-28", datetime(2023, 4, 28, tzinfo=UTC), True),
        ("Fri, 03 May 2024 15:47:42 GMT", datetime(2024, 5, 3, 15, 47, 42, tzinfo=UTC), False),
        ("1714751262", datetime(2024, 5, 3, 15, 47, 42, tzinfo=UTC), False),
    ],
)
def test_structured_dates_parse_with_their_offsets(
    raw: str, expected: datetime, assumed: bool
) -> None:
    """ISO 8601, RFC 2822 and epoch values parse; a missing offset is assumed UTC and flagged."""
    parsed = parse_structured(raw)
    assert parsed is not None
    assert parsed.value == expected
    assert parsed.value.tzinfo is not None
    assert parsed.assumed_utc is assumed


@pytest.mark.parametrize("raw", ["", "yesterday", "0000-00-00", "1850-01-01T00:00:00Z", "x" * 100])
def test_unusable_structured_dates_are_rejected(raw: str) -> None:
    """Empty, relative, zero and implausible dates give None."""
    assert parse_structured(raw) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stand: 08.07.2026 05:00 Uhr", datetime(2026, 7, 8, 5, 0)),
        ("28. April 2024, 15:19 Uhr", datetime(2024, 4, 28, 15, 19)),
        ("Publié le 30 août 2023 à 14h52", datetime(2023, 8, 30, 14, 52)),
        ("Posted March 4, 2024 at 9:30 pm EST", datetime(2024, 3, 4, 21, 30)),
        ("2025年1月13日 21時37分", datetime(2025, 1, 13, 21, 37)),
        ("2025년 5월 15일 20:00", datetime(2025, 5, 15, 20, 0)),
        ("12 de mayo de 2024", datetime(2024, 5, 12)),
        ("Garden NotesMARCH 3, 2021", datetime(2021, 3, 3)),
    ],
)
def test_printed_dates_are_found_in_datelines(text: str, expected: datetime) -> None:
    """Datelines in several languages and formats give their wall-clock time."""
    parsed = parse_printed(text)
    assert parsed is not None
    assert parsed.value.replace(tzinfo=None) == expected


def test_printed_zone_abbreviation_sets_the_offset() -> None:
    """A printed 'EST' becomes UTC-5 and is not flagged as assumed."""
    parsed = parse_printed("March 4, 2024 9:30 pm EST")
    assert parsed is not None
    assert parsed.value.utcoffset() == timedelta(hours=-5)
    assert not parsed.assumed_utc


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("en-GB", "en"),
        ("de_DE", "de"),
        ("PT-br", "pt"),
        ("deu", "de"),
        ("English", "en"),
        ("iw", "he"),
        ("zh-Hant-TW", "zh"),
        ("", None),
        ("12", None),
        ("klingon-xx-yy!", None),
    ],
)
def test_language_tags_normalise_to_iso_639_1(raw: str, code: str | None) -> None:
    """Region subtags, 3-letter codes and English names map to two-letter codes."""
    assert normalise_language(raw) == code


def test_json_ld_is_read_leniently() -> None:
    """Trailing commas, HTML comments, CDATA wrappers and concatenated objects all parse."""
    texts = [
        '<!-- {"@type": "NewsArticle", "headline": "A",} -->',
        '//<![CDATA[\n{"@type": "WebPage"}\n//]]>',
        '{"@type": "Person", "name": "B"}{"@type": "Organization", "name": "C"}',
        '{"@graph": [{"@type": ["NewsArticle", "Article"], "headline": "D"}]}',
        "{not json at all",
    ]
    objects = parse_json_ld(texts)
    assert [sorted(type_names(obj)) for obj in objects] == [
        ["newsarticle"],
        ["webpage"],
        ["person"],
        ["organization"],
        ["article", "newsarticle"],
    ]


def test_json_ld_types_drop_namespaces() -> None:
    """'http://schema.org/NewsArticle' and 'schema:Article' are plain type names."""
    assert type_names({"@type": ["http://schema.org/NewsArticle", "schema:Article"]}) == {
        "newsarticle",
        "article",
    }


_STORY = {
    "de": (
        "Der Stadtrat hat am Dienstag nach langer Debatte beschlossen, die Gebühren für das "
        "Parken in der Innenstadt ab dem kommenden Jahr deutlich zu erhöhen. Die Opposition "
        "kritisierte den Beschluss scharf und kündigte an, ein Bürgerbegehren zu unterstützen."
    ),
    "en": (
        "The city council decided on Tuesday, after a long debate, to raise parking fees in "
        "the town centre sharply from next year. The opposition criticised the decision and "
        "said it would back a petition calling for a public vote on the new charges."
    ),
}


def _story_page(text: str, lang: str = "") -> str:
    attr = f' lang="{lang}"' if lang else ""
    paragraphs = "".join(f"<p>{sentence}.</p>" for sentence in text.split(". "))
    return (
        f"<html{attr}><head><title>Council vote</title>"
        '<meta property="og:type" content="article"></head><body><article>'
        f"<h1>Council vote on parking fees</h1>{paragraphs}</article></body></html>"
    )


@pytest.mark.parametrize("code", ["de", "en"])
def test_undeclared_language_is_identified_from_the_text(code: str) -> None:
    """A page that declares no language gets the one its text is written in."""
    article = extract(_story_page(_STORY[code]), "https://news.example/council").article
    assert article is not None
    assert article.language == code
    assert article.provenance["language"] == "detected"


def test_declared_language_wins_over_the_text() -> None:
    """A declared language is kept even when the text reads as another one."""
    article = extract(_story_page(_STORY["en"], "de-AT"), "https://news.example/c").article
    assert article is not None
    assert (article.language, article.provenance["language"]) == ("de", "dom")


def test_short_text_gets_no_guessed_language() -> None:
    """Too few letters to tell: the language stays unknown rather than guessed."""
    assert detect_language("Council vote tonight") is None
    assert detect_language(_STORY["de"]) == "de"


def _hero_page(hero: str) -> str:
    paragraphs = "".join(
        f"<p>Plot {number}: the allotment society met on Tuesday evening to share out the new "
        f"plots, and member {number} who had waited more than a year was offered one beside "
        "the river path, with a shed, a water butt and a key to the gate.</p>"
        for number in range(1, 6)
    )
    return (
        "<html><head><title>Plots shared out</title></head><body>"
        f'<div class="hero"><h1>Plots shared out at last</h1>{hero}</div>'
        f'<div class="content">{paragraphs}</div></body></html>'
    )


def test_a_date_printed_beside_the_headline_is_the_publication_date() -> None:
    """A hero line "Published on July 18, 2025" outside the body, with no <time>, dates the
    story; a line naming an update does not."""
    url = "https://allotments.example/blog/plots-shared-out"
    published = extract(_hero_page("<div>Published on July 18, 2025</div>"), url)
    assert published.article is not None
    assert published.article.published_at is not None
    assert published.article.published_at.date() == datetime(2025, 7, 18).date()
    updated = extract(_hero_page("<div>Last updated on October 1, 2025</div>"), url)
    assert updated.article is not None
    assert updated.article.published_at is None


_FERRY_STORY = "".join(
    f"<p>Paragraph {n}: the ferry company said the new timetable adds two crossings on "
    f"weekdays and moves the first sailing of the day forty minutes earlier.</p>"
    for n in range(5)
)


def _titled_page(h1: str, og_title: str = "Ferry timetable 2025: all changes") -> str:
    return f"""<html><head><meta property="og:title" content="{og_title}">
    <meta property="og:site_name" content="Island Courier"></head>
    <body><main><h1>{h1}</h1>{_FERRY_STORY}</main></body></html>"""


def test_title_is_the_printed_headline_over_a_differing_declared_one() -> None:
    """The page's one <h1> is the title when the declared (og:title) headline differs."""
    page = _titled_page("Two more ferry crossings on weekdays from March")
    article = extract(page, "https://courier.example/2025/02/ferry-timetable").article
    assert article is not None
    assert article.title == "Two more ferry crossings on weekdays from March"
    assert article.provenance["title"] == "dom"


def test_declared_title_stays_when_the_h1_is_short_or_only_spaced_differently() -> None:
    """A logo-length <h1>, or one whose kicker runs into the headline, keeps the declared title."""
    url = "https://courier.example/2025/02/ferry-timetable"
    for h1 in ("Island Courier", "Ferries", "<span>Ferry timetable 2025</span>All changes"):
        article = extract(_titled_page(h1), url).article
        assert article is not None
        assert article.title == "Ferry timetable 2025: all changes", h1


def test_news_article_keeps_its_declared_headline() -> None:
    """A page declaring a NewsArticle keeps the headline its desk declared over its <h1>."""
    page = _titled_page("Two more ferry crossings on weekdays from March").replace(
        "</head>",
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Ferry timetable 2025: all changes"}</script></head>',
    )
    article = extract(page, "https://courier.example/2025/02/ferry-timetable").article
    assert article is not None
    assert article.title == "Ferry timetable 2025: all changes"


@pytest.mark.parametrize("text", ["remember 22, 2022", "ProDec 5, 2021"])
def test_month_names_inside_words_are_not_dates(text: str) -> None:
    """A month name must start a word (or a capitalised run glued to the one before it)."""
    assert parse_printed(text) is None
