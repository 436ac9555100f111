"""Crawl runs in Redis: which tasks are still open, what they achieved, and the dead letters.

A run is `done` only when every task it registered finished AND nothing can have been
forgotten: Redis (which holds both the queues and this bookkeeping) kept running from the
run's start to its end. After a Redis restart the last second of writes may be gone (AOF
`appendfsync everysec`), which can drop a task and its registration together, so such a
run is `incomplete` (reason `redis_restarted`), never `done`. A task still registered but
held by no queue and no worker (`vanished`, found by `Runs.vanished`) is sent again: every
task is registered with its message (name and arguments, dropped when it closes), so whoever
looks for vanished tasks (`ingest run`, `ingest crawl --wait`, beat's next tick for the
source) re-sends them under their own ids (tasks are idempotent). A vanished task with no
registered message (sent by an older version) makes the run `incomplete`. Re-running the
crawl recovers either case: pages count as fetched only once their documents were indexed
(workers.tasks), so everything that was lost is fetched again.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import redis

from workers.store import redis_errors

RUN_TTL = 7 * 24 * 3600
DEADLETTER_KEY = "deadletter"
DEADLETTER_MAX = 100_000
# Every run's id, scored by its start time, for `ingest status` (the newest are kept).
RUNS_KEY = "runs"
RUNS_KEPT = 1000

# Mark URLs as seen in this run, remembering which task admitted them. Send one when it is
# new, or when the same parent task runs again (redelivered after a crash) and the child
# has not reported back: a worker killed between admitting and sending loses nothing.
# Atomic, and another parent linking to the same URL never causes a second fetch.
# Open tasks live in a sorted set scored by the time they were registered, their messages
# in a hash (KEYS[4]). Takes all the URLs a parent sends at once, in order (ARGV[5..]: url,
# task id, message triples), so a page's links cost one round trip; returns 1 (send it) or
# 0 per URL.
_ADMIT = """
local sent = {}
for i = 5, #ARGV, 3 do
  local url, task = ARGV[i], ARGV[i + 1]
  local go = 0
  if redis.call('HSETNX', KEYS[1], url, ARGV[3]) == 1 then
    local n = redis.call('INCR', KEYS[3])
    if n <= tonumber(ARGV[1]) then
      redis.call('ZADD', KEYS[2], ARGV[4], task)
      go = 1
    end
  elseif redis.call('HGET', KEYS[1], url) == ARGV[3] then
    if redis.call('ZSCORE', KEYS[2], task) then
      go = 1
    end
  end
  if go == 1 then
    redis.call('HSET', KEYS[4], task, ARGV[i + 2])
  end
  sent[#sent + 1] = go
end
if #ARGV >= 5 then
  for k = 1, 4 do
    redis.call('EXPIRE', KEYS[k], ARGV[2])
  end
end
return sent
"""
# Kombu's Redis transport keeps messages delivered but not yet acknowledged here.
UNACKED_KEY = "unacked"
# A registered task's message: its task name and keyword arguments.
Message = tuple[str, dict[str, Any]]
# Sends a message again: (task name, kwargs, task id).
Resend = Callable[[str, dict[str, Any], str], None]
# A registered task missing from the broker this long is vanished, not in transit (a task
# is registered just before it is sent).
VANISH_GRACE = 10.0
VANISH_RECHECK = 1.0
# Suffix of the run tasks that index-buffer entries close (workers.tasks._buffer).
FLUSH_ENTRY_SUFFIX = ":flush"

# One run per source at a time: `lock:crawl:<source>` holds the run id from the run's start
# until it finishes (`_mark_finished`) or is found lost (`vanished`). The expiry is only a
# safety net for a lock nothing released: every attempt to start another run of the source
# (beat's tick, once a minute) that finds the holder still live renews it, so a run longer
# than the expiry keeps its source.
RUN_LOCK_PREFIX = "lock:crawl:"
RUN_LOCK_TTL = 6 * 3600
# A lock whose run has no record yet is not stale before this many seconds (the record is
# written just after the lock is taken).
RUN_LOCK_GRACE = 60
# When each source's last run started (source -> epoch seconds), for beat's tick.
LAST_START_KEY = "schedule:last_start"
# Release a source's lock only when the finishing run is the one holding it.
_RELEASE = """
local source = redis.call('HGET', KEYS[1], 'source')
if not source then
  return 0
end
local lock = ARGV[2] .. source
if redis.call('GET', lock) == ARGV[1] then
  redis.call('DEL', lock)
  return 1
end
return 0
"""
_RELEASE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
# Give a key back its full lifetime (ARGV[2] s) only if it still holds ARGV[1] (the lock).
_RENEW_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('EXPIRE', KEYS[1], ARGV[2])
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
    # Why the run cannot be trusted to be complete: "redis_restarted", "tasks_vanished".
    incomplete: str | None = None
    vanished_tasks: int = 0

    @property
    def state(self) -> str:
        """running, done, or incomplete (finished, or stuck, with work possibly lost)."""
        if self.incomplete:
            return "incomplete"
        return "done" if self.open_tasks == 0 else "running"

    @property
    def settled(self) -> bool:
        """Nothing more will happen: every open task finished or is known to be lost."""
        return self.open_tasks <= self.vanished_tasks

    def as_dict(self) -> dict[str, Any]:
        seconds = (self.finished_at or time.time()) - self.started_at
        return {
            "run_id": self.run_id,
            "source": self.source,
            "done": self.state == "done",
            "state": self.state,
            "incomplete_reason": self.incomplete,
            "open_tasks": self.open_tasks,
            "vanished_tasks": self.vanished_tasks,
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
        self._release = client.register_script(_RELEASE)
        self._release_if = client.register_script(_RELEASE_IF)
        self._renew_if = client.register_script(_RENEW_IF)

    def _key(self, run_id: str, part: str) -> str:
        return f"run:{run_id}:{part}"

    def server_id(self) -> str:
        """Redis's run_id: it changes whenever redis-server restarts."""
        with redis_errors("reading the server identity"):
            info = self.client.info("server")
        return str(info.get("run_id", ""))

    def start(
        self,
        run_id: str,
        source: str,
        first_task_id: str | None,
        first_message: Message | None = None,
    ) -> None:
        """Record a new run; `first_task_id` is the task that will send its seeds (sent as
        `first_message`)."""
        now = time.time()
        server = self.server_id()
        with redis_errors("starting a run"):
            pipe = self.client.pipeline(transaction=True)
            pipe.hset(
                self._key(run_id, "meta"),
                mapping={"source": source, "started_at": now, "server": server},
            )
            if first_task_id is not None:
                pipe.zadd(self._key(run_id, "open"), {first_task_id: now})
                if first_message is not None:
                    self._queue_messages(pipe, run_id, {first_task_id: first_message})
            pipe.zadd(RUNS_KEY, {run_id: now})
            pipe.zremrangebyrank(RUNS_KEY, 0, -RUNS_KEPT - 1)
            for part in ("meta", "open"):
                pipe.expire(self._key(run_id, part), RUN_TTL)
            pipe.execute()

    def admit_urls(
        self,
        run_id: str,
        urls: list[tuple[str, str, Message]],
        parent_id: str,
        max_pages: int,
    ) -> list[bool]:
        """True for each (url, task id, message) whose fetch task should be sent: first
        sight of the URL in the run, within the page cap (or a redelivered parent sending it
        again); the message of each is registered with it. One round trip for all of them."""
        if not urls:
            return []
        keys = [
            self._key(run_id, "seen"),
            self._key(run_id, "open"),
            self._key(run_id, "count"),
            self._key(run_id, "messages"),
        ]
        args: list[Any] = [max_pages, RUN_TTL, parent_id, time.time()]
        for url, task_id, message in urls:
            args += [url, task_id, json.dumps(message)]
        with redis_errors("admitting URLs"):
            result = cast(list[int], self._admit(keys=keys, args=args))
        return [bool(sent) for sent in result]

    def open_task(
        self,
        run_id: str,
        task_id: str,
        *,
        tally: tuple[str, str] | None = None,
        closes: str | None = None,
        message: Message | None = None,
    ) -> None:
        """Register a task the run must wait for (parse and index hops, reschedules), with
        the `message` it is sent as (see `vanished`).

        `tally` (what, member) is added to one of the run's tallies in the same round trip,
        as `record` would (the fetch that sends a parse hop counts its URL as fetched).
        `closes` is closed in it too, after the new one is open (so the run cannot finish
        in between): a task handing the run over to the one it sends as its last step.
        """
        with redis_errors("opening a task"):
            pipe = self.client.pipeline(transaction=False)
            if tally is not None:
                self._tally(pipe, run_id, tally[0], tally[1])
            self.queue_open(pipe, run_id, task_id)
            if message is not None:
                self._queue_messages(pipe, run_id, {task_id: message})
            if closes is not None:
                pipe.zrem(self._key(run_id, "open"), closes)
                pipe.hdel(self._key(run_id, "messages"), closes)
            pipe.execute()

    def open_tasks(self, run_id: str, messages: dict[str, Message]) -> None:
        """Register many tasks the run must wait for, by id with their messages, in one
        round trip (a reparse batch)."""
        if not messages:
            return
        with redis_errors("opening tasks"):
            pipe = self.client.pipeline(transaction=False)
            self.queue_open(pipe, run_id, *messages)
            self._queue_messages(pipe, run_id, messages)
            pipe.execute()

    def _queue_messages(self, pipe: Any, run_id: str, messages: dict[str, Message]) -> None:
        key = self._key(run_id, "messages")
        pipe.hset(key, mapping={task: json.dumps(message) for task, message in messages.items()})
        pipe.expire(key, RUN_TTL)

    def queue_open(self, pipe: Any, run_id: str, *task_ids: str) -> None:
        """Queue on `pipe` the opening of tasks (as `open_task`), so a caller's own write
        goes in the same round trip (the index buffer's push)."""
        pipe.zadd(self._key(run_id, "open"), dict.fromkeys(task_ids, time.time()))
        pipe.expire(self._key(run_id, "open"), RUN_TTL)

    def close_task(self, run_id: str, task_id: str) -> None:
        """The task finished for good (success, dropped, or dead-lettered)."""
        with redis_errors("closing a task"):
            pipe = self.client.pipeline(transaction=True)
            pipe.zrem(self._key(run_id, "open"), task_id)
            pipe.hdel(self._key(run_id, "messages"), task_id)
            pipe.zcard(self._key(run_id, "open"))
            _, _, remaining = pipe.execute()
        if remaining == 0:
            self._mark_finished(run_id)

    def _mark_finished(self, run_id: str) -> None:
        """The run's open set emptied: note when, and on which Redis server instance; the
        source may run again."""
        meta = self._key(run_id, "meta")
        with redis_errors("finishing a run"):
            if self.client.hsetnx(meta, "finished_at", time.time()):
                self.client.hset(meta, "finished_server", self.server_id())
            self.client.delete(self._key(run_id, "messages"))
        self.release(run_id)

    # one run per source ----------------------------------------------------------------

    def acquire(
        self, source: str, run_id: str, queues: tuple[str, ...], resend: Resend | None = None
    ) -> str | None:
        """Take the source's run lock for `run_id`: None when taken, else the run holding it.

        A lock whose run has settled (finished, or every open task lost), was interrupted by a
        Redis restart, or whose record is gone is stale and taken over; a run with no
        progress is checked for vanished tasks first (`vanished`, which sends them again
        with `resend`), so a run lost to a crash does not block the source.
        """
        key = RUN_LOCK_PREFIX + source
        holder = "(unknown)"
        with redis_errors("taking a run lock"):
            for _ in range(3):
                if self.client.set(key, run_id, nx=True, ex=RUN_LOCK_TTL):
                    return None
                raw = cast(bytes | None, self.client.get(key))
                if raw is None:
                    continue  # released between the two calls
                holder = raw.decode()
                if not self._stale(key, holder, queues, resend):
                    self._renew(key, holder)
                    return holder
                self._release_if(keys=[key], args=[holder])
        return holder

    def _stale(self, key: str, holder: str, queues: tuple[str, ...], resend: Resend | None) -> bool:
        summary = self.summary(holder)
        if summary is None:
            left = int(self.client.ttl(key))
            return left < 0 or RUN_LOCK_TTL - left > RUN_LOCK_GRACE
        if summary.settled or summary.incomplete == "redis_restarted":
            # A run Redis restarted under cannot vouch for its bookkeeping: the crawl that
            # recovers what the crash lost must not wait for it.
            return True
        self.vanished(holder, queues, resend)
        after = self.summary(holder)
        return after is None or after.settled

    def _renew(self, key: str, holder: str) -> None:
        # Only a run with a record is renewed: the grace of a lock taken just before its
        # record is written counts from the lock's age, which renewing would reset.
        if self.summary(holder) is not None:
            self._renew_if(keys=[key], args=[holder, RUN_LOCK_TTL])

    def release(self, run_id: str) -> None:
        """Free the run's source for another run, if this run holds its lock."""
        with redis_errors("releasing a run lock"):
            self._release(keys=[self._key(run_id, "meta")], args=[run_id, RUN_LOCK_PREFIX])

    def lock_holder(self, source: str) -> str | None:
        """The run holding the source's lock, if any."""
        with redis_errors("reading a run lock"):
            raw = cast(bytes | None, self.client.get(RUN_LOCK_PREFIX + source))
        return raw.decode() if raw else None

    def due(self, source: str, interval: float, now: float) -> bool:
        """A source whose last run started `interval` seconds ago or more (or never)."""
        with redis_errors("reading the schedule"):
            raw = cast(bytes | None, self.client.hget(LAST_START_KEY, source))
        return raw is None or now - float(raw) >= interval

    def note_start(self, source: str, when: float) -> None:
        """Remember when the source's latest run started (beat's and `ingest crawl`'s)."""
        with redis_errors("writing the schedule"):
            self.client.hset(LAST_START_KEY, source, when)

    def record(self, run_id: str, what: str, *members: str) -> None:
        """Add members to one of the run's tallies: fetched, unchanged, articles, teasers."""
        if not members:
            return
        with redis_errors("recording run progress"):
            pipe = self.client.pipeline(transaction=False)
            self._tally(pipe, run_id, what, *members)
            pipe.execute()

    def _tally(self, pipe: Any, run_id: str, what: str, *members: str) -> None:
        """Queue on `pipe` the adding of members to a tally, which lives as long as the run."""
        key = self._key(run_id, what)
        pipe.sadd(key, *members)
        pipe.expire(key, RUN_TTL)

    def settle_many(self, done: list[tuple[str, str, list[str], list[str]]]) -> None:
        """Record many finished index entries at once: (run_id, task_id, article ids,
        teaser ids) each. Grouped by run: one SADD per tally, one EXPIRE per key and one
        ZREM per run, in one round trip (a second only for runs that just finished)."""
        if not done:
            return
        grouped: dict[str, tuple[list[str], list[str], list[str]]] = {}
        for run_id, task_id, articles, teasers in done:
            tasks, run_articles, run_teasers = grouped.setdefault(run_id, ([], [], []))
            tasks.append(task_id)
            run_articles += articles
            run_teasers += teasers
        counted: dict[str, int] = {}  # run id -> place of its ZCARD reply
        with redis_errors("recording indexed documents"):
            pipe = self.client.pipeline(transaction=False)
            for run_id, (tasks, articles, teasers) in grouped.items():
                for what, members in (("articles", articles), ("teasers", teasers)):
                    if members:
                        pipe.sadd(self._key(run_id, what), *members)
                        pipe.expire(self._key(run_id, what), RUN_TTL)
                pipe.zrem(self._key(run_id, "open"), *tasks)
                counted[run_id] = len(pipe)
                pipe.zcard(self._key(run_id, "open"))
            replies = pipe.execute()
        for run_id, place in counted.items():
            if not replies[place]:
                self._mark_finished(run_id)

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
            pipe.zcard(self._key(run_id, "open"))
            for part in ("fetched", "unchanged", "articles", "teasers"):
                pipe.scard(self._key(run_id, part))
            pipe.hlen(self._key(run_id, "errors"))
            meta, open_, fetched, unchanged, articles, teasers, errors = pipe.execute()
        if not meta:
            return None
        finished = meta.get(b"finished_at")
        started_on = meta.get(b"server", b"").decode()
        ended_on = (meta.get(b"finished_server") or b"").decode() if finished else None
        if ended_on is None and open_:
            ended_on = self.server_id()
        incomplete = None
        if started_on and ended_on and ended_on != started_on:
            incomplete = "redis_restarted"
        vanished = self._still_vanished(run_id) if open_ else 0
        if vanished and incomplete is None:
            incomplete = "tasks_vanished"
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
            incomplete=incomplete,
            vanished_tasks=vanished,
        )

    def _still_vanished(self, run_id: str) -> int:
        """How many of the tasks last found vanished are still open (a late one may finish)."""
        with redis_errors("reading a run"):
            lost = [
                m.decode()
                for m in cast(set[bytes], self.client.smembers(self._key(run_id, "vanished")))
            ]
            if not lost:
                return 0
            scores = self.client.zmscore(self._key(run_id, "open"), lost)
        return sum(score is not None for score in scores)

    def recent(self, limit: int = 10) -> list[RunSummary]:
        """The newest runs, newest first (those whose records expired are skipped)."""
        with redis_errors("listing runs"):
            ids = cast(list[bytes], self.client.zrevrange(RUNS_KEY, 0, limit - 1))
        found = (self.summary(run_id.decode()) for run_id in ids)
        return [summary for summary in found if summary is not None]

    def vanished(
        self, run_id: str, queues: tuple[str, ...], resend: Resend | None = None
    ) -> set[str]:
        """Open tasks of the run that no queue and no worker holds any more: with `resend`,
        those whose message is registered are sent again; the rest are recorded as lost
        and returned.

        Every live message of a task is either waiting in its queue's list or, once a
        worker took it (running, or waiting for its countdown), in kombu's `unacked` hash.
        A message moves between the two without a transaction, so a task counts as vanished
        only when two scans VANISH_RECHECK apart both miss it and it is still open after;
        one registered within VANISH_GRACE seconds may be in transit and is not counted.
        Kombu's Redis transport pops a message before it records it as held, so a worker
        killed (or cut off from Redis) in between takes the message with it: that is the
        loss this recovers.
        """
        open_key = self._key(run_id, "open")
        with redis_errors("checking a run's tasks"):
            cutoff = time.time() - VANISH_GRACE
            missing = {
                member.decode()
                for member in cast(list[bytes], self.client.zrangebyscore(open_key, 0, cutoff))
            }
            # An index-buffer token is held by the buffer (workers.indexbuffer), not by a
            # broker message; it is lost only with Redis data, which redis_restarted covers.
            missing = {task for task in missing if not task.endswith(FLUSH_ENTRY_SUFFIX)}
            for scan in range(2):
                if not missing:
                    break
                if scan:
                    time.sleep(VANISH_RECHECK)
                missing -= self._broker_task_ids(queues)
            ordered = list(missing)
            still_open = self.client.zmscore(open_key, ordered) if ordered else []
            lost = {task for task, score in zip(ordered, still_open, strict=True) if score}
        if lost and resend is not None:
            lost -= self._resend(run_id, lost, resend)
        with redis_errors("checking a run's tasks"):
            key = self._key(run_id, "vanished")
            pipe = self.client.pipeline(transaction=True)
            pipe.delete(key)
            if lost:
                pipe.sadd(key, *lost)
                pipe.expire(key, RUN_TTL)
            pipe.zcard(open_key)
            still = pipe.execute()[-1]
        if lost and still <= len(lost):
            self.release(run_id)  # nothing more will happen: the source may run again
        return lost

    def _resend(self, run_id: str, lost: set[str], resend: Resend) -> set[str]:
        """Send the registered message of each lost task again, under its own id; the ids
        sent (they count as registered now, so they get VANISH_GRACE again)."""
        ordered = sorted(lost)
        with redis_errors("reading lost tasks' messages"):
            raw = cast(
                list[bytes | None], self.client.hmget(self._key(run_id, "messages"), ordered)
            )
        sent: set[str] = set()
        for task_id, message in zip(ordered, raw, strict=True):
            if message is None:
                continue
            name, kwargs = json.loads(message)
            resend(name, kwargs, task_id)
            sent.add(task_id)
        if sent:
            with redis_errors("re-registering lost tasks"):
                self.client.zadd(
                    self._key(run_id, "open"), dict.fromkeys(sent, time.time()), xx=True
                )
        return sent

    def _broker_task_ids(self, queues: tuple[str, ...]) -> set[str]:
        """Task ids of every message in the queues and in the unacknowledged hash."""
        messages: list[Any] = []
        for queue in queues:
            for item in cast(list[bytes], self.client.lrange(queue, 0, -1)):
                with contextlib.suppress(ValueError):
                    messages.append(json.loads(item))
        for value in cast(list[bytes], self.client.hvals(UNACKED_KEY)):
            with contextlib.suppress(ValueError):
                entry = json.loads(value)  # [message, exchange, routing key]
                messages.append(entry[0] if isinstance(entry, list) and entry else None)
        ids: set[str] = set()
        for message in messages:
            headers = message.get("headers") if isinstance(message, dict) else None
            if isinstance(headers, dict) and headers.get("id"):
                ids.add(str(headers["id"]))
        return ids

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
