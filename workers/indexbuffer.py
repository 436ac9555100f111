"""The index stage: documents of many pages batched into few bulk requests, via Redis.

A page's parse task (or an `index.bulk` task: a message queued by an older worker, a
replayed dead letter) appends its documents to a Redis list (the buffer) and is done; a
flusher drains the buffer in batches bounded by documents and bytes. A flush runs when the
buffer holds a batch's worth (an `index.flush` sent by the page that filled it, or the
`index.bulk` task itself) or after FLUSH_DELAY seconds (an `index.flush` scheduled by the
first page to arrive), so a lone article is not held back.

Nothing is lost when a flusher dies mid-batch: entries move atomically from the buffer to
an in-flight list and leave it only once Elasticsearch has answered for them, and only the
holder of a lock (which expires) flushes; the next holder sends the in-flight entries
first. Sending an entry twice is harmless: ids derive from URLs and articles carry an
external version (their fetch time), so a re-send overwrites with the same document and an
older fetch never replaces a newer one.

While Elasticsearch is unreachable the entries stay where they are and the flusher waits
(it records since when, which `ingest status` shows) instead of spending a retry budget:
an outage of any length loses nothing. A flush whose scheduling or retry was lost (Redis or
the broker dropped every client at that moment) is found by the sweeper every worker runs
(workers.sweeper): pages waiting with no flush scheduled get one.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar, cast

import orjson
import redis
import structlog

from workers.errors import SearchUnavailable
from workers.history import track_versions
from workers.index import Action, BulkOutcome, SearchIndex
from workers.runs import Runs
from workers.store import redis_errors

log = structlog.get_logger(__name__)
_T = TypeVar("_T")

# A batch is at most this many documents or bytes of JSON (helpers.bulk defaults: 500 docs,
# 100 MiB; bytes are capped lower to keep request memory small).
BATCH_DOCS = 500
BATCH_BYTES = 5 * 1024 * 1024
# Seconds a page waits in the buffer at most before a flush picks it up.
FLUSH_DELAY = 0.5
# The flush lock's lifetime; renewed after every batch, so only a dead flusher loses it.
LOCK_TTL_MS = 60_000

# One round trip between two batches. First, when ARGV[3] > 0, end the oldest batch in
# flight: Elasticsearch answered for it, so drop its ARGV[3] entries from the head of the
# in-flight list, clear the wait record and renew the lock (ARGV[4] ms). Then move entries
# from the buffer to the tail of the in-flight list until a batch is full (ARGV[1] docs,
# ARGV[2] bytes; 0 takes none) or the buffer is empty; entries are "<docs>|<bytes>|<json>".
# Returns the moved entries.
_ADVANCE = """
if tonumber(ARGV[3]) > 0 then
  redis.call('LTRIM', KEYS[2], ARGV[3], -1)
  redis.call('DEL', KEYS[3])
  redis.call('PEXPIRE', KEYS[4], ARGV[4])
end
local docs, size, taken = 0, 0, {}
while docs < tonumber(ARGV[1]) and size < tonumber(ARGV[2]) do
  local entry = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
  if not entry then break end
  local n, b = string.match(entry, '^(%d+)|(%d+)|')
  docs = docs + tonumber(n)
  size = size + tonumber(b)
  taken[#taken + 1] = entry
end
return taken
"""
# Delete a key only if it still holds our token (the lock).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True, slots=True)
class Entry:
    """One page's documents, and whom to tell when they are written."""

    actions: list[dict[str, Any]]
    page_url: str = ""
    run_id: str | None = None
    token: str | None = None  # the run's open task this entry closes
    # The page's fetch record, remembered once its documents are written (workers.tasks).
    completes: dict[str, Any] | None = None

    def encode(self) -> bytes:
        body = orjson.dumps(
            {"actions": self.actions, "page_url": self.page_url, "run_id": self.run_id,
             "token": self.token, "completes": self.completes}
        )  # fmt: skip
        return b"%d|%d|%b" % (len(self.actions), len(body), body)

    @classmethod
    def decode(cls, raw: bytes | str) -> Entry:
        data = orjson.loads((raw.encode() if isinstance(raw, str) else raw).split(b"|", 2)[2])
        return cls(
            data["actions"],
            data.get("page_url", ""),
            data.get("run_id"),
            data.get("token"),
            data.get("completes"),
        )


@dataclass(slots=True)
class FlushReport:
    """What one flush did."""

    batches: int = 0
    written: int = 0
    rejected: int = 0
    busy: bool = False  # another flusher holds the lock
    entries: list[Entry] = field(default_factory=list)


# Told after each batch, for every entry in it: (entry, written [(kind, id)], refused
# [(action, reason)]).
EntryResult = tuple[Entry, list[tuple[str, str]], list[tuple[dict[str, Any], str]]]
BatchDone = Callable[[list[EntryResult]], None]


@dataclass(frozen=True, slots=True)
class _Batch:
    """Entries taken together, and the actions they carry."""

    raw: list[bytes]
    entries: list[Entry]
    actions: list[Action]
    article_ids: frozenset[str]

    @classmethod
    def of(cls, raw: list[bytes]) -> _Batch:
        entries = [Entry.decode(item) for item in raw]
        # The decoded dicts belong to this batch alone: no copies (as Action.from_json makes).
        actions = [
            Action(a["kind"], a["doc_id"], a["doc"], a.get("on_create") or {}, a.get("version"))
            for entry in entries
            for a in entry.actions
        ]
        ids = frozenset(a.doc_id for a in actions if a.kind == "articles")
        return cls(raw, entries, actions, ids)


@dataclass(frozen=True, slots=True)
class _Sent:
    """A batch whose bulk request is out."""

    batch: _Batch
    future: Future[BulkOutcome]


class IndexBuffer:
    """The Redis side of the index stage for one index prefix."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        *,
        batch_docs: int = BATCH_DOCS,
        batch_bytes: int = BATCH_BYTES,
    ) -> None:
        self.client = client
        self.batch_docs = batch_docs
        self.batch_bytes = batch_bytes
        base = f"index:{prefix}"
        self.buffer_key = f"{base}:buffer"
        self.inflight_key = f"{base}:inflight"
        self.lock_key = f"{base}:flush-lock"
        self.scheduled_key = f"{base}:flush-scheduled"
        self.waiting_key = f"{base}:waiting-since"
        self._advance = client.register_script(_ADVANCE)
        self._release = client.register_script(_RELEASE)

    # producers --------------------------------------------------------------------------

    def push(self, entry: Entry, runs: Runs | None = None) -> int:
        """Append a page's documents; returns the number of pages now waiting.

        With `runs`, the entry's token is opened in its run (`Runs.open_task`) in the same
        round trip and atomically: the run waits for the entry exactly when it is buffered.
        """
        with redis_errors("buffering documents"):
            if runs is None or not (entry.run_id and entry.token):
                return int(self.client.rpush(self.buffer_key, entry.encode()))
            pipe = self.client.pipeline(transaction=True)
            runs.queue_open(pipe, entry.run_id, entry.token)
            pipe.rpush(self.buffer_key, entry.encode())
            return int(pipe.execute()[-1])

    def claim_schedule(self) -> bool:
        """True when no flush is scheduled yet: the caller schedules one."""
        with redis_errors("scheduling a flush"):
            return bool(
                self.client.set(self.scheduled_key, "1", nx=True, ex=int(FLUSH_DELAY * 4) + 5)
            )

    def hold_schedule(self, seconds: float) -> None:
        """A flush is scheduled `seconds` from now (a flusher waiting out an outage)."""
        with redis_errors("scheduling a flush"):
            self.client.set(self.scheduled_key, "1", ex=int(seconds) + 5)

    def unscheduled(self) -> bool:
        """Pages wait (buffered or in flight) and no flush is scheduled for them: the
        flush that should have come was lost (a broker or Redis drop while it was being
        scheduled or retried), so the sweeper schedules one."""
        with redis_errors("checking the index buffer"):
            pipe = self.client.pipeline(transaction=False)
            pipe.llen(self.buffer_key)
            pipe.llen(self.inflight_key)
            pipe.exists(self.scheduled_key)
            waiting, inflight, scheduled = pipe.execute()
        return bool(waiting or inflight) and not scheduled

    def full(self, pages: int) -> bool:
        """Enough pages wait for a whole batch (pages carry about ten documents each)."""
        return pages * 10 >= self.batch_docs

    # the flusher ------------------------------------------------------------------------

    def flush(self, index: SearchIndex, on_done: BatchDone) -> FlushReport:
        """Drain the buffer (in-flight leftovers first) while holding the lock.

        One bulk request is out at a time, sent by a writer thread; while Elasticsearch
        works on it, this thread takes the next batch, reads its articles' live versions,
        and then records what the previous batch wrote. A batch sharing an article with the
        one being written waits for it before reading versions.

        Raises SearchUnavailable when Elasticsearch cannot take a batch: the entries stay in
        flight for the next flush, and the wait is recorded (see `waiting_since`).
        """
        report = FlushReport()
        token = uuid.uuid4().hex
        with redis_errors("taking the flush lock"):
            if not self.client.set(self.lock_key, token, nx=True, px=LOCK_TTL_MS):
                report.busy = True
                return report
        try:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk") as writer:
                self._drain(index, on_done, report, writer)
        finally:
            with redis_errors("releasing the flush lock"):
                self._release(keys=[self.lock_key], args=[token])
        return report

    def _drain(
        self, index: SearchIndex, on_done: BatchDone, report: FlushReport, writer: Executor
    ) -> None:
        with redis_errors("taking a batch"):
            leftover = cast(list[bytes], self.client.lrange(self.inflight_key, 0, -1))
        queued = deque(self._cut(leftover))  # a dead flusher's batches, sent again first
        sent: _Sent | None = None  # the batch whose bulk request is out
        answered = 0  # entries at the head of the in-flight list that are written
        while True:
            raw = queued.popleft() if queued else None
            taken = self._step(answered, take=raw is None)
            answered = 0
            batch = _Batch.of(raw or taken) if raw or taken else None
            if batch is not None:
                if sent is not None and batch.article_ids & sent.batch.article_ids:
                    self._outcome(sent)  # its versions must be live before we read them
                self._waiting_on(partial(track_versions, index, batch.actions))
            outcome = self._outcome(sent) if sent is not None else None
            previous = sent
            sent = _Sent(batch, writer.submit(index.bulk, batch.actions)) if batch else None
            if previous is not None and outcome is not None:
                self._report(previous.batch, outcome, on_done, report)
                answered = len(previous.batch.raw)
            elif sent is None:
                with redis_errors("clearing the flush schedule"):
                    self.client.delete(self.scheduled_key)
                    if not self.client.llen(self.buffer_key):
                        return

    def _cut(self, raw: list[bytes]) -> list[list[bytes]]:
        """In-flight leftovers cut into batches of the usual bounds, in list order."""
        batches: list[list[bytes]] = []
        docs = size = 0
        for item in raw:
            if not batches or docs >= self.batch_docs or size >= self.batch_bytes:
                batches.append([])
                docs = size = 0
            count, length, _ = item.split(b"|", 2)
            docs += int(count)
            size += int(length)
            batches[-1].append(item)
        return batches

    def _step(self, answered: int, *, take: bool) -> list[bytes]:
        """One round trip: end the `answered` entries at the head of the in-flight list,
        then (if `take`) move the next batch in flight (see _ADVANCE)."""
        limits = [self.batch_docs, self.batch_bytes] if take else [0, 0]
        if not answered and not take:
            return []
        keys = [self.buffer_key, self.inflight_key, self.waiting_key, self.lock_key]
        with redis_errors("finishing a batch" if answered else "taking a batch"):
            return cast(
                list[bytes], self._advance(keys=keys, args=[*limits, answered, LOCK_TTL_MS])
            )

    def _waiting_on(self, call: Callable[[], _T]) -> _T:
        """`call()`, recording since when Elasticsearch is unreachable if it says so."""
        try:
            return call()
        except SearchUnavailable:
            with redis_errors("recording the wait"):
                self.client.set(self.waiting_key, time.time(), nx=True)
            raise

    def _outcome(self, sent: _Sent) -> BulkOutcome:
        return self._waiting_on(sent.future.result)

    def _report(
        self, batch: _Batch, outcome: BulkOutcome, on_done: BatchDone, report: FlushReport
    ) -> None:
        written: set[tuple[str, str]] = set(outcome.written)
        refused = {(kind, doc_id): reason for kind, doc_id, reason in outcome.rejected}
        results: list[EntryResult] = []
        for entry in batch.entries:
            keys = [(a, (a["kind"], a["doc_id"])) for a in entry.actions]
            done: list[tuple[str, str]] = [key for _, key in keys if key in written]
            bad = [(a, refused[key]) for a, key in keys if key in refused]
            results.append((entry, done, bad))
        on_done(results)
        report.batches += 1
        report.written += len(outcome.written)
        report.rejected += len(outcome.rejected)
        report.entries += batch.entries

    # status -----------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """Pages waiting, in flight, and since when Elasticsearch has been unreachable."""
        with redis_errors("reading the index buffer"):
            pipe = self.client.pipeline(transaction=False)
            pipe.llen(self.buffer_key)
            pipe.llen(self.inflight_key)
            pipe.get(self.waiting_key)
            waiting, inflight, since = pipe.execute()
        return {
            "pages_waiting": int(waiting),
            "pages_in_flight": int(inflight),
            "waiting_for_elasticsearch_since": float(since) if since else None,
        }


def settle(
    runs: Runs,
    done: list[tuple[Entry, list[tuple[str, str]], list[tuple[dict[str, Any], str]]]],
    on_complete: Callable[[list[dict[str, Any]]], None] | None = None,
) -> None:
    """After a batch: call `on_complete` once with the fetch records of its pages (each
    now counts as fetched), dead-letter each refused document with its reason, record each
    page's written documents in its run, and close the run's token for the page."""
    completes = [entry.completes for entry, _, _ in done if entry.completes]
    if on_complete is not None and completes:
        on_complete(completes)
    finished: list[tuple[str, str, list[str], list[str]]] = []
    for entry, written, bad in done:
        for action, reason in bad:
            log.error("document_rejected", kind=action["kind"], doc_id=action["doc_id"],
                      reason=reason, url=entry.page_url)  # fmt: skip
            runs.dead_letter(
                {
                    "task": "index.bulk",
                    "task_id": f"{entry.token}:{action['doc_id']}",
                    "kwargs": {"actions": [action], "page_url": entry.page_url, "attempt": 0},
                    "error": f"DocumentRejected: {reason}",
                    "failed_at": time.time(),
                }
            )
            if entry.run_id:
                where = f"{entry.page_url}#{action['doc_id']}"
                runs.record_error(entry.run_id, where, f"DocumentRejected: {reason}")
        if entry.run_id and entry.token:
            articles = [doc_id for kind, doc_id in written if kind == "articles"]
            teasers = [doc_id for kind, doc_id in written if kind == "teasers"]
            finished.append((entry.run_id, entry.token, articles, teasers))
    runs.settle_many(finished)
