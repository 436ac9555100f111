"""Crawl runs in Redis: which tasks are still open, what they achieved, and the dead letters."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, cast

import redis

from workers.store import redis_errors

RUN_TTL = 7 * 24 * 3600
DEADLETTER_KEY = "deadletter"
DEADLETTER_MAX = 100_000

# Mark a URL as seen in this run, remembering which task admitted it. Send it when it is
# new, or when the same parent task runs again (redelivered after a crash) and the child
# has not reported back: a worker killed between admitting and sending loses nothing.
# Atomic, and another parent linking to the same URL never causes a second fetch.
_ADMIT = """
local added = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[5])
if added == 1 then
  local n = redis.call('INCR', KEYS[3])
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  redis.call('EXPIRE', KEYS[3], ARGV[4])
  if n > tonumber(ARGV[3]) then
    return 0
  end
  redis.call('SADD', KEYS[2], ARGV[2])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
  return 1
end
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[5] then
  return redis.call('SISMEMBER', KEYS[2], ARGV[2])
end
return 0
"""


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run did so far; `open_tasks` reaches 0 when everything it spawned finished."""

    run_id: str
    source: str
    started_at: float
    finished_at: float | None
    open_tasks: int
    pages_fetched: int
    pages_unchanged: int
    articles_indexed: int
    teasers_indexed: int
    errors: int

    def as_dict(self) -> dict[str, Any]:
        seconds = (self.finished_at or time.time()) - self.started_at
        return {
            "run_id": self.run_id,
            "source": self.source,
            "done": self.open_tasks == 0,
            "pages_fetched": self.pages_fetched,
            "pages_unchanged": self.pages_unchanged,
            "articles_indexed": self.articles_indexed,
            "teasers_indexed": self.teasers_indexed,
            "errors": self.errors,
            "seconds": round(seconds, 3),
        }


def new_run_id() -> str:
    return uuid.uuid4().hex


def child_task_id(run_id: str, stage: str, key: str) -> str:
    """Deterministic task id for one stage of one URL in one run: a re-send reuses it."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run_id}|{stage}|{key}"))


class Runs:
    """Run bookkeeping. Sets, not counters, so a task that runs twice is counted once."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._admit = client.register_script(_ADMIT)

    def _key(self, run_id: str, part: str) -> str:
        return f"run:{run_id}:{part}"

    def start(self, run_id: str, source: str, first_task_id: str | None) -> None:
        """Record a new run; `first_task_id` is the task that will send its seeds."""
        with redis_errors("starting a run"):
            pipe = self.client.pipeline(transaction=True)
            pipe.hset(
                self._key(run_id, "meta"), mapping={"source": source, "started_at": time.time()}
            )
            if first_task_id is not None:
                pipe.sadd(self._key(run_id, "open"), first_task_id)
            for part in ("meta", "open"):
                pipe.expire(self._key(run_id, part), RUN_TTL)
            pipe.execute()

    def admit_url(
        self, run_id: str, url: str, task_id: str, parent_id: str, max_pages: int
    ) -> bool:
        """True when the URL's fetch task should be sent (first sight, within the page cap)."""
        keys = [self._key(run_id, "seen"), self._key(run_id, "open"), self._key(run_id, "count")]
        with redis_errors("admitting a URL"):
            result = self._admit(keys=keys, args=[url, task_id, max_pages, RUN_TTL, parent_id])
        return bool(cast(Any, result))

    def open_task(self, run_id: str, task_id: str) -> None:
        """Register a task the run must wait for (parse and index hops, reschedules)."""
        with redis_errors("opening a task"):
            pipe = self.client.pipeline(transaction=False)
            pipe.sadd(self._key(run_id, "open"), task_id)
            pipe.expire(self._key(run_id, "open"), RUN_TTL)
            pipe.execute()

    def close_task(self, run_id: str, task_id: str) -> None:
        """The task finished for good (success, dropped, or dead-lettered)."""
        with redis_errors("closing a task"):
            pipe = self.client.pipeline(transaction=True)
            pipe.srem(self._key(run_id, "open"), task_id)
            pipe.scard(self._key(run_id, "open"))
            _, remaining = pipe.execute()
            if remaining == 0:
                self.client.hsetnx(self._key(run_id, "meta"), "finished_at", time.time())

    def record(self, run_id: str, what: str, *members: str) -> None:
        """Add members to one of the run's tallies: fetched, unchanged, articles, teasers."""
        if not members:
            return
        key = self._key(run_id, what)
        with redis_errors("recording run progress"):
            pipe = self.client.pipeline(transaction=False)
            pipe.sadd(key, *members)
            pipe.expire(key, RUN_TTL)
            pipe.execute()

    def settle_many(self, done: list[tuple[str, str, list[str], list[str]]]) -> None:
        """Record many finished index entries at once: (run_id, task_id, article ids,
        teaser ids) each; two round trips however many there are."""
        if not done:
            return
        with redis_errors("recording indexed documents"):
            pipe = self.client.pipeline(transaction=False)
            for run_id, task_id, articles, teasers in done:
                for what, members in (("articles", articles), ("teasers", teasers)):
                    if members:
                        pipe.sadd(self._key(run_id, what), *members)
                        pipe.expire(self._key(run_id, what), RUN_TTL)
                pipe.srem(self._key(run_id, "open"), task_id)
            run_ids = sorted({run_id for run_id, _, _, _ in done})
            for run_id in run_ids:
                pipe.scard(self._key(run_id, "open"))
            remaining = pipe.execute()[-len(run_ids) :]
            finished = [run_id for run_id, left in zip(run_ids, remaining, strict=True) if not left]
            if finished:
                pipe = self.client.pipeline(transaction=False)
                for run_id in finished:
                    pipe.hsetnx(self._key(run_id, "meta"), "finished_at", time.time())
                pipe.execute()

    def record_error(self, run_id: str, url: str, error: str) -> None:
        key = self._key(run_id, "errors")
        with redis_errors("recording a run error"):
            pipe = self.client.pipeline(transaction=False)
            pipe.hset(key, url, error[:500])
            pipe.expire(key, RUN_TTL)
            pipe.execute()

    def errors(self, run_id: str) -> dict[str, str]:
        with redis_errors("reading run errors"):
            raw = cast(dict[bytes, bytes], self.client.hgetall(self._key(run_id, "errors")))
        return {key.decode(): value.decode() for key, value in raw.items()}

    def summary(self, run_id: str) -> RunSummary | None:
        with redis_errors("reading a run"):
            pipe = self.client.pipeline(transaction=False)
            pipe.hgetall(self._key(run_id, "meta"))
            for part in ("open", "fetched", "unchanged", "articles", "teasers"):
                pipe.scard(self._key(run_id, part))
            pipe.hlen(self._key(run_id, "errors"))
            meta, open_, fetched, unchanged, articles, teasers, errors = pipe.execute()
        if not meta:
            return None
        finished = meta.get(b"finished_at")
        return RunSummary(
            run_id=run_id,
            source=meta[b"source"].decode(),
            started_at=float(meta[b"started_at"]),
            finished_at=float(finished) if finished and open_ == 0 else None,
            open_tasks=open_,
            pages_fetched=fetched,
            pages_unchanged=unchanged,
            articles_indexed=articles,
            teasers_indexed=teasers,
            errors=errors,
        )

    # dead letters -----------------------------------------------------------------------

    def dead_letter(self, entry: dict[str, Any]) -> None:
        """Keep a task that failed for good, so ops can list and replay it."""
        with redis_errors("writing a dead letter"):
            pipe = self.client.pipeline(transaction=False)
            pipe.lpush(DEADLETTER_KEY, json.dumps(entry, default=str))
            pipe.ltrim(DEADLETTER_KEY, 0, DEADLETTER_MAX - 1)
            pipe.execute()

    def dead_letters(self, limit: int = 100) -> list[dict[str, Any]]:
        with redis_errors("listing dead letters"):
            raw = cast(list[bytes], self.client.lrange(DEADLETTER_KEY, 0, limit - 1))
        return [json.loads(item) for item in raw]

    def pop_dead_letter(self) -> dict[str, Any] | None:
        """Take the oldest dead letter off the list (for replay)."""
        with redis_errors("replaying a dead letter"):
            raw = cast(bytes | None, self.client.rpop(DEADLETTER_KEY))
        return json.loads(raw) if raw else None
