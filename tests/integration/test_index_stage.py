"""The index stage on the real services: batched writes, per-item errors, outages waited out."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from workers.demosite import NewsSite
from workers.index import SearchIndex, make_client
from workers.indexbuffer import Entry, EntryResult, IndexBuffer
from workers.urls import url_id

from .conftest import REPO, Stack

pytestmark = pytest.mark.integration


def _dead_letters(stack: Stack) -> list[dict[str, Any]]:
    lines = stack.ingest("deadletter", "list", "--limit", "1000").stdout.splitlines()
    return [json.loads(line) for line in lines]


def _status(stack: Stack) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(stack.ingest("status", "--json", check=False).stdout)
    return report


def _indexed_within(stack: Stack, doc_id: str, seconds: float) -> bool:
    """Whether the article `doc_id` is in the index within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        stack.es.indices.refresh(index=f"{stack.prefix}-articles")
        if stack.es.exists(index=f"{stack.prefix}-articles", id=doc_id):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)


def _article_action(doc_id: str, title: str, **doc: Any) -> dict[str, Any]:
    body = {"kind": "article", "url": f"http://example.test/{doc_id}", "title": title, **doc}
    return {"kind": "articles", "doc_id": doc_id, "doc": body, "version": int(time.time() * 1000)}


def test_elasticsearch_outage_longer_than_the_retry_budget_loses_nothing(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """Elasticsearch cut for several retry budgets: the stage waits, visibly, and loses nothing."""
    _news, base = news_site
    source = stack.add_source("outage", base)
    dead_before = len(_dead_letters(stack))
    # The stack's budget: 4 attempts, 0.3 s doubling, capped at 3 s: about 2 s in all.
    stack.es_proxy.cut()
    try:
        run = json.loads(stack.ingest("crawl", source).stdout)
        buffer = IndexBuffer(stack.redis, stack.prefix)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if buffer.status()["waiting_for_elasticsearch_since"]:
                break
            time.sleep(0.3)
        waiting = _status(stack).get("index_buffer") or {}
        assert waiting.get("waiting_for_elasticsearch_since"), stack.worker_logs()
        assert waiting["pages_waiting"] + waiting["pages_in_flight"] >= 5
        time.sleep(8)  # four times the retry budget, with the cluster still unreachable
        assert json.loads(stack.ingest("run", run["run_id"]).stdout)["done"] is False
    finally:
        stack.es_proxy.restore()

    summary = stack.wait_for_run(run["run_id"])

    assert summary["errors"] == 0
    assert summary["articles_indexed"] == 5
    assert stack.count_source("articles", source) == 5
    assert len(_dead_letters(stack)) == dead_before
    assert not (_status(stack).get("index_buffer") or {}).get("waiting_for_elasticsearch_since")


def test_documents_left_in_the_buffer_are_written_by_the_next_crawl(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """A page whose index step never completed is indexed when the next run starts."""
    _news, base = news_site
    buffer = IndexBuffer(stack.redis, stack.prefix)
    doc_id = f"left-{uuid.uuid4().hex[:8]}"
    buffer.push(Entry([_article_action(doc_id, "left behind by an outage")], "http://x.test/"))

    stack.crawl(stack.add_source("next-run", base))

    stack.es.indices.refresh(index=f"{stack.prefix}-articles")
    assert stack.es.exists(index=f"{stack.prefix}-articles", id=doc_id)


def test_deadletter_replay_flushes_the_buffer(stack: Stack) -> None:
    """`ingest deadletter replay` writes what waits in the index buffer, too."""
    buffer = IndexBuffer(stack.redis, stack.prefix)
    doc_id = f"replayed-{uuid.uuid4().hex[:8]}"
    buffer.push(Entry([_article_action(doc_id, "waiting for a replay")], "http://x.test/"))

    stack.ingest("deadletter", "replay", "--limit", "0")

    assert _indexed_within(stack, doc_id, 60)


def test_an_index_bulk_message_is_still_written(stack: Stack) -> None:
    """Parse tasks buffer their documents themselves; an `index.bulk` message (queued by an
    older worker, or a dead letter of one) is still taken and its documents written."""
    doc_id = f"bulk-{uuid.uuid4().hex[:8]}"
    letter = {
        "task": "index.bulk",
        "task_id": doc_id,
        "kwargs": {"actions": [_article_action(doc_id, "sent as index.bulk")], "attempt": 0},
        "error": "DocumentRejected: played by the test",
        "failed_at": time.time(),
    }
    stack.redis.rpush("deadletter", json.dumps(letter))  # the oldest: replayed first

    stack.ingest("deadletter", "replay", "--limit", "1")

    assert _indexed_within(stack, doc_id, 60), stack.worker_logs()


def test_pages_whose_flush_was_lost_are_written_by_the_sweeper(stack: Stack) -> None:
    """Pages wait in the buffer and no flush is scheduled (its message was lost to a Redis
    drop): the workers' sweeper schedules one, with no crawl or replay to prompt it."""
    buffer = IndexBuffer(stack.redis, stack.prefix)
    doc_id = f"swept-{uuid.uuid4().hex[:8]}"
    stack.redis.delete(buffer.scheduled_key)
    buffer.push(Entry([_article_action(doc_id, "its flush was lost")], "http://x.test/"))
    assert buffer.unscheduled()

    assert _indexed_within(stack, doc_id, 30), stack.worker_logs()


def test_a_document_the_mapping_refuses_is_dead_lettered_alone(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """A mapping error costs that document only: dead letter with document and reason."""
    _news, base = news_site
    buffer = IndexBuffer(stack.redis, stack.prefix)
    bad_id, good_id = f"bad-{uuid.uuid4().hex[:8]}", f"good-{uuid.uuid4().hex[:8]}"
    buffer.push(
        Entry(
            [
                _article_action(bad_id, "bad date", published_at="not a date at all"),
                _article_action(good_id, "fine"),
            ],
            "http://x.test/page",
        )
    )

    stack.crawl(stack.add_source("mapping", base))

    stack.es.indices.refresh(index=f"{stack.prefix}-articles")
    assert stack.es.exists(index=f"{stack.prefix}-articles", id=good_id)
    assert not stack.es.exists(index=f"{stack.prefix}-articles", id=bad_id)
    dead = [e for e in _dead_letters(stack) if bad_id in json.dumps(e.get("kwargs", {}))]
    assert len(dead) == 1
    assert dead[0]["task"] == "index.bulk"
    assert dead[0]["error"].startswith("DocumentRejected")
    assert "published_at" in dead[0]["error"]
    assert dead[0]["kwargs"]["actions"][0]["doc"]["title"] == "bad date"


def test_an_older_fetch_never_overwrites_a_newer_one(stack: Stack) -> None:
    """Documents indexed out of order: the one fetched last stays."""
    index = stack.es
    doc_id = url_id(f"http://example.test/order-{uuid.uuid4().hex[:8]}")
    newer = {**_article_action(doc_id, "newer"), "version": 2_000_000_000_000}
    older = {**_article_action(doc_id, "older"), "version": 1_000_000_000_000}
    buffer = IndexBuffer(stack.redis, stack.prefix)
    buffer.push(Entry([newer], "http://x.test/"))
    buffer.push(Entry([older], "http://x.test/"))

    stack.ingest("deadletter", "replay", "--limit", "0")

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not index.exists(
        index=f"{stack.prefix}-articles", id=doc_id, refresh=True
    ):
        time.sleep(0.3)
    while time.monotonic() < deadline and any(
        buffer.status()[part] for part in ("pages_waiting", "pages_in_flight")
    ):
        time.sleep(0.3)
    index.indices.refresh(index=f"{stack.prefix}-articles")
    assert index.get(index=f"{stack.prefix}-articles", id=doc_id)["_source"]["title"] == "newer"


@pytest.fixture
def direct() -> Iterator[tuple[redis.Redis, SearchIndex]]:
    """The flusher on its own (no workers): Redis, and indices under a fresh prefix."""
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    es = make_client(os.environ["ELASTICSEARCH_URL"])
    prefix = f"{os.environ.get('INGEST_INDEX_PREFIX', 'test')}-{uuid.uuid4().hex[:8]}"
    index = SearchIndex(es, prefix, REPO / "config/elasticsearch")
    index.ensure()
    try:
        yield client, index
    finally:
        es.indices.delete(index=",".join(es.indices.get(index=f"{index.prefix}-*")))


def _flush_all(buffer: IndexBuffer, index: SearchIndex) -> list[EntryResult]:
    results: list[EntryResult] = []
    report = buffer.flush(index, results.extend)
    assert not report.busy
    return results


def test_a_dead_flushers_batches_are_sent_again_within_the_batch_bounds(
    direct: tuple[redis.Redis, SearchIndex],
) -> None:
    """Entries a dead flusher left in flight are written first, cut to the batch size."""
    client, index = direct
    buffer = IndexBuffer(client, index.prefix, batch_docs=4)
    entries = [
        Entry([_article_action(f"left-{n}", f"left {n}")], "http://x.test/") for n in range(10)
    ]
    for entry in entries:
        buffer.push(entry)
    # A flusher took every page and died before Elasticsearch answered.
    while client.lmove(buffer.buffer_key, buffer.inflight_key, "LEFT", "RIGHT"):
        pass
    buffer.push(Entry([_article_action("late", "late")], "http://x.test/"))
    sizes: list[int] = []
    report = buffer.flush(index, lambda results: sizes.append(len(results)))
    assert sizes == [4, 4, 2, 1]
    assert report.written == 11
    assert buffer.status()["pages_in_flight"] == buffer.status()["pages_waiting"] == 0
    index.client.indices.refresh(index=index.alias("articles"))
    assert index.client.count(index=index.alias("articles"))["count"] == 11


def test_consecutive_batches_changing_one_article_keep_every_version(
    direct: tuple[redis.Redis, SearchIndex],
) -> None:
    """A batch that changes the article the batch before wrote reads its versions after
    that write: every revision is kept, in order."""
    client, index = direct
    buffer = IndexBuffer(client, index.prefix, batch_docs=1)
    doc_id = url_id(f"http://example.test/story-{uuid.uuid4().hex[:8]}")
    for revision in range(1, 5):
        action = _article_action(doc_id, f"take {revision}", body=f"text {revision}")
        buffer.push(Entry([{**action, "version": 1_000_000_000_000 + revision}], "http://x.test/"))
    results = _flush_all(buffer, index)
    assert [len(written) for _, written, _ in results] == [1, 1, 1, 1]
    live = index.client.get(index=index.alias("articles"), id=doc_id)["_source"]
    assert (live["title"], live["revision"]) == ("take 4", 4)
    index.client.indices.refresh(index=index.versions_index)
    kept = index.client.search(index=index.versions_index, query={"term": {"article_id": doc_id}},
                               sort=[{"version": "asc"}])["hits"]["hits"]  # fmt: skip
    assert [(h["_source"]["version"], h["_source"]["title"]) for h in kept] == [
        (1, "take 1"),
        (2, "take 2"),
        (3, "take 3"),
    ]
