"""Indexing throughput: the project's index stage next to raw helpers.bulk, same documents.

Documents are synthetic articles and teasers shaped like the parse stage's output, grouped
ten to a page as pages arrive. Each round indexes the same N documents two ways into fresh
indices made from the project's templates, alternating which goes first:

- stage: a process does for every page what the `index.bulk` task does (push to the
  Redis buffer, opening the run's token in the same round trip) while the flusher
  drains the buffer as `index.flush` does (batches of BATCH_DOCS documents or
  BATCH_BYTES; each page's run tally recorded and its token closed), starting when a
  page fills a batch (as that page sends `index.flush`) or FLUSH_DELAY after the last
  flush, not polling an emptying buffer into small batches; timed from the first push
  until every document is written;
- raw: `elasticsearch.helpers.bulk(chunk_size=500)` over the same documents.

Before the timed rounds both run `--warmup` times untimed (Elasticsearch's first indices,
mappings and JIT, and this process's imports and connections, would otherwise all be
charged to whichever goes first; both sides were measured still speeding up through the
first four rounds, so the default is four). Printed: docs/s of each, per timed round and the
median, and the ratio stage/raw. Needs the
services of `scripts/run` (or any REDIS_URL / ELASTICSEARCH_URL):

    REDIS_URL=redis://127.0.0.1:6379/0 ELASTICSEARCH_URL=http://127.0.0.1:9200 \\
        .venv/bin/python benchmarks/index_bench.py [--docs 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import redis
from elasticsearch.helpers import bulk

from workers.index import Action, SearchIndex, make_client
from workers.indexbuffer import FLUSH_DELAY, Entry, EntryResult, IndexBuffer, settle
from workers.runs import Runs, new_run_id

REPO = Path(__file__).resolve().parent.parent
WORDS = [
    "council",
    "budget",
    "harbour",
    "road",
    "school",
    "river",
    "election",
    "market",
    "weather",
    "hospital",
]


def make_pages(docs: int) -> list[list[Action]]:
    """Pages of one article and nine teasers each, with bodies of a few hundred words."""
    pages: list[list[Action]] = []
    for page in range(docs // 10):
        url = f"http://bench.test/news/{page}"
        body = " ".join(WORDS[(page + i) % len(WORDS)] for i in range(400))
        article = Action(
            "articles",
            f"a{page}",
            {"kind": "article", "url": url, "title": f"Story {page}", "body": body,
             "source": "bench", "language": "en", "fetched_at": "2026-01-01T00:00:00+00:00"},
            version=1_700_000_000_000 + page,
        )  # fmt: skip
        teasers = [
            Action(
                "teasers",
                f"t{page}-{n}",
                {
                    "kind": "teaser",
                    "url": f"http://bench.test/news/{page + n}",
                    "headline": f"Teaser {n}",
                    "seen_on": url,
                    "source": "bench",
                    "position": n,
                },
                on_create={"first_seen": "2026-01-01T00:00:00+00:00"},
            )
            for n in range(1, 10)
        ]
        pages.append([article, *teasers])
    return pages


def fresh_index(es: Any, label: str) -> SearchIndex:
    index = SearchIndex(es, f"bench-{label}-{uuid.uuid4().hex[:6]}", REPO / "config/elasticsearch")
    index.ensure()
    return index


def drop(es: Any, index: SearchIndex) -> None:
    names = list(es.indices.get(index=f"{index.prefix}-*"))
    if names:
        es.indices.delete(index=",".join(names))


def _produce(redis_url: str, prefix: str, pages: list[list[Action]], run_id: str, due: Any) -> None:
    """What the index tasks do for every page: push it to the buffer, the run's token
    opened in the same round trip; the page that fills a batch sends a flush."""
    client = redis.Redis.from_url(redis_url)
    buffer = IndexBuffer(client, prefix)
    runs = Runs(client)
    for number, page in enumerate(pages):
        entry = Entry(
            [a.to_json() for a in page], "http://bench.test/", run_id, f"bench-{number}:flush"
        )
        if buffer.full(buffer.push(entry, runs)):
            due.set()
    due.set()


def run_stage(es: Any, client: redis.Redis, pages: list[list[Action]]) -> float:
    """Index tasks (a producer process, as the parse workers) push pages while the flusher
    (this process, as the `index.flush` task) drains; timed until all is written."""
    index = fresh_index(es, "stage")
    buffer = IndexBuffer(client, index.prefix)
    runs = Runs(client)
    run_id = new_run_id()
    runs.start(run_id, "bench", None)
    total = sum(len(p) for p in pages)
    written = 0

    def done(results: list[EntryResult]) -> None:
        nonlocal written
        written += sum(len(ok) for _, ok, _ in results)
        settle(runs, results)

    # The producer is its own process, as the parse workers that push pages are in the
    # pipeline: in a thread of this one it would take the flusher's interpreter lock.
    context = multiprocessing.get_context("fork")
    due = context.Event()  # an `index.flush` is sent
    producer = context.Process(
        target=_produce,
        args=(os.environ["REDIS_URL"], index.prefix, pages, run_id, due),
        daemon=True,
    )

    started = time.perf_counter()
    producer.start()
    batches = 0
    while written < total:
        # As index.flush runs: when a page fills a batch, or FLUSH_DELAY after a page came.
        due.wait(FLUSH_DELAY)
        due.clear()
        batches += buffer.flush(index, done).batches
        if producer.exitcode:  # it died: the documents it did not push never come
            raise RuntimeError(f"the producer process failed (exit code {producer.exitcode})")
    seconds = time.perf_counter() - started
    print(f"  stage: {batches} bulk requests for {total} documents")
    producer.join()
    assert producer.exitcode == 0, producer.exitcode
    drop(es, index)
    summary = runs.summary(run_id)
    assert summary is not None and summary.open_tasks == 0, summary
    return written / seconds


def run_raw(es: Any, pages: list[list[Action]]) -> float:
    index = fresh_index(es, "raw")
    actions = []
    for page in pages:
        for a in page:
            target = index.write_alias(a.kind)
            if a.on_create:
                actions.append({"_op_type": "update", "_index": target, "_id": a.doc_id,
                                "doc": a.doc, "upsert": {**a.doc, **a.on_create}})  # fmt: skip
            else:
                actions.append({"_index": target, "_id": a.doc_id, "_source": a.doc,
                                "version": a.version, "version_type": "external_gte"})  # fmt: skip
    started = time.perf_counter()
    ok, _ = bulk(es, actions, chunk_size=500)
    seconds = time.perf_counter() - started
    drop(es, index)
    return int(ok) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=4, help="untimed rounds first")
    args = parser.parse_args()
    es = make_client(os.environ["ELASTICSEARCH_URL"], timeout=120)
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    pages = make_pages(args.docs)
    for _ in range(args.warmup):  # for both, not counted
        run_stage(es, client, pages)
        run_raw(es, pages)
    stage_rates: list[float] = []
    raw_rates: list[float] = []
    for round_no in range(args.rounds):
        order = ("stage", "raw") if round_no % 2 == 0 else ("raw", "stage")
        for which in order:
            if which == "stage":
                stage_rates.append(run_stage(es, client, pages))
            else:
                raw_rates.append(run_raw(es, pages))
        print(
            f"round {round_no + 1}: stage {stage_rates[-1]:8.0f} docs/s   "
            f"raw helpers.bulk {raw_rates[-1]:8.0f} docs/s   "
            f"ratio {stage_rates[-1] / raw_rates[-1]:.2f}"
        )
    stage, raw = statistics.median(stage_rates), statistics.median(raw_rates)
    print(f"median: stage {stage:.0f} docs/s, raw {raw:.0f} docs/s, ratio {stage / raw:.2f}x")


if __name__ == "__main__":
    main()
