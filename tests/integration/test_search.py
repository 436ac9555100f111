"""`ingest search` on the real Elasticsearch: each option changes the hits as it should.

Documents are written through the project's own index code (article_action, teaser_action,
SearchIndex.bulk) with chosen dates, languages and sections; the CLI runs as a subprocess
exactly as a user runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from elasticsearch import Elasticsearch

from workers.index import Action, SearchIndex, article_action, teaser_action
from workers.models import Article, Teaser

from .conftest import BIN, REPO, _require
from .inprocess import Result, invoke

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
MARKUP_TITLE = "Mayor says [/bold] [link=http://evil.example]click[/link] :smile: [red]now"


@dataclass
class Corpus:
    """An index prefix filled with known documents, and a way to run the CLI against it.

    Most calls run the real CLI in-process (typer's CliRunner, with this prefix and sources
    file in the environment), which saves a Python start per call on a busy machine;
    `run_process` runs the installed `ingest` script as a user does.
    """

    env: dict[str, str]
    daily: str
    weekly: str
    base: str

    def run(self, *args: str) -> Result:
        return invoke(["search", *args], self.env)

    def run_process(self, *args: str, env: dict[str, str] | None = None) -> Result:
        done = subprocess.run(
            [str(BIN / "ingest"), "search", *args],
            env={**os.environ, **(env or self.env)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def hits(self, *args: str) -> list[dict[str, Any]]:
        result = self.run(*args, "--json")
        assert result.returncode == 0, result.stderr
        hits: list[dict[str, Any]] = json.loads(result.stdout)
        return hits

    def titles(self, *args: str) -> list[str]:
        return [hit["title"] for hit in self.hits(*args)]


def _article(base: str, slug: str, title: str, body: str, **fields: Any) -> Article:
    url = f"{base}/{slug}"
    return Article(url=url, canonical_url=url, title=title, body=body, **fields)


def _templates(tmp: Path, subfield_analyzer: str | None = None) -> Path:
    """The shipped templates, plus `gone_at` where they lack it (the index owner adds it);
    with `subfield_analyzer`, title and body get a `letters` text sub-field using it."""
    target = tmp / f"templates-{uuid.uuid4().hex[:6]}"
    shutil.copytree(REPO / "config" / "elasticsearch", target)
    for kind in ("articles", "teasers"):
        path = target / f"{kind}.json"
        body = json.loads(path.read_text())
        properties = body["mappings"]["properties"]
        properties.setdefault("gone_at", {"type": "date"})
        if subfield_analyzer and kind == "articles":
            for name in ("title", "body"):
                properties[name].setdefault("fields", {})["letters"] = {
                    "type": "text",
                    "analyzer": subfield_analyzer,
                }
        path.write_text(json.dumps(body))
    return target


def _fill(es: Elasticsearch, prefix: str, templates: Path, actions: list[Action]) -> None:
    index = SearchIndex(es, prefix, templates)
    index.ensure()
    outcome = index.bulk(actions, refresh=True)
    assert outcome.rejected == []


def _drop(es: Elasticsearch, prefix: str) -> None:
    names = list(es.indices.get(index=f"{prefix}-*", expand_wildcards="all"))
    if names:
        es.indices.delete(index=",".join(names))
    for kind in ("articles", "teasers"):
        es.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-{kind}")


@pytest.fixture(scope="module")
def es() -> Elasticsearch:
    return Elasticsearch(_require("ELASTICSEARCH_URL"), request_timeout=30)


@pytest.fixture(scope="module")
def corpus(es: Elasticsearch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    tmp = tmp_path_factory.mktemp("search")
    prefix = f"{os.environ.get('INGEST_INDEX_PREFIX', 'test')}-search-{uuid.uuid4().hex[:8]}"
    daily, weekly = f"daily-{uuid.uuid4().hex[:4]}", f"weekly-{uuid.uuid4().hex[:4]}"
    base = "http://news.example"
    sources = [
        {"name": name, "start_urls": [f"{base}/{name}/"], "allowed_domains": ["news.example"]}
        for name in (daily, weekly)
    ]
    sources_path = tmp / "sources.yaml"
    sources_path.write_text(yaml.safe_dump({"sources": sources}))

    def article(source: str, slug: str, title: str, body: str, **fields: Any) -> Action:
        fetched = fields.pop("fetched", None)
        gone = fields.pop("gone", None)
        action = article_action(_article(base, slug, title, body, **fields), source, None)
        if fetched is not None:
            action.doc["fetched_at"] = fetched.isoformat()
        if gone is not None:
            action.doc["gone_at"] = gone.isoformat()
        return action

    def teaser(headline: str, story: str, page: str, position: int, seen: datetime) -> Action:
        card = Teaser(headline, f"{base}/{story}", f"{base}/{page}", position, block="More")
        action = teaser_action(card, daily)
        action.doc["last_seen"] = seen.isoformat()
        action.on_create["first_seen"] = (seen - timedelta(hours=1)).isoformat()
        return action

    actions = [
        article(
            daily,
            "permits",
            "Council approves building permits",
            "The council approved forty building permits for the harbour district.",
            published_at=NOW - timedelta(hours=1),
            section="Politics",
            agency="AP",
            language="en-GB",
        ),
        article(
            daily,
            "festival",
            "Harbour festival returns",
            "The festival needs a permit for the harbour stage, the council said.",
            published_at=NOW - timedelta(days=5),
            section="Culture",
            language="de",
        ),
        article(
            weekly,
            "storm",
            "Storm warning for the harbour coast",
            "Forecasters warn of a storm; the harbour council closed the pier.",
            published_at=NOW - timedelta(days=2),
            section="Weather",
            agency="Reuters",
            language="en",
        ),
        article(
            daily,
            "notice",
            "Public notice",
            "Permits for harbour moorings are renewed by the council in spring.",
            fetched=NOW - timedelta(minutes=10),
        ),
        article(
            daily,
            "removed",
            "Harbour pier sold",
            "The council sold the old harbour pier.",
            published_at=NOW - timedelta(hours=3),
            gone=NOW - timedelta(minutes=5),
        ),
        article(
            daily,
            "covid",
            "Covid19 figures for the harbour district",
            "Weekly figures, reported to the council.",
            published_at=NOW - timedelta(hours=4),
        ),
        article(
            daily,
            "markup",
            MARKUP_TITLE,
            "The mayor of the harbour town spoke: [bold]read [/bold] this [link=x] «text».",
            published_at=NOW - timedelta(hours=2),
        ),
        article(
            daily,
            "escapes",
            "Lighthouse \x1b[2J\x1b]0;owned\x07 keeper \u202eretires",
            "The lighthouse keeper retires \x1b[31mafter forty years.",
            published_at=NOW - timedelta(days=1),
        ),
        teaser("Ferry timetable changes", "ferry", "home", 1, NOW - timedelta(minutes=1)),
        teaser("Ferry timetable changes", "ferry", "section/local", 4, NOW - timedelta(minutes=2)),
        teaser("Ferry timetable changes", "ferry", "festival", 2, NOW - timedelta(minutes=3)),
        teaser("Ferry museum opens", "museum", "home", 7, NOW - timedelta(days=4)),
    ]
    _fill(es, prefix, _templates(tmp), actions)
    env = {
        "ELASTICSEARCH_URL": _require("ELASTICSEARCH_URL"),
        "INGEST_INDEX_PREFIX": prefix,
        "INGEST_SOURCES": str(sources_path),
        "INGEST_LOG_FORMAT": "json",
    }
    try:
        yield Corpus(env, daily, weekly, base)
    finally:
        _drop(es, prefix)


def test_since_and_until_select_by_publication_date(corpus: Corpus) -> None:
    """--since/--until take ages and ISO dates; undated articles go by their fetch time."""
    everything = set(corpus.titles("council", "--kind", "articles"))
    assert "Harbour festival returns" in everything

    recent = set(corpus.titles("council", "--since", "3d"))
    older = set(corpus.titles("council", "--until", "3d"))
    iso = set(corpus.titles("council", "--since", (NOW - timedelta(days=3)).date().isoformat()))
    window = set(corpus.titles("council", "--since", "3d", "--until", "90m"))

    assert "Public notice" in recent  # no publication date: fetched 10 minutes ago
    assert "Council approves building permits" in recent
    assert "Harbour festival returns" not in recent
    assert older == {"Harbour festival returns"}
    assert recent | older == everything
    assert "Harbour festival returns" not in iso and "Public notice" in iso
    assert window == {
        "Storm warning for the harbour coast",
        "Covid19 figures for the harbour district",
    }


def test_teasers_filter_by_when_they_were_shown(corpus: Corpus) -> None:
    """A teaser matches --since by its last sighting."""
    assert {hit["url"].rsplit("/", 1)[1] for hit in corpus.hits("ferry")} == {"ferry", "museum"}
    assert [hit["url"].rsplit("/", 1)[1] for hit in corpus.hits("ferry", "--since", "1d")] == [
        "ferry"
    ]


def test_lang_section_and_agency_filter_articles(corpus: Corpus) -> None:
    """--lang (en also matches en-GB, any case), --section and --agency narrow the hits."""
    english = set(corpus.titles("harbour", "--lang", "EN"))
    assert "Council approves building permits" in english  # en-GB
    assert "Storm warning for the harbour coast" in english
    assert "Harbour festival returns" not in english
    assert corpus.titles("harbour", "--lang", "de") == ["Harbour festival returns"]
    assert corpus.titles("harbour", "--section", "politics") == [
        "Council approves building permits"
    ]
    assert corpus.titles("council", "--agency", "reuters") == [
        "Storm warning for the harbour coast"
    ]


def test_filter_without_the_field_in_the_chosen_kind_is_refused(corpus: Corpus) -> None:
    """Teasers carry no language: --lang with --kind teasers is an error, not 'no hits'."""
    result = corpus.run("ferry", "--kind", "teasers", "--lang", "en")
    assert result.returncode == 2
    assert "--lang does not apply to teasers" in result.stderr


def test_sort_newest_orders_by_date(corpus: Corpus) -> None:
    """--sort newest puts the latest publication first (undated last); relevance the best."""
    relevance = corpus.titles("harbour", "--kind", "articles")
    newest = corpus.hits("harbour", "--sort", "NEWEST", "--kind", "articles")
    dates = [hit["date"] for hit in newest if hit["date"]]
    assert dates == sorted(dates, reverse=True)
    assert len(dates) == len(newest) - 1
    assert newest[0]["title"] == "Council approves building permits"  # an hour old
    assert newest[-2]["title"] == "Harbour festival returns"  # five days old
    assert newest[-1]["title"] == "Public notice"  # undated
    assert relevance != [hit["title"] for hit in newest]
    assert sorted(relevance) == sorted(hit["title"] for hit in newest)


def test_teaser_sightings_collapse_into_one_hit_per_story(corpus: Corpus) -> None:
    """One story shown on three pages is one hit with the count and the pages, unless asked."""
    (ferry,) = corpus.hits("timetable", "--kind", "TEASERS")
    assert ferry["kind"] == "teaser"
    assert ferry["placement_count"] == 3
    assert [p["seen_on"] for p in ferry["placements"]] == [
        f"{corpus.base}/home",
        f"{corpus.base}/section/local",
        f"{corpus.base}/festival",
    ]
    assert ferry["seen_on"] == f"{corpus.base}/home"
    assert ferry["id"]

    apart = corpus.hits("timetable", "--kind", "teasers", "--no-collapse")
    assert len(apart) == 3
    assert len({hit["id"] for hit in apart}) == 3
    assert {hit["seen_on"] for hit in apart} == {p["seen_on"] for p in ferry["placements"]}


def test_text_output_names_dates_sources_and_pages(corpus: Corpus) -> None:
    """The text output shows each hit's date and source, and where a teaser was shown."""
    result = corpus.run("timetable")
    assert result.returncode == 0, result.stderr
    assert f"teaser · {corpus.daily} · last shown {NOW:%Y-%m-%d}" in result.stdout
    assert "on 3 pages" in result.stdout
    assert f"shown on {corpus.base}/section/local (More, #4)" in result.stdout
    article = corpus.run("forecasters")
    published = NOW - timedelta(days=2)
    assert f"article · {corpus.weekly} · {published:%Y-%m-%d %H:%M} UTC" in article.stdout


def test_json_hits_carry_their_id(corpus: Corpus) -> None:
    """--json gives each hit its document id, distinct per document."""
    hits = corpus.hits("harbour", "--size", "50")
    assert all(hit["id"] for hit in hits)
    assert len({hit["id"] for hit in hits}) == len(hits)


def test_empty_query_is_a_one_line_error(corpus: Corpus) -> None:
    """An empty (or operator-only) query exits 2 with one line naming the problem."""
    for query in ("", "   ", '" "'):
        result = corpus.run(query)
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [
            "error: empty query: give at least one word to search for"
        ]


def test_unknown_source_is_an_error_naming_the_configured_ones(corpus: Corpus) -> None:
    """--source is checked against sources.yaml (any case), not answered with 'no hits'."""
    result = corpus.run("harbour", "--source", "nosuch")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "unknown source 'nosuch'" in line and corpus.daily in line and corpus.weekly in line
    hits = corpus.hits("harbour", "--source", corpus.daily.upper())
    assert hits and {hit["source"] for hit in hits} == {corpus.daily}


def test_query_starting_with_a_dash_needs_no_double_dash(corpus: Corpus) -> None:
    """`ingest search -festival` excludes the word; `--` before it works the same."""
    script = corpus.run_process("-festival", "--source", corpus.daily, "--json")
    assert script.returncode == 0, script.stderr
    plain = {hit["title"] for hit in json.loads(script.stdout) if hit["kind"] == "article"}
    result = corpus.run("--source", corpus.daily, "--kind", "articles", "--json", "--", "-festival")
    dashed = {hit["title"] for hit in json.loads(result.stdout)}
    assert plain == dashed
    assert "Council approves building permits" in plain
    assert "Harbour festival returns" not in plain
    mixed = set(corpus.titles("-festival harbour permits", "--kind", "articles"))
    assert mixed == {"Council approves building permits", "Public notice"}
    typo = corpus.run("--sise", "3")
    assert typo.returncode == 2


def test_field_syntax_searches_that_field_or_is_refused(corpus: Corpus) -> None:
    """title:word matches the title only; an unknown field name is a clear error."""
    assert set(corpus.titles("permits", "--kind", "articles")) == {
        "Council approves building permits",
        "Public notice",
    }
    assert corpus.titles("title:permits") == ["Council approves building permits"]
    assert corpus.titles("harbour -title:harbour", "--source", corpus.weekly) == []
    assert corpus.titles('title:"harbour coast"') == ["Storm warning for the harbour coast"]
    refused = corpus.run("colour:red")
    assert refused.returncode == 2
    assert "unknown field 'colour'" in refused.stderr
    quoted = corpus.run('"colour:red"', "--json")
    assert quoted.returncode == 0 and json.loads(quoted.stdout) == []


def test_gone_pages_are_hidden_unless_asked(corpus: Corpus) -> None:
    """An article marked gone_at (404/410 on revisit) leaves search; --include-gone shows it."""
    assert "Harbour pier sold" not in corpus.titles("pier")
    (gone,) = [hit for hit in corpus.hits("pier", "--include-gone") if hit["gone_at"]]
    assert gone["title"] == "Harbour pier sold"


def test_page_text_with_markup_is_printed_literally(corpus: Corpus) -> None:
    """Titles, highlights and error messages holding rich markup print as-is and exit 0."""
    result = corpus.run_process("mayor")
    assert result.returncode == 0, result.stderr
    assert MARKUP_TITLE in result.stdout
    assert "[bold]read [/bold] this [link=x] «text»." in result.stdout
    error = corpus.run("mayor", "--source", "[/red][link=x]bad")
    assert error.returncode == 2
    assert "unknown source '[/red][link=x]bad'" in error.stderr


def test_terminal_control_characters_in_page_text_are_shown_escaped(corpus: Corpus) -> None:
    """Escape sequences and bidi overrides in a title or body never reach the terminal raw."""
    result = corpus.run("lighthouse")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "Lighthouse \\x1b[2J\\x1b]0;owned\\x07 keeper \\u202eretires" in result.stdout
    assert "The «lighthouse» keeper" not in result.stdout  # markers became bold, not text
    assert "The lighthouse keeper retires \\x1b[31mafter forty years." in result.stdout
    (hit,) = corpus.hits("lighthouse")
    assert hit["title"] == "Lighthouse \x1b[2J\x1b]0;owned\x07 keeper \u202eretires"


def test_text_subfields_of_the_live_mapping_are_searched(
    es: Elasticsearch, corpus: Corpus, tmp_path: Path
) -> None:
    """A text sub-field the template adds (as language analyzers do) is searched too.

    The test cluster has no language analyzers, so the sub-field uses `simple`, which
    splits `Covid19` into `covid`: the shipped template cannot find it by `covid`.
    """
    assert corpus.titles("covid") == []
    prefix = f"{os.environ.get('INGEST_INDEX_PREFIX', 'test')}-sub-{uuid.uuid4().hex[:8]}"
    url = "http://news.example/covid"
    doc = Article(url=url, canonical_url=url, title="Covid19 figures", body="Weekly.")
    _fill(es, prefix, _templates(tmp_path, "simple"), [article_action(doc, corpus.daily, None)])
    try:
        shifted = Corpus({**corpus.env, "INGEST_INDEX_PREFIX": prefix}, "", "", corpus.base)
        (hit,) = shifted.hits("covid")
        assert hit["title"] == "Covid19 figures"
        assert "«Covid»19 figures" in hit["highlights"]
    finally:
        _drop(es, prefix)
