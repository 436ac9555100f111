"""Search query building: dates, query parsing, and which fields a mapping lets us search."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pytest

from workers.errors import QueryError
from workers.search import (
    FieldTerm,
    SearchRequest,
    build_body,
    field_types,
    parse_query,
    parse_when,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "config" / "elasticsearch"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _mapping(kind: str, language_subfields: bool = False) -> dict[str, str]:
    """The shipped template as a get-mapping response, optionally with `.english` sub-fields."""
    template = json.loads((TEMPLATES / f"{kind}.json").read_text())
    mappings = copy.deepcopy(template["mappings"])
    if language_subfields:
        for name in ("title", "subtitle", "body", "headline", "summary"):
            if name in mappings["properties"]:
                mappings["properties"][name].setdefault("fields", {})["english"] = {
                    "type": "text",
                    "analyzer": "english",
                }
    return field_types({f"news-{kind}-v1": {"mappings": mappings}})


def _text_fields(body: dict[str, Any]) -> list[str]:
    clause = body["query"]["bool"]["must"][0]["simple_query_string"]
    fields: list[str] = clause["fields"]
    return fields


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2h", NOW - timedelta(hours=2)),
        ("90m", NOW - timedelta(minutes=90)),
        ("3d", NOW - timedelta(days=3)),
        ("1W", NOW - timedelta(weeks=1)),
        ("2026-11-30", datetime(2026, 11, 30, tzinfo=UTC)),
        ("2026-11-30T08:15Z", datetime(2026, 11, 30, 8, 15, tzinfo=UTC)),
        ("2026-11-30 08:15+02:00", datetime(2026, 11, 30, 6, 15, tzinfo=UTC)),
    ],
)
def test_parse_when_reads_ages_and_iso_dates(value: str, expected: datetime) -> None:
    """Ages count back from now; ISO dates without an offset are UTC."""
    assert parse_when(value, now=NOW) == expected


def test_a_bare_date_until_includes_that_whole_day() -> None:
    end = parse_when("2026-11-30", now=NOW, option="--until")
    assert end == datetime(2026, 11, 30, 23, 59, 59, 999000, tzinfo=UTC)
    assert parse_when("2026-11-30T08:00Z", option="--until") == datetime(
        2026, 11, 30, 8, tzinfo=UTC
    )


@pytest.mark.parametrize("value", ["yesterday", "2h ago", "-3d", "2026-13-01", ""])
def test_parse_when_refuses_what_it_cannot_read(value: str) -> None:
    """An unreadable date names the option and the accepted forms."""
    with pytest.raises(QueryError, match=r"cannot read --until .*ISO date.*age"):
        parse_when(value, now=NOW, option="--until")


def test_parse_query_lifts_field_terms_out_of_the_text() -> None:
    """`title:x`, `-body:"a b"` become field terms; the rest stays for every field."""
    parsed = parse_query('harbour title:permits -body:"pier sold" "town hall"')
    assert parsed.text == 'harbour "town hall"'
    assert parsed.terms == (
        FieldTerm("title", "permits"),
        FieldTerm("body", '"pier sold"', negated=True),
    )


def test_parse_query_maps_field_aliases_in_any_case() -> None:
    """headline: is title:, Summary: is subtitle:, byline: is author:."""
    parsed = parse_query("headline:a Summary:b byline:c")
    assert [term.name for term in parsed.terms] == ["title", "subtitle", "author"]


@pytest.mark.parametrize("query", ["", "   ", '""', "- | +", "( )"])
def test_empty_query_is_refused(query: str) -> None:
    """Nothing but spaces or operators is an error, not a search for nothing."""
    with pytest.raises(QueryError, match="empty query"):
        parse_query(query)


def test_unknown_field_is_refused_and_quoting_is_suggested() -> None:
    """An unknown `name:` says which fields exist and how to search the text literally."""
    with pytest.raises(QueryError, match=r"unknown field 'colour'.*title, subtitle, body"):
        parse_query("colour:red")
    assert parse_query('"colour:red"').terms == ()
    assert parse_query("10:30").terms == ()  # a field name starts with a letter


def test_field_term_without_words_is_refused() -> None:
    with pytest.raises(QueryError, match="nothing to search for in 'title:'"):
        parse_query("harbour title:")


def test_only_exclusions_are_a_valid_query() -> None:
    """`-permit` searches everything else the filters let through."""
    assert parse_query("-permit").text == "-permit"


def test_standard_mapping_searches_the_plain_fields() -> None:
    """With the shipped (standard-analyzer) template the query names only the base fields."""
    body = build_body(
        "articles", parse_query("permits"), SearchRequest("permits"), _mapping("articles")
    )
    assert body is not None
    assert _text_fields(body) == ["title^3", "subtitle^2", "body", "authors^2", "image.caption"]
    assert set(body["highlight"]["fields"]) == {"body", "subtitle", "title"}


def test_language_subfields_in_the_mapping_are_searched_with_the_same_boost() -> None:
    """Where the template adds language-analysed sub-fields, the query reads them too."""
    types = _mapping("articles", language_subfields=True)
    body = build_body("articles", parse_query("permits"), SearchRequest("permits"), types)
    assert body is not None
    assert _text_fields(body) == [
        "title^3",
        "title.english^3",
        "subtitle^2",
        "subtitle.english^2",
        "body",
        "body.english",
        "authors^2",
        "image.caption",
    ]
    assert "body.english" in body["highlight"]["fields"]
    teasers = build_body("teasers", parse_query("x"), SearchRequest("x"), _mapping("teasers", True))
    assert teasers is not None
    assert "headline.english^3" in _text_fields(teasers)


@pytest.mark.parametrize("kind", ["articles", "teasers"])
def test_only_text_fields_are_searched_as_text(kind: Literal["articles", "teasers"]) -> None:
    """Keyword sub-fields (`title.keyword`, for Kibana) are not searched with words."""
    types = _mapping(kind, language_subfields=True)
    assert any(type_ == "keyword" and "." in path for path, type_ in types.items())
    body = build_body(kind, parse_query("x"), SearchRequest("x"), types)
    assert body is not None
    searched = [field.split("^")[0] for field in _text_fields(body)]
    assert {types[field] for field in searched} == {"text"}


def test_a_filter_the_kind_lacks_rules_the_kind_out() -> None:
    """Teasers have no section: with --section only articles are asked."""
    request = SearchRequest("x", section="Politics")
    parsed = parse_query("x")
    assert build_body("teasers", parsed, request, _mapping("teasers")) is None
    articles = build_body("articles", parsed, request, _mapping("articles"))
    assert articles is not None
    (section,) = articles["query"]["bool"]["filter"]
    assert section == {"term": {"section": {"value": "Politics", "case_insensitive": True}}}


def test_gone_documents_are_excluded_unless_asked() -> None:
    gone = {"exists": {"field": "gone_at"}}
    default = build_body("articles", parse_query("x"), SearchRequest("x"), _mapping("articles"))
    shown = build_body(
        "articles", parse_query("x"), SearchRequest("x", include_gone=True), _mapping("articles")
    )
    assert default is not None and shown is not None
    assert gone in default["query"]["bool"]["must_not"]
    assert gone not in shown["query"]["bool"]["must_not"]


def test_teasers_collapse_on_the_story_url() -> None:
    """Teaser hits are collapsed per story, with the placements as inner hits."""
    types = _mapping("teasers")
    body = build_body("teasers", parse_query("x"), SearchRequest("x"), types)
    flat = build_body("teasers", parse_query("x"), SearchRequest("x", collapse=False), types)
    assert body is not None and flat is not None
    assert body["collapse"]["field"] == "url"
    assert body["collapse"]["inner_hits"]["name"] == "placements"
    assert "collapse" not in flat
    assert types["url"] == "keyword"  # collapsing needs a keyword with doc values


def test_newest_sorts_by_the_kind_date_first() -> None:
    request = SearchRequest("x", sort="newest")
    articles = build_body("articles", parse_query("x"), request, _mapping("articles"))
    teasers = build_body("teasers", parse_query("x"), request, _mapping("teasers"))
    assert articles is not None and teasers is not None
    assert next(iter(articles["sort"][0])) == "published_at"
    assert next(iter(teasers["sort"][0])) == "last_seen"
    relevance = build_body("articles", parse_query("x"), SearchRequest("x"), _mapping("articles"))
    assert relevance is not None and relevance["sort"][0] == "_score"
