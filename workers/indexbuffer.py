"""The index stage: documents of many pages batched into few bulk requests, via Redis.

A page's `index.bulk` task appends its documents to a Redis list (the buffer) and is done;
a flusher drains the buffer in batches bounded by documents and bytes. A flush runs when
the buffer holds a batch's worth (in the task that filled it) or after FLUSH_DELAY seconds
(an `index.flush` task scheduled by the first page to arrive), so a lone article is not
held back.

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

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import redis
import structlog

from workers.errors import SearchUnavailable
from workers.history import track_versions
from workers.index import Action, SearchIndex
from workers.runs import Runs
from workers.store import redis_errors

log = structlog.get_logger(__name__)

# A batch is at most this many documents or bytes of JSON (helpers.bulk defaults: 500 docs,
# 100 MiB; bytes are capped lower to keep request memory small).
BATCH_DOCS = 500
BATCH_BYTES = 5 * 1024 * 1024
# Seconds a page waits in the buffer at most before a flush picks it up.
FLUSH_DELAY = 0.5
# The flush lock's lifetime; renewed after every batch, so only a dead flusher loses it.
LOCK_TTL_MS = 60_000

# Move entries from the buffer to the in-flight list until a batch is full (or the buffer
# is empty); entries are "<docs>|<bytes>|<json>". Returns the moved entries. With a third
# and fourth key (the wait record and the lock), first ends the batch before: clears the
# in-flight list (Elasticsearch answered for all of it) and the wait record, and renews
# the lock, so a flusher spends one round trip on Redis between two bulk requests.
_TAKE = """
if #KEYS == 4 then
  redis.call('DEL', KEYS[2], KEYS[3])
  redis.call('PEXPIRE', KEYS[4], ARGV[3])
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

    def encode(self) -> str:
        body = json.dumps(
            {"actions": self.actions, "page_url": self.page_url, "run_id": self.run_id,
             "token": self.token, "completes": self.completes},
            separators=(",", ":"),
        )  # fmt: skip
        return f"{len(self.actions)}|{len(body)}|{body}"

    @classmethod
    def decode(cls, raw: bytes | str) -> Entry:
        text = raw.decode() if isinstance(raw, bytes) else raw
        data = json.loads(text.split("|", 2)[2])
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
        self._take = client.register_script(_TAKE)
        self._release = client.register_script(_RELEASE)

    # producers --------------------------------------------------------------------------

    def push(self, entry: Entry) -> int:
        """Append a page's documents; returns the number of pages now waiting."""
        with redis_errors("buffering documents"):
            return int(self.client.rpush(self.buffer_key, entry.encode()))

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
            with redis_errors("taking a batch"):
                raw = cast(list[bytes], self.client.lrange(self.inflight_key, 0, -1))
            raw = raw or self._take_batch(finishing=False)
            while True:
                if not raw:
                    with redis_errors("clearing the flush schedule"):
                        self.client.delete(self.scheduled_key)
                        if not self.client.llen(self.buffer_key):
                            return report
                    raw = self._take_batch(finishing=False)
                    continue
                self._send(index, [Entry.decode(item) for item in raw], on_done, report)
                raw = self._take_batch(finishing=True)
        finally:
            with redis_errors("releasing the flush lock"):
                self._release(keys=[self.lock_key], args=[token])

    def _take_batch(self, *, finishing: bool) -> list[bytes]:
        """The next batch, moved to the in-flight list; `finishing` ends the batch sent
        before in the same round trip (see _TAKE)."""
        keys = [self.buffer_key, self.inflight_key]
        if finishing:
            keys += [self.waiting_key, self.lock_key]
        with redis_errors("finishing a batch" if finishing else "taking a batch"):
            return cast(
                list[bytes],
                self._take(keys=keys, args=[self.batch_docs, self.batch_bytes, LOCK_TTL_MS]),
            )

    def _send(
        self, index: SearchIndex, entries: list[Entry], on_done: BatchDone, report: FlushReport
    ) -> None:
        actions = [Action.from_json(a) for entry in entries for a in entry.actions]
        try:
            track_versions(index, actions)
            outcome = index.bulk(actions)
        except SearchUnavailable:
            with redis_errors("recording the wait"):
                self.client.set(self.waiting_key, time.time(), nx=True)
            raise
        written: set[tuple[str, str]] = set(outcome.written)
        refused = {(kind, doc_id): reason for kind, doc_id, reason in outcome.rejected}
        results: list[EntryResult] = []
        for entry in entries:
            keys = [(a, (a["kind"], a["doc_id"])) for a in entry.actions]
            done: list[tuple[str, str]] = [key for _, key in keys if key in written]
            bad = [(a, refused[key]) for a, key in keys if key in refused]
            results.append((entry, done, bad))
        on_done(results)
        report.batches += 1
        report.written += len(outcome.written)
        report.rejected += len(outcome.rejected)
        report.entries += entries

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
    on_complete: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """After a batch: dead-letter each refused document with its reason, record each page's
    written documents in its run, call `on_complete` with each page's fetch record (the
    page now counts as fetched), and close the run's token for the page."""
    finished: list[tuple[str, str, list[str], list[str]]] = []
    for entry, written, bad in done:
        if on_complete is not None and entry.completes:
            on_complete(entry.completes)
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
