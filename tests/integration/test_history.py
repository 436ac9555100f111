"""Story history on the real services: versions, teaser placements, gone pages, fetch times."""

from __future__ import annotations

import dataclasses
import json
import uuid

import pytest

from workers.capabilities import probe
from workers.demosite import NewsSite
from workers.index import SearchIndex
from workers.urls import url_id

from .conftest import REPO, Stack
from .http_routes import reply

pytestmark = pytest.mark.integration


def _article(stack: Stack, url: str) -> dict[str, object]:
    stack.es.indices.refresh(index=f"{stack.prefix}-articles")
    doc = stack.es.get(index=f"{stack.prefix}-articles", id=url_id(url))
    source: dict[str, object] = doc["_source"]
    return source


def test_a_changed_article_keeps_its_previous_version(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """A re-fetch with a new title and body: two versions, and `history` shows the word diff."""
    site, base = news_site
    source = stack.add_source("history", base, recrawl_after=0)
    stack.crawl(source)
    story = site.stories()[0]
    url = base + story.path
    changed = dataclasses.replace(
        story,
        headline=story.headline + " (updated)",
        paragraphs=tuple(p.replace("Residents", "Neighbours") for p in story.paragraphs),
    )
    site.extra_routes[story.path] = reply(
        200, site.article(changed, base).encode(), "text/html; charset=utf-8"
    )
    site.extra_links.append("/about")  # the home page changes, so its links are followed again

    stack.crawl(source)

    live = _article(stack, url)
    assert live["title"] == changed.headline
    assert live["revision"] == 2
    versions = json.loads(stack.ingest("history", url, "--json").stdout)
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["title"] == story.headline
    assert "Residents" in versions[0]["body"]
    assert versions[0]["body_hash"] != versions[1]["body_hash"]
    assert versions[0]["fetched_at"] < versions[1]["fetched_at"]
    text = stack.ingest("history", url).stdout
    assert "[-Residents-] {+Neighbours+}" in text
    assert "{+(updated)+}" in text
    # An unchanged story fetched again keeps one version.
    other = site.stories()[1]
    assert len(json.loads(stack.ingest("history", base + other.path, "--json").stdout)) == 1


def test_a_teaser_names_its_article_and_promoted_lists_placements(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """Teasers carry the promoted article's id; `promoted` shows page, block and position."""
    site, base = news_site
    source = stack.add_source("promoted", base)
    stack.crawl(source)
    story = site.stories()[0]
    url = base + story.path

    placements = json.loads(stack.ingest("promoted", url, "--json").stdout)

    assert placements, "the story is teased on the home page and other stories' pages"
    pages = {p["seen_on"] for p in placements}
    assert base + "/" in pages
    for place in placements:
        assert place["first_seen"] <= place["last_seen"]
        assert isinstance(place["position"], int)
    stack.es.indices.refresh(index=f"{stack.prefix}-teasers")
    teasers = stack.es.search(
        index=f"{stack.prefix}-teasers", query={"term": {"url": url}}, size=50
    )["hits"]["hits"]
    assert teasers
    assert {hit["_source"]["article_id"] for hit in teasers} == {url_id(url)}
    assert stack.es.exists(index=f"{stack.prefix}-articles", id=url_id(url))
    text = stack.ingest("promoted", url).stdout
    assert f"{base}/  block=" in text
    assert "first_seen=" in text


def test_a_410_page_leaves_search(stack: Stack, news_site: tuple[NewsSite, str]) -> None:
    """A story answering 410 on a revisit gets gone_at and is no longer found by search."""
    site, base = news_site
    source = stack.add_source("gone", base, recrawl_after=0)
    stack.crawl(source)
    story = site.stories()[0]
    phrase = f'"Residents of the {story.marker} district"'
    assert stack.search(phrase, "--source", source, "--kind", "articles")
    site.extra_routes[story.path] = reply(410)
    site.extra_links.append("/about")  # the home page changes, so its links are followed again

    stack.crawl(source)

    assert _article(stack, base + story.path)["gone_at"]
    assert stack.search(phrase, "--source", source, "--kind", "articles") == []
    assert stack.count_source("articles", source) == 5  # kept, marked, not deleted


def test_reparse_keeps_fetched_at(stack: Stack, news_site: tuple[NewsSite, str]) -> None:
    """`ingest reparse` rewrites documents but leaves the fetch time as it was."""
    site, base = news_site
    source = stack.add_source("refetch", base)
    stack.crawl(source)
    url = base + site.stories()[0].path
    before = _article(stack, url)

    stack.ingest("reparse", "--source", source, "--wait", "--timeout", "120")

    after = _article(stack, url)
    assert after["fetched_at"] == before["fetched_at"]
    assert after["indexed_at"] != before["indexed_at"]


def test_text_analysis_follows_what_the_cluster_reports(stack: Stack) -> None:
    """The test cluster has no language analyzers: the choice is standard, and status says so."""
    caps = probe(stack.es)
    try:
        stack.es.indices.analyze(analyzer="english", text="permits")
        stems = True
    except Exception:  # noqa: BLE001 -- the cluster refusing the analyzer is the answer
        stems = False
    assert caps.language_analyzers is stems
    report = json.loads(stack.ingest("status", "--json", check=False).stdout)
    expected = "language" if stems else "standard"
    assert report["text_analysis"]["analysis"] == expected
    mapping = stack.es.indices.get_mapping(index=f"{stack.prefix}-articles")
    (live,) = mapping.values()
    assert live["mappings"]["_meta"]["analysis"] == expected
    assert ("english" in live["mappings"]["properties"]["body"].get("fields", {})) is stems


HOSTILE = "Mayor [/bold] resigns \x1b[2J\x1b]0;owned\x07 now \u202eevil"
HOSTILE_SHOWN = "Mayor [/bold] resigns \\x1b[2J\\x1b]0;owned\\x07 now \\u202eevil"


def test_history_and_promoted_print_page_text_as_inert_text(stack: Stack) -> None:
    """Markup and control characters in titles, bodies, pages and blocks print escaped."""
    index = SearchIndex(stack.es, stack.prefix, REPO / "config" / "elasticsearch")
    index.ensure()
    url = f"http://hostile.test/story-{uuid.uuid4().hex[:8]}"
    doc_id = url_id(url)
    earlier = {
        "article_id": doc_id,
        "url": url,
        "version": 1,
        "title": "Mayor stays",
        "fetched_at": "2026-01-01T00:00:00+00:00",
        "body_hash": "a",
        "body": "calm",
    }
    live = {
        "kind": "article",
        "url": url,
        "title": HOSTILE,
        "revision": 2,
        "body_hash": "b",
        "fetched_at": "2026-01-02T00:00:00+00:00",
        "body": "calm \x1b[31mred [red]x",
    }
    teaser = {"kind": "teaser", "url": url, "article_id": doc_id, "headline": HOSTILE,
              "seen_on": "http://hostile.test/\x1b[2J[bold]front", "block": "[/bold]top\x07",
              "position": 1, "first_seen": "2026-01-01T00:00:00+00:00",
              "last_seen": "2026-01-02T00:00:00+00:00"}  # fmt: skip
    stack.es.index(index=index.versions_index, id=f"{doc_id}-1", document=earlier)
    stack.es.index(index=index.write_alias("articles"), id=doc_id, document=live)
    stack.es.index(index=index.write_alias("teasers"), id=f"t-{doc_id}", document=teaser,
                   refresh=True)  # fmt: skip

    history = stack.ingest("history", url).stdout
    promoted = stack.ingest("promoted", url).stdout

    for text in (history, promoted):
        assert not any(ch in text for ch in "\x1b\x07\u202e"), text
    assert f"  title: {HOSTILE_SHOWN}\n" in history
    assert "{+[/bold] resigns \\x1b[2J\\x1b]0;owned\\x07 now \\u202eevil+}" in history
    assert "{+\\x1b[31mred [red]x+}" in history
    assert "http://hostile.test/\\x1b[2J[bold]front  block=[/bold]top\\x07  position=1" in promoted
