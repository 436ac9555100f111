"""`ingest reindex` on the real Elasticsearch: interrupted anywhere, it is finished by a rerun."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch, NotFoundError

from workers.errors import ReindexInProgress
from workers.index import Action, SearchIndex
from workers.reindex import LOCK_ID, Reindexer, ReindexLock, host_identity

from .conftest import BIN, REPO, Stack

pytestmark = pytest.mark.integration

TEMPLATES = REPO / "config" / "elasticsearch"
DOCS = 1200


def _article(n: int, version: int, body: str = "first") -> Action:
    doc = {
        "kind": "article",
        "url": f"http://example.test/{n}",
        "title": f"story {n}",
        "body": body,
    }
    return Action("articles", f"doc-{n}", doc, version=version)


class Indices:
    """A private prefix with DOCS articles, and the CLI pointed at it."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.es: Elasticsearch = stack.es
        self.prefix = f"{stack.prefix}-rx{uuid.uuid4().hex[:6]}"
        self.index = SearchIndex(self.es, self.prefix, TEMPLATES)
        self.env = {**stack.env, "INGEST_INDEX_PREFIX": self.prefix}
        # Straight at Elasticsearch: the session's proxy is for outage tests.
        self.env["ELASTICSEARCH_URL"] = os.environ["ELASTICSEARCH_URL"]

    def seed(self, count: int = DOCS) -> None:
        for start in range(0, count, 500):
            actions = [_article(n, 1000 + n) for n in range(start, min(start + 500, count))]
            self.index.bulk(actions)
        self.es.indices.refresh(index=f"{self.prefix}-articles")

    def reindex(self, *args: str, failpoint: str | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if failpoint:
            env["INGEST_FAILPOINT"] = failpoint
        return subprocess.run(
            [str(BIN / "ingest"), "reindex", "--kind", "articles", "--json", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def behind(self, alias: str) -> list[str]:
        return sorted(self.es.indices.get_alias(name=f"{self.prefix}-{alias}"))

    def versions(self) -> list[str]:
        return sorted(self.es.indices.get(index=f"{self.prefix}-articles-v*"))

    def read_count(self) -> int:
        self.es.indices.refresh(index=f"{self.prefix}-articles")
        return int(self.es.count(index=f"{self.prefix}-articles")["count"])

    def drop(self) -> None:
        names = list(self.es.indices.get(index=f"{self.prefix}-*", expand_wildcards="all"))
        if names:
            self.es.indices.delete(index=",".join(names))


@pytest.fixture
def indices(stack: Stack) -> Iterator[Indices]:
    made = Indices(stack)
    made.seed()
    try:
        yield made
    finally:
        made.drop()


@pytest.mark.parametrize(
    "failpoint",
    [
        "reindex:write:SIGKILL",
        "reindex:copy@500:SIGINT",
        "reindex:copy@1000:SIGKILL",
        "reindex:verify:SIGINT",
        "reindex:read:SIGKILL",
    ],
)
def test_interrupted_reindex_is_finished_by_the_next_run(indices: Indices, failpoint: str) -> None:
    """Killed or interrupted at any step, the read alias stays on one version; a rerun ends it."""
    first = indices.reindex("--max-docs-per-second", "20000", failpoint=failpoint)

    expected = -signal.SIGKILL if failpoint.endswith("SIGKILL") else 130
    assert first.returncode == expected, first.stderr
    assert len(indices.behind("articles")) == 1
    assert indices.read_count() == DOCS

    second = indices.reindex()

    assert second.returncode == 0, second.stderr
    (report,) = json.loads(second.stdout)
    assert report["resumed"] is True
    assert report["to"] == f"{indices.prefix}-articles-v2"
    assert indices.behind("articles") == [report["to"]]
    assert indices.behind("articles-write") == [report["to"]]
    assert indices.versions() == [report["to"]]
    assert indices.read_count() == DOCS
    assert Reindexer(indices.index).load("articles") is None


def test_reindex_adopts_a_rebuild_interrupted_before_plans_existed(indices: Indices) -> None:
    """The state an older version left (write alias on a half-built index) is repaired."""
    old, half = f"{indices.prefix}-articles-v1", f"{indices.prefix}-articles-v2"
    indices.es.indices.create(index=half)
    indices.es.indices.update_aliases(
        actions=[
            {"remove": {"index": old, "alias": f"{indices.prefix}-articles-write"}},
            {"add": {"index": half, "alias": f"{indices.prefix}-articles-write"}},
            {"add": {"index": half, "alias": f"{indices.prefix}-articles"}},
        ]
    )
    indices.index.bulk([_article(n, 5000 + n, "newer") for n in range(300)])
    indices.index.bulk([_article(n, 9000) for n in range(DOCS, DOCS + 200)])

    result = indices.reindex()

    assert result.returncode == 0, result.stderr
    assert indices.behind("articles") == [half]
    assert indices.versions() == [half]
    assert indices.read_count() == DOCS + 200
    newer = indices.es.get(index=f"{indices.prefix}-articles", id="doc-7")
    assert newer["_source"]["body"] == "newer"


def test_writes_during_a_reindex_are_all_found_after(indices: Indices) -> None:
    """New and updated documents written while the copy runs survive it, newest version."""
    process = subprocess.Popen(
        [
            str(BIN / "ingest"),
            "reindex",
            "--kind",
            "articles",
            "--json",
            "--max-docs-per-second",
            "1000",
        ],
        env=indices.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    written = updated = 0
    deadline = time.monotonic() + 60
    try:
        while process.poll() is None and time.monotonic() < deadline:
            batch = [_article(100_000 + written + n, 9000) for n in range(20)]
            if updated < DOCS:
                batch += [_article(updated + n, 8000, "updated") for n in range(20)]
                updated += 20
            indices.index.bulk(batch)
            written += 20
            time.sleep(0.05)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    (report,) = json.loads(out)
    assert written >= 40, "the copy finished before any write landed during it"

    assert indices.read_count() == DOCS + written
    assert report["target_count"] >= DOCS + 40
    indices.es.indices.refresh(index=f"{indices.prefix}-articles")
    stale = indices.es.count(
        index=f"{indices.prefix}-articles",
        query={"bool": {"filter": [{"ids": {"values": [f"doc-{n}" for n in range(updated)]}}],
                        "must_not": [{"match": {"body": "updated"}}]}},
    )  # fmt: skip
    assert stale["count"] == 0


def test_reindex_without_json_prints_a_summary(indices: Indices, tmp_path: Path) -> None:
    """Plain output names both versions and the counts."""
    env = dict(indices.env)
    result = subprocess.run(
        [str(BIN / "ingest"), "reindex", "--kind", "ARTICLES"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"{indices.prefix}-articles-v1 -> {indices.prefix}-articles-v2" in result.stdout
    assert f"{DOCS} documents" in result.stdout


def _lock_doc(index: SearchIndex) -> dict[str, Any] | None:
    try:
        doc: dict[str, Any] = index.client.get(index=f"{index.prefix}-state", id=LOCK_ID)
    except NotFoundError:
        return None
    return doc["_source"]


def test_a_second_reindex_stops_while_one_holds_the_lock(indices: Indices) -> None:
    """While a run holds the lock another exits 4 naming it and changes nothing; the lock
    is gone once a run ends."""
    with ReindexLock(indices.index):
        blocked = indices.reindex()
        assert blocked.returncode == 4, blocked.stderr
        assert "another reindex is running" in blocked.stderr
        assert f"pid {os.getpid()}" in blocked.stderr
        assert indices.behind("articles") == [f"{indices.prefix}-articles-v1"]
        assert Reindexer(indices.index).load("articles") is None

    result = indices.reindex()

    assert result.returncode == 0, result.stderr
    assert indices.behind("articles") == [f"{indices.prefix}-articles-v2"]
    assert _lock_doc(indices.index) is None


def test_a_lock_whose_holder_died_or_expired_is_taken_over(stack: Stack) -> None:
    """A lock left by a dead process of this host, or past its expiry, does not block; a
    live holder's lock stays held while its heartbeat renews it past the ttl."""
    index = SearchIndex(stack.es, f"{stack.prefix}-lk{uuid.uuid4().hex[:6]}", TEMPLATES)
    state = f"{index.prefix}-state"
    dead_pid = _finished_pid()
    try:
        holder = ReindexLock(index, ttl=0.6)
        with holder:
            assert (_lock_doc(index) or {}).get("holder") == holder.token
            time.sleep(1.2)  # two ttls: only the heartbeat keeps it
            with pytest.raises(ReindexInProgress, match="another reindex is running"):
                ReindexLock(index).acquire()
        assert _lock_doc(index) is None

        for left in (
            {**_foreign_lock(), "host": host_identity(), "pid": dead_pid},
            {**_foreign_lock(), "expires_at": time.time() - 1},
        ):
            index.client.index(index=state, id=LOCK_ID, document=left, refresh=True)
            taker = ReindexLock(index)
            with taker:
                assert (_lock_doc(index) or {}).get("holder") == taker.token

        index.client.index(index=state, id=LOCK_ID, document=_foreign_lock(), refresh=True)
        with pytest.raises(ReindexInProgress, match="pid 4242 on elsewhere"):
            ReindexLock(index).acquire()
    finally:
        stack.es.indices.delete(index=state, ignore_unavailable=True)


def _foreign_lock() -> dict[str, Any]:
    """A live lock of a process on another host."""
    return {"holder": "other", "host": "elsewhere/pid:[1]", "pid": 4242,
            "started_at": "2026-01-01T00:00:00+00:00", "expires_at": time.time() + 60}  # fmt: skip


def _finished_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid
