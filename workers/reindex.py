"""Reindex that cannot be half-done: a persistent plan per kind, resumed by the next run.

A rebuild of `<prefix>-articles` goes through these steps, and records in Elasticsearch
(index `<prefix>-state`, document `reindex-<kind>`) the step it has reached:

1. ``create``  the next version `<prefix>-articles-vN` from the current template;
2. ``write``   move the write alias to it, in one `_aliases` call. From here on every write
               lands in the new index, so nothing written during the copy can be lost;
3. ``copy``    copy the old version(s) into it: server-side `_reindex` when every node runs
               the reindex module, scroll + bulk otherwise. A copy never overwrites what was
               written since step 2: articles carry an external version (the fetch time in
               milliseconds), so an older copy loses against a newer write (409, skipped);
               teasers are copied with ``op_type=create``, so an existing one wins. Both
               make the copy idempotent: running it again after an interruption only fills
               in what is missing;
4. ``verify``  every id of the old version(s) must be in the new one (a catch-up pass copies
               stragglers, e.g. a bulk request that resolved the alias just before step 2),
               and the new count must be at least the old one; otherwise the read alias
               stays where it is and the run fails;
5. ``read``    move the read alias, in one atomic `_aliases` call: searches see either the
               old version or the new one, never both;
6. ``cleanup`` delete the old version(s) (unless ``keep_old``), then the plan.

Each step is idempotent, and the plan is saved after each one, so a run killed at any point
(Ctrl-C, SIGKILL) is finished by the next run. A reindex interrupted before this plan
existed (write alias on a newer index than the read alias, or a read alias over several
versions) is adopted: the newest index behind the write alias becomes the target.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import elasticsearch
import structlog
from elasticsearch.helpers import scan, streaming_bulk

from workers.capabilities import Capabilities, probe
from workers.errors import IndexingError, ReindexInProgress
from workers.index import DocKind, SearchIndex, es_errors, now_iso
from workers.redact import redact

log = structlog.get_logger(__name__)

STEPS = ("create", "write", "copy", "verify", "read", "cleanup")
COPY_BATCH = 500
# Ids checked per request in the verify step.
VERIFY_BATCH = 1000
TASK_POLL_SECONDS = 0.5

# A callback told (step, documents copied so far); tests use it to interrupt a run.
StepHook = Callable[[str, int], None]
# A callback told (documents done, documents in total) while copying.
Progress = Callable[[int, int], None]


# One `ingest reindex` at a time per prefix: a lock document in `<prefix>-state`, renewed
# every LOCK_TTL / 3 seconds by its holder. A lock past its expiry, or held by a process of
# this host that is gone (a run killed with SIGKILL), is taken over; any other holder makes
# a second run stop with ReindexInProgress.
LOCK_ID = "reindex-lock"
LOCK_TTL = 60.0


def host_identity() -> str:
    """This host as process ids see it: the host name and the pid namespace (containers
    that share a name but not their processes differ)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}/{namespace}"


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    return True


class ReindexLock:
    """Held for the length of a reindex run; a context manager (see LOCK_TTL)."""

    def __init__(self, index: SearchIndex, *, ttl: float = LOCK_TTL) -> None:
        self.client = index.client
        self.state_index = f"{index.prefix}-state"
        self.prefix = index.prefix
        self.ttl = ttl
        self.token = uuid.uuid4().hex
        self._started = now_iso()
        self._seq: tuple[int, int] | None = None  # our write: (seq_no, primary_term)
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None
        self._lost: str | None = None
        self._guard = threading.Lock()

    def __enter__(self) -> ReindexLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()

    def _doc(self) -> dict[str, Any]:
        return {
            "holder": self.token,
            "host": host_identity(),
            "pid": os.getpid(),
            "started_at": self._started,
            "expires_at": time.time() + self.ttl,
        }

    def acquire(self) -> None:
        """Take the lock, or raise ReindexInProgress naming the run that holds it."""
        with es_errors("taking the reindex lock"):
            try:
                reply = self.client.create(index=self.state_index, id=LOCK_ID, document=self._doc())
            except elasticsearch.ConflictError:
                reply = self._take_over()
        self._seq = (reply["_seq_no"], reply["_primary_term"])
        self._beat = threading.Thread(target=self._renew, name="reindex-lock", daemon=True)
        self._beat.start()

    def _take_over(self) -> Any:
        try:
            current = self.client.get(index=self.state_index, id=LOCK_ID)
        except elasticsearch.NotFoundError:  # released in the meantime
            current = None
        if current is not None:
            held = current["_source"]
            if not self._stale(held):
                left = max(0, round(float(held.get("expires_at", 0)) - time.time()))
                raise ReindexInProgress(
                    f"another reindex is running under prefix {self.prefix!r} (pid "
                    f"{held.get('pid')} on {str(held.get('host', '?')).split('/')[0]}, since "
                    f"{held.get('started_at')}); its lock expires {left} s after its last "
                    "renewal: wait for it to finish"
                )
        try:
            if current is None:
                return self.client.create(index=self.state_index, id=LOCK_ID, document=self._doc())
            log.warning("reindex_lock_taken_over", previous=current["_source"])
            return self.client.index(
                index=self.state_index,
                id=LOCK_ID,
                document=self._doc(),
                if_seq_no=current["_seq_no"],
                if_primary_term=current["_primary_term"],
            )
        except elasticsearch.ConflictError as exc:
            raise ReindexInProgress(
                f"another reindex took the lock under prefix {self.prefix!r} just now"
            ) from exc

    @staticmethod
    def _stale(held: dict[str, Any]) -> bool:
        """Past its expiry, or its holder was a process of this host that is gone."""
        if float(held.get("expires_at", 0)) < time.time():
            return True
        return held.get("host") == host_identity() and not _alive(int(held.get("pid", 0)))

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                with self._guard:
                    if self._seq is None:
                        return
                    seq_no, term = self._seq
                    reply = self.client.index(
                        index=self.state_index,
                        id=LOCK_ID,
                        document=self._doc(),
                        if_seq_no=seq_no,
                        if_primary_term=term,
                    )
                    self._seq = (reply["_seq_no"], reply["_primary_term"])
            except (elasticsearch.ConflictError, elasticsearch.NotFoundError):
                self._lost = "another reindex took it over (this run stalled past its expiry)"
                return
            except (elasticsearch.ApiError, elasticsearch.TransportError) as exc:
                # Unreachable for now: try again at the next beat; the expiry decides.
                log.warning("reindex_lock_not_renewed", error=redact(str(exc)))

    def check(self) -> None:
        """Raise if the lock was lost (see _renew): a run must not go on without it."""
        if self._lost is not None:
            raise IndexingError(f"reindex lock lost: {self._lost}; run reindex again")

    def release(self) -> None:
        """Stop renewing and delete the lock if it is still ours."""
        self._stop.set()
        if self._beat is not None:
            self._beat.join()
        with self._guard:
            if self._seq is None or self._lost is not None:
                return
            seq_no, term = self._seq
            self._seq = None
            try:
                self.client.delete(
                    index=self.state_index,
                    id=LOCK_ID,
                    refresh=True,
                    if_seq_no=seq_no,
                    if_primary_term=term,
                )
            except (elasticsearch.ConflictError, elasticsearch.NotFoundError):
                pass
            except (elasticsearch.ApiError, elasticsearch.TransportError) as exc:
                log.warning(
                    "reindex_lock_not_released", error=redact(str(exc)), expires_in=self.ttl
                )


@dataclass(slots=True)
class ReindexPlan:
    """The persistent state of one kind's rebuild."""

    kind: DocKind
    sources: list[str]
    target: str
    step: str
    keep_old: bool
    started_at: str
    method: str = ""
    task_id: str | None = None
    copied: int = 0
    skipped_newer: int = 0
    caught_up: int = 0
    source_count: int = 0
    target_count: int = 0
    resumed: int = 0
    history: list[str] = field(default_factory=list)


class Reindexer:
    """Runs (or resumes) the rebuild of one kind of index; see the module docstring."""

    def __init__(
        self,
        index: SearchIndex,
        *,
        batch: int = COPY_BATCH,
        max_docs_per_second: float | None = None,
        hook: StepHook | None = None,
        progress: Progress | None = None,
        capabilities: Capabilities | None = None,
        lock: ReindexLock | None = None,
    ) -> None:
        self.index = index
        self.lock = lock
        self.client = index.client
        self.batch = batch
        self.max_docs_per_second = max_docs_per_second
        self.hook = hook or (lambda _step, _n: None)
        self.progress = progress or (lambda _done, _total: None)
        self._capabilities = capabilities

    # the persistent plan ----------------------------------------------------------------

    @property
    def state_index(self) -> str:
        return f"{self.index.prefix}-state"

    def load(self, kind: DocKind) -> ReindexPlan | None:
        with es_errors("reading the reindex plan"):
            try:
                doc = self.client.get(index=self.state_index, id=f"reindex-{kind}")
            except elasticsearch.NotFoundError:
                return None
        return ReindexPlan(**doc["_source"])

    def save(self, plan: ReindexPlan) -> None:
        with es_errors("saving the reindex plan"):
            self.client.index(
                index=self.state_index,
                id=f"reindex-{plan.kind}",
                document=asdict(plan),
            )

    def forget(self, kind: DocKind) -> None:
        with (
            es_errors("removing the reindex plan"),
            contextlib.suppress(elasticsearch.NotFoundError),
        ):
            self.client.delete(index=self.state_index, id=f"reindex-{kind}", refresh=True)

    # planning ---------------------------------------------------------------------------

    def _alias_indices(self, alias: str) -> dict[str, dict[str, Any]]:
        with es_errors("reading aliases"):
            try:
                found = self.client.indices.get_alias(name=alias)
            except elasticsearch.NotFoundError:
                return {}
        return {name: body["aliases"][alias] for name, body in found.items()}

    def plan(self, kind: DocKind, keep_old: bool) -> ReindexPlan:
        """A fresh plan, or the adoption of a rebuild interrupted before plans existed."""
        read = sorted(self._alias_indices(self.index.alias(kind)))
        writes = self._alias_indices(self.index.write_alias(kind))
        if not read or not writes:
            raise IndexingError(f"no {kind} index to rebuild under prefix {self.index.prefix!r}")
        flagged = [name for name, body in writes.items() if body.get("is_write_index")]
        write = flagged[0] if flagged else max(writes, key=self._version_key)
        if write not in read or len(read) > 1:
            sources = [name for name in read if name != write]
            return ReindexPlan(kind, sources, write, "copy", keep_old, now_iso(), resumed=1)
        versions = self.index.versions(kind)
        target = self.index.versioned(kind, max(versions) + 1)
        return ReindexPlan(kind, [write], target, "create", keep_old, now_iso())

    def _version_key(self, name: str) -> int:
        return int(name.rsplit("-v", 1)[-1]) if "-v" in name else -1

    # running ----------------------------------------------------------------------------

    def run(self, kind: DocKind, *, keep_old: bool = False) -> dict[str, Any]:
        """Rebuild `kind`, or finish the rebuild a previous run left; returns a summary.

        Holds the prefix's ReindexLock for the run (the one given, else its own): raises
        ReindexInProgress when another run holds it.
        """
        if self.lock is not None:
            return self._run(kind, keep_old, self.lock)
        with ReindexLock(self.index) as lock:
            return self._run(kind, keep_old, lock)

    def _run(self, kind: DocKind, keep_old: bool, lock: ReindexLock) -> dict[str, Any]:
        started = time.monotonic()
        self.index.ensure()
        plan = self.load(kind)
        if plan is None:
            plan = self.plan(kind, keep_old)
        else:
            plan.resumed += 1
        self.save(plan)
        steps: dict[str, Callable[[ReindexPlan], None]] = {
            "create": self._create,
            "write": self._move_write,
            "copy": self._copy,
            "verify": self._verify,
            "read": self._move_read,
            "cleanup": self._cleanup,
        }
        for position in range(STEPS.index(plan.step), len(STEPS)):
            step = STEPS[position]
            lock.check()
            self.hook(step, plan.copied)
            steps[step](plan)
            plan.history.append(step)
            plan.step = STEPS[position + 1] if position + 1 < len(STEPS) else "done"
            self.save(plan)
        self.forget(kind)
        return {
            "kind": kind,
            "from": plan.sources,
            "to": plan.target,
            "method": plan.method,
            "copied": plan.copied,
            "newer_in_target": plan.skipped_newer,
            "caught_up": plan.caught_up,
            "source_count": plan.source_count,
            "target_count": plan.target_count,
            "resumed": plan.resumed > 0,
            "old_deleted": not plan.keep_old,
            "seconds": round(time.monotonic() - started, 3),
        }

    # the steps --------------------------------------------------------------------------

    def _create(self, plan: ReindexPlan) -> None:
        with es_errors("creating the new index version"):
            try:
                self.client.indices.create(index=plan.target)
            except elasticsearch.BadRequestError as exc:
                if exc.error != "resource_already_exists_exception":
                    raise

    def _move_write(self, plan: ReindexPlan) -> None:
        alias = self.index.write_alias(plan.kind)
        current = self._alias_indices(alias)
        actions: list[dict[str, Any]] = [
            {"remove": {"index": name, "alias": alias}} for name in current if name != plan.target
        ]
        actions.append({"add": {"index": plan.target, "alias": alias, "is_write_index": True}})
        with es_errors("moving the write alias"):
            self.client.indices.update_aliases(actions=actions)

    def _copy(self, plan: ReindexPlan) -> None:
        sources = self._existing(plan.sources)
        with es_errors("counting the old version"):
            if sources:
                # Writes that reached the old version just before the write alias moved are
                # only visible to the scroll once refreshed.
                self.client.indices.refresh(index=",".join(sources))
            plan.source_count = self._count(sources)
        if not sources:
            plan.method = plan.method or "none"
            return
        caps = self._capabilities or probe(self.client)
        if caps.server_reindex:
            plan.method = "server-reindex"
            self._server_copy(plan, sources)
        else:
            plan.method = "scroll-bulk"
            created, skipped = self._bulk_copy(plan, self._scan(sources, with_source=True))
            plan.copied, plan.skipped_newer = created, skipped

    def _verify(self, plan: ReindexPlan) -> None:
        sources = self._existing(plan.sources)
        with es_errors("verifying the copy"):
            self.client.indices.refresh(index=",".join([*sources, plan.target]))
            missing: list[tuple[str, str]] = []
            for chunk in _chunks(self._scan(sources, with_source=False), VERIFY_BATCH):
                ids = [hit["_id"] for hit in chunk]
                found = self.client.mget(index=plan.target, ids=ids, source=False)["docs"]
                missing += [
                    (hit["_index"], hit["_id"])
                    for hit, doc in zip(chunk, found, strict=True)
                    if not doc.get("found") or self._older(plan, doc, hit)
                ]
            if missing:
                plan.caught_up += self._catch_up(plan, missing)
                self.client.indices.refresh(index=plan.target)
            plan.source_count = self._count(sources)
            plan.target_count = self._count([plan.target])
            still = [
                doc["_id"]
                for chunk in _chunks(iter(missing), VERIFY_BATCH)
                for doc in self.client.mget(
                    index=plan.target, ids=[doc_id for _, doc_id in chunk], source=False
                )["docs"]
                if not doc.get("found")
            ]
        if still or plan.target_count < plan.source_count:
            raise IndexingError(
                f"reindex of {plan.kind} incomplete: {plan.target} has {plan.target_count} "
                f"documents for {plan.source_count} in {', '.join(sources)} "
                f"({len(still)} ids missing); the read alias was not moved, run it again"
            )

    @staticmethod
    def _older(plan: ReindexPlan, target_doc: dict[str, Any], source_hit: dict[str, Any]) -> bool:
        """An article whose copy is older than the source (it changed after the scroll)."""
        if plan.kind != "articles":
            return False
        return int(target_doc.get("_version", 0)) < int(source_hit.get("_version", 0))

    def _move_read(self, plan: ReindexPlan) -> None:
        read, write = self.index.alias(plan.kind), self.index.write_alias(plan.kind)
        actions: list[dict[str, Any]] = []
        for alias in (read, write):
            for name in self._alias_indices(alias):
                if name != plan.target:
                    actions.append({"remove": {"index": name, "alias": alias}})
        actions.append({"add": {"index": plan.target, "alias": read}})
        actions.append({"add": {"index": plan.target, "alias": write, "is_write_index": True}})
        with es_errors("moving the read alias"):
            self.client.indices.update_aliases(actions=actions)

    def _cleanup(self, plan: ReindexPlan) -> None:
        if plan.keep_old:
            return
        with es_errors("deleting the old version"):
            for name in self._existing(plan.sources):
                self.client.indices.delete(index=name)

    # copying ----------------------------------------------------------------------------

    def _existing(self, names: Iterable[str]) -> list[str]:
        with es_errors("listing index versions"):
            return [name for name in names if self.client.indices.exists(index=name)]

    def _count(self, names: list[str]) -> int:
        if not names:
            return 0
        return int(self.client.count(index=",".join(names))["count"])

    def _scan(self, sources: list[str], *, with_source: bool) -> Iterator[dict[str, Any]]:
        yield from scan(
            self.client,
            index=",".join(sources),
            query={"query": {"match_all": {}}},
            size=self.batch,
            version=True,
            source=with_source,
        )

    def _copy_action(self, plan: ReindexPlan, hit: dict[str, Any]) -> dict[str, Any]:
        action: dict[str, Any] = {
            "_index": plan.target,
            "_id": hit["_id"],
            "_source": hit["_source"],
        }
        if plan.kind == "articles":
            # The fetch-time version travels with the document; an equal one is the same fetch.
            action.update(_op_type="index", version=hit["_version"], version_type="external_gte")
        else:
            action["_op_type"] = "create"
        return action

    def _bulk_copy(self, plan: ReindexPlan, hits: Iterator[dict[str, Any]]) -> tuple[int, int]:
        """Copy documents in bulk; returns (written, skipped because the target is newer)."""
        total = max(plan.source_count, 1)
        created = skipped = done = 0
        window_start, window_docs = time.monotonic(), 0
        actions = (self._copy_action(plan, hit) for hit in hits)
        with es_errors("copying documents"):
            for ok, item in streaming_bulk(
                self.client,
                actions,
                chunk_size=self.batch,
                raise_on_error=False,
                max_retries=5,
                initial_backoff=1,
            ):
                result = next(iter(item.values()))
                if ok:
                    created += 1
                elif result.get("status") == 409:
                    skipped += 1
                else:
                    raise IndexingError(f"reindex copy refused a document: {result}")
                done += 1
                window_docs += 1
                if done % self.batch == 0:
                    plan.copied, plan.skipped_newer = created, skipped
                    self.progress(done, total)
                    self.hook("copy", done)
                    window_start, window_docs = self._throttle(window_start, window_docs)
        self.progress(done, total)
        return created, skipped

    def _throttle(self, started: float, docs: int) -> tuple[float, int]:
        """Sleep so the copy stays under max_docs_per_second (None: as fast as it goes)."""
        if not self.max_docs_per_second:
            return started, docs
        ahead = docs / self.max_docs_per_second - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)
        return time.monotonic(), 0

    def _catch_up(self, plan: ReindexPlan, missing: list[tuple[str, str]]) -> int:
        """Copy documents the main pass did not write (by id); returns how many."""
        copied = 0
        by_index: dict[str, list[str]] = {}
        for index, doc_id in missing:
            by_index.setdefault(index, []).append(doc_id)
        for index, ids in by_index.items():
            for chunk in _chunks(iter(ids), VERIFY_BATCH):
                docs = self.client.mget(index=index, ids=chunk)["docs"]
                hits = iter(
                    {
                        "_id": d["_id"],
                        "_index": index,
                        "_source": d["_source"],
                        "_version": d["_version"],
                    }
                    for d in docs
                    if d.get("found")
                )
                written, _ = self._bulk_copy(plan, hits)
                copied += written
        return copied

    def _server_copy(self, plan: ReindexPlan, sources: list[str]) -> None:
        """Server-side `_reindex` as a task; a resumed run waits for a task still running."""
        if plan.task_id:
            status = self._task_status(plan.task_id)
            if status is not None and not status.get("completed"):
                self._wait_task(plan, plan.task_id)
                return
        dest: dict[str, Any] = {"index": plan.target}
        if plan.kind == "articles":
            dest["version_type"] = "external"
        else:
            dest["op_type"] = "create"
        body: dict[str, Any] = {
            "source": {"index": sources, "size": self.batch},
            "dest": dest,
            "conflicts": "proceed",
            "wait_for_completion": False,
            "refresh": True,
        }
        if self.max_docs_per_second:
            body["requests_per_second"] = self.max_docs_per_second
        with es_errors("starting the server-side reindex"):
            response = self.client.reindex(**body)
        plan.task_id = str(response["task"])
        self.save(plan)
        self._wait_task(plan, plan.task_id)

    def _task_status(self, task_id: str) -> dict[str, Any] | None:
        with es_errors("reading the reindex task"):
            try:
                return dict(self.client.tasks.get(task_id=task_id))
            except elasticsearch.NotFoundError:
                return None

    def _wait_task(self, plan: ReindexPlan, task_id: str) -> None:
        while True:
            status = self._task_status(task_id)
            if status is None:
                raise IndexingError(f"reindex task {task_id} vanished; run reindex again")
            task_status = status.get("task", {}).get("status", {})
            done = int(task_status.get("created", 0)) + int(task_status.get("updated", 0))
            conflicts = int(task_status.get("version_conflicts", 0))
            plan.copied, plan.skipped_newer = done, conflicts
            self.progress(done + conflicts, max(int(task_status.get("total", 0)), 1))
            self.hook("copy", done + conflicts)
            if status.get("completed"):
                failures = status.get("response", {}).get("failures") or []
                if failures or status.get("error"):
                    raise IndexingError(f"server-side reindex failed: {failures or status}")
                return
            time.sleep(TASK_POLL_SECONDS)


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def parse_failpoint(spec: str | None) -> tuple[str, int, str] | None:
    """`reindex:<step>[@N]:<SIGNAL>` -> (step, documents, signal name); None when unset."""
    if not spec or not spec.startswith("reindex:"):
        return None
    _, where, signal_name = spec.split(":", 2)
    step, _, count = where.partition("@")
    return step, int(count or 0), signal_name


__all__ = ["LOCK_TTL", "STEPS", "ReindexLock", "ReindexPlan", "Reindexer", "parse_failpoint"]
