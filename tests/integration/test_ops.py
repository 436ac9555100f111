"""Ops entry points: re-parse from stored pages, zero-downtime reindex, dead-letter replay."""

from __future__ import annotations

import json
import shutil
import threading
import uuid
from pathlib import Path

import pytest
import redis

from workers.demosite import NewsSite
from workers.frontier import PARSED_SCAN_BATCH, Fetched, Frontier
from workers.index import SearchIndex
from workers.runs import Runs, new_run_id
from workers.urls import url_id

from .conftest import REPO, Stack, _require

pytestmark = pytest.mark.integration


def test_reparse_rebuilds_documents_without_fetching(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """`ingest reparse` restores a deleted article from the page store, with no new request."""
    site, base = news_site
    source = stack.add_source("reparse", base)
    stack.crawl(source)
    story = site.stories()[0]
    doc_id = url_id(base + story.path)
    stack.es.delete(index=f"{stack.prefix}-articles-write", id=doc_id, refresh=True)
    assert stack.count_source("articles", source) == 4
    hits_before = dict(site.hits)

    summary = stack.reparse(source)

    assert summary["done"] is True
    assert summary["errors"] == 0
    assert stack.count_source("articles", source) == 5
    assert site.hits == hits_before


def test_reparse_after_a_site_rules_edit_applies_the_new_rules_without_a_restart(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """The workers re-read site_rules.yaml when it changes: a rule written after the crawl
    (headline from the kicker line) is what `reparse` applies, with the same workers."""
    site, base = news_site
    source = stack.add_source("rules-edit", base)
    stack.crawl(source)
    story = site.stories()[0]
    doc_id = url_id(base + story.path)
    article = stack.es.get(index=f"{stack.prefix}-articles", id=doc_id)["_source"]
    assert article["title"] == story.headline

    rules_path = Path(stack.env["INGEST_SITE_RULES"])
    rules_path.write_text('sites:\n  "127.0.0.1":\n    title: "p.kicker"\n')
    try:
        summary = stack.reparse(source)
        assert summary["done"] is True
        stack.es.indices.refresh(index=f"{stack.prefix}-articles")
        article = stack.es.get(index=f"{stack.prefix}-articles", id=doc_id)["_source"]
        assert article["title"] == story.section
    finally:
        rules_path.unlink()


def test_reindex_moves_aliases_while_search_keeps_answering(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """`ingest reindex` builds the next version, moves both aliases, and search never fails."""
    _site, base = news_site
    source = stack.add_source("reindex", base)
    stack.crawl(source)
    before = stack.count("articles")
    failures: list[str] = []
    counts: list[int] = []
    stop = threading.Event()

    def search_loop() -> None:
        while not stop.is_set():
            try:
                response = stack.es.count(index=f"{stack.prefix}-articles")
                counts.append(int(response["count"]))
            except Exception as exc:  # noqa: BLE001 -- any failure is what we look for
                failures.append(repr(exc))

    reader = threading.Thread(target=search_loop)
    reader.start()
    try:
        reports = json.loads(stack.ingest("reindex", "--kind", "articles", "--json").stdout)
    finally:
        stop.set()
        reader.join()

    report = reports[0]
    assert failures == []
    assert counts and min(counts) > 0
    assert report["copied"] == before
    aliases = stack.es.indices.get_alias(name=f"{stack.prefix}-articles")
    assert list(aliases) == [report["to"]]
    write = stack.es.indices.get_alias(name=f"{stack.prefix}-articles-write")
    assert list(write) == [report["to"]]
    assert not stack.es.indices.exists(index=report["from"])
    assert stack.count("articles") == before
    hits = stack.search("regional office", "--source", source, "--kind", "articles")
    assert len(hits) == 5


def test_changed_template_is_reported_and_applied_by_reindex(
    stack: Stack, news_site: tuple[NewsSite, str], tmp_path: Path
) -> None:
    """Editing a template makes `reindex_due` name the kind; a reindex applies the new mapping."""
    _site, base = news_site
    stack.crawl(stack.add_source("template", base))
    changed = tmp_path / "templates"
    shutil.copytree(REPO / "config" / "elasticsearch", changed)
    body = json.loads((changed / "articles.json").read_text())
    body["mappings"]["properties"]["section"] = {"type": "text"}
    (changed / "articles.json").write_text(json.dumps(body))
    index = SearchIndex(stack.es, stack.prefix, changed)

    assert index.reindex_due() == ["articles"]
    index.reindex("articles")

    assert index.reindex_due() == []
    mapping = stack.es.indices.get_mapping(index=f"{stack.prefix}-articles")
    (live,) = mapping.values()
    assert live["mappings"]["properties"]["section"]["type"] == "text"
    # Put the shipped template back for the tests that follow.
    SearchIndex(stack.es, stack.prefix, REPO / "config" / "elasticsearch").reindex("articles")


def test_stored_pages_are_listed_whole_across_scan_batches() -> None:
    """What `ingest reparse` reads back: every page of the source with its fetch time and
    X-Robots-Tag, over more URL states than one pipelined batch holds; other sources' pages
    and URLs fetched with no content are left out."""
    client = redis.Redis.from_url(_require("REDIS_URL"))
    frontier = Frontier(client)
    source = f"listed-{uuid.uuid4().hex[:8]}"
    count = PARSED_SCAN_BATCH * 2 + 7
    fetches = [
        Fetched(
            f"https://listed.example/{source}/{n}",
            source,
            None,
            None,
            f"page:{n}",
            archive_ref=f"warc-{n}" if n % 2 else None,
            content_fetched_at=1000.0 + n,
            robots_tag="noindex" if n % 5 == 0 else None,
        )
        for n in range(count)
    ]
    others = [
        Fetched(f"https://listed.example/{source}/other", f"{source}-x", None, None, "page:o"),
        Fetched(f"https://listed.example/{source}/empty", source, None, None, None),
    ]
    frontier.record_fetches([*fetches, *others], ttl=600)
    try:
        listed = {page.url: page for page in frontier.parsed_pages(source)}

        assert len(listed) == count
        for n, fetch in enumerate(fetches):
            page = listed[fetch.url]
            assert page.source == source
            assert page.page_key == f"page:{n}"
            assert page.archive_ref == (f"warc-{n}" if n % 2 else None)
            assert page.content_fetched_at == 1000.0 + n
            assert page.robots_tag == ("noindex" if n % 5 == 0 else None)
        batches = list(frontier.parsed_page_batches(source))
        assert all(batches)
        assert sorted(p.url for b in batches for p in b) == sorted(listed)
        everyone = {page.url for page in frontier.parsed_pages()}
        assert f"https://listed.example/{source}/other" in everyone
        assert f"https://listed.example/{source}/empty" not in everyone
    finally:
        client.delete(*(f"url:{url_id(f.url)}" for f in [*fetches, *others]))


def test_a_batch_of_opened_tasks_keeps_the_run_open_until_the_last_one_closes() -> None:
    """`ingest reparse` opens a scan batch of tasks in one round trip: the run counts every
    one of them and is done only when the last one closes."""
    runs = Runs(redis.Redis.from_url(_require("REDIS_URL")))
    run_id = new_run_id()
    runs.start(run_id, "*", None)
    task_ids = [f"{run_id}-reparse-{n}" for n in range(7)]
    runs.open_tasks(run_id, {task_id: ("parse.page", {}) for task_id in task_ids})
    runs.open_tasks(run_id, {})

    summary = runs.summary(run_id)
    assert summary is not None
    assert summary.open_tasks == 7
    for task_id in task_ids[:-1]:
        runs.close_task(run_id, task_id)
    summary = runs.summary(run_id)
    assert summary is not None
    assert (summary.open_tasks, summary.state) == (1, "running")
    runs.close_task(run_id, task_ids[-1])
    summary = runs.summary(run_id)
    assert summary is not None
    assert (summary.state, summary.finished_at is not None) == ("done", True)


def test_a_vanished_task_is_sent_again_with_its_registered_message() -> None:
    """A task open in a run whose message no queue and no worker holds is sent again under
    its own id with the message it was registered with; one registered without a message
    is lost (the run is incomplete); a closed task leaves no message behind."""
    client = redis.Redis.from_url(_require("REDIS_URL"))
    runs = Runs(client)
    run_id = new_run_id()
    runs.start(run_id, "*", None)
    kwargs = {"url": "http://news.test/a", "source": "s", "run_id": run_id}
    runs.open_tasks(run_id, {"t-kept": ("crawl.fetch", kwargs), "t-done": ("parse.page", {})})
    runs.open_task(run_id, "t-bare")
    runs.close_task(run_id, "t-done")
    assert client.hkeys(f"run:{run_id}:messages") == [b"t-kept"]
    # Registered long enough ago to count as vanished, and in no queue of this test.
    client.zadd(f"run:{run_id}:open", {"t-kept": 1.0, "t-bare": 1.0})
    sent: list[tuple[str, dict[str, object], str]] = []

    lost = runs.vanished(run_id, ("no-such-queue",), lambda *msg: sent.append(msg))

    assert sent == [("crawl.fetch", kwargs, "t-kept")]
    assert lost == {"t-bare"}
    summary = runs.summary(run_id)
    assert summary is not None
    assert (summary.open_tasks, summary.vanished_tasks) == (2, 1)
    assert summary.incomplete == "tasks_vanished"
    # The one sent again counts from now: not vanished while it may be in transit.
    assert runs.vanished(run_id, ("no-such-queue",), lambda *msg: sent.append(msg)) == {"t-bare"}
    assert len(sent) == 1
    runs.close_task(run_id, "t-kept")
    runs.close_task(run_id, "t-bare")
    assert not client.exists(f"run:{run_id}:messages")
