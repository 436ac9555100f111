"""The Celery app: three queues routed by task-name prefix, late acks, and per-process resources."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import redis
import structlog
import yaml
from celery import Celery, signals
from kombu import Queue

from workers import broker as _broker  # noqa: F401 -- registers the broker transport
from workers.archive import WarcArchive
from workers.clients import search_index
from workers.crawl import MAX_RESERVE_AHEAD, Crawler
from workers.errors import ConfigError
from workers.extract import SiteRules, load_site_rules
from workers.fetch import Fetcher, FetchLimits
from workers.frontier import Frontier, robots_error_ttl
from workers.index import SearchIndex
from workers.indexbuffer import IndexBuffer
from workers.logconfig import bind_task_context, configure_logging
from workers.models import Source
from workers.runs import Runs
from workers.settings import Settings, get_settings
from workers.sources import read_sources_file, sources_from_text
from workers.store import PageStore
from workers.sweeper import FlushSweep

QUEUES = ("crawl", "parse", "index")
# Beat's tick has a queue of its own, consumed by the crawl workers beside `crawl`: behind a
# backlog of thousands of fetches in `crawl` it would wait past its expiry and be dropped,
# and no source would be scheduled until the backlog cleared. The worker reads its queues
# in turn, so a tick waits for at most a task per worker thread.
SCHEDULE_QUEUE = "schedule"
# The queues a worker must consume for the system to work (`ingest status` checks them).
CONSUMED_QUEUES = (*QUEUES, SCHEDULE_QUEUE)

log = structlog.get_logger(__name__)


def _celery_config(settings: Settings) -> dict[str, Any]:
    return {
        "broker_url": settings.redis_url,
        # A broker that goes away (restart, crash, network) is waited for, forever: a
        # worker never exits because Redis is down, it reconnects and goes on consuming.
        "broker_connection_retry_on_startup": True,
        "broker_connection_retry": True,
        "broker_connection_max_retries": None,
        # visibility_timeout stays well above the longest countdown a task schedules
        # (IngestTask.retry_backoff_max), so a delayed task is never delivered twice; it is
        # also how long a message held by a worker that died stays invisible.
        "broker_transport_options": {
            "visibility_timeout": settings.visibility_timeout,
            "socket_timeout": 10,
            "socket_connect_timeout": 5,
            "socket_keepalive": True,
            # No retry_on_timeout: a timed-out read of the pub/sub (remote control)
            # connection must fail the connection so the consumer reconnects; retried,
            # it blocks the worker's event loop for good after Redis drops its clients.
            # Ping idle pooled connections so one left dead by a restart is replaced.
            "health_check_interval": 10,
            # Look for messages held past visibility_timeout (their worker died, or lost
            # them when the broker restarted) every few seconds, not kombu's default of
            # every ~100 s (10 s interval x throttle 10).
            "unacked_restore_interval": max(1, min(10, settings.visibility_timeout // 5)),
            "unacked_restore_throttle": 1,
        },
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        # On a lost broker connection the unacked messages come back anyway (late acks), so
        # stop the tasks in hand rather than let them finish and run a second time.
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "task_queues": [Queue(name) for name in CONSUMED_QUEUES],
        "task_default_queue": "crawl",
        "task_routes": {
            "crawl.tick": {"queue": SCHEDULE_QUEUE},
            **{f"{name}.*": {"queue": name} for name in QUEUES},
        },
        "task_time_limit": 300,
        "task_soft_time_limit": 240,
        "worker_hijack_root_logger": False,
        # Task events cost every task several Redis publishes; Flower switches them on in
        # the workers while it runs (its enable_events broadcast), `celery worker -E` too.
        "worker_send_task_events": False,
        "task_send_sent_event": False,
        "timezone": "UTC",
        "enable_utc": True,
        # Beat has one entry: a tick that re-reads sources.yaml and starts a run of every
        # source that is due (workers.tasks.tick), so added, removed and changed sources
        # apply without a restart. A tick nobody took in time is dropped, not piled up.
        "beat_schedule": {
            "crawl-tick": {
                "task": "crawl.tick",
                "schedule": settings.schedule_tick,
                "options": {"expires": settings.schedule_tick},
            }
        },
    }


# Task modules are named here, not imported: tasks.py imports this module, never the reverse.
app = Celery("workers", include=["workers.tasks"])
app.config_from_object(_celery_config(get_settings()))
# Every worker re-schedules index flushes lost to a Redis or broker drop (workers.sweeper).
app.steps["worker"].add(FlushSweep)


@signals.setup_logging.connect
def _setup_logging(**_: Any) -> None:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)


@signals.task_prerun.connect
def _bind_task(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    bind_task_context(task_id=task_id, task_name=getattr(task, "name", None))


# Where every process records that sources.yaml does not validate (`ingest status` shows
# it), and the text of the last file that did, for a process that starts while it is broken.
CONFIG_ERROR_KEY = "config:sources:error"
LAST_GOOD_KEY = "config:sources:last_good"


class FileWatch:
    """Whether a config file changed since the last look: its mtime and size (a stat call,
    cheap enough to make before every task that reads the config)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | str | None = None

    def changed(self) -> bool:
        try:
            stat = self.path.stat()
            stamp: tuple[int, int] | str = (stat.st_mtime_ns, stat.st_size)
        except OSError as exc:
            stamp = f"unreadable: {exc}"
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        return True


class RulesCatalog:
    """site_rules.yaml, re-read when the file changes (the FileWatch sources.yaml uses), so
    a `reparse` after an edit applies the new rules without restarting any worker.

    A file that does not validate keeps the last good rules in use (logged as
    `site_rules_invalid`); a file that is removed means no site rules.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._watch = FileWatch(path)
        self._rules: SiteRules | None = None
        self.error: str | None = None
        self._lock = threading.Lock()

    def after_fork(self) -> None:
        """In a forked child: a lock of its own (the rules, compiled, are kept)."""
        self._lock = threading.Lock()

    def current(self) -> SiteRules | None:
        with self._lock:
            if self._watch.changed():
                self._reload()
            return self._rules

    def _reload(self) -> None:
        if not self.path.exists():
            self._rules, self.error = None, None
            return
        try:
            rules = load_site_rules(self.path)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            self.error = f"{self.path}: {exc}"
            log.error("site_rules_invalid", path=str(self.path), error=self.error,
                      kept_last_good=self._rules is not None)  # fmt: skip
            return
        if self._rules is not None or self.error is not None:
            log.info("site_rules_loaded", path=str(self.path))
        self._rules, self.error = rules, None


class SourceCatalog:
    """sources.yaml, re-read when the file changes (its mtime or size), so a new, removed
    or changed source needs no restart.

    A file that does not validate leaves the last good sources in use: the error is logged
    (`config_invalid`), kept in `error`, and recorded in Redis for `ingest status`; the
    next valid version clears it. A process that never saw a good file falls back to the
    last good text recorded in Redis; with none, the error is raised.
    """

    def __init__(self, path: Path, client: redis.Redis | None = None) -> None:
        self.path = path
        self.client = client
        self._watch = FileWatch(path)
        self._sources: dict[str, Source] | None = None
        self.error: str | None = None
        self._lock = threading.Lock()

    def all(self) -> dict[str, Source]:
        with self._lock:
            if self._watch.changed():
                self._reload()
            if self._sources is None:
                raise ConfigError(self.error or f"no sources loaded from {self.path}")
            return self._sources

    def get(self, name: str) -> Source:
        sources = self.all()
        if name not in sources:
            known = ", ".join(sorted(sources)) or "none"
            raise ConfigError(f"unknown source {name!r} (configured: {known})")
        return sources[name]

    def _reload(self) -> None:
        try:
            text = read_sources_file(self.path)
            sources = sources_from_text(text, str(self.path))
        except ConfigError as exc:
            self.error = str(exc)
            if self._sources is None:
                self._sources = self._last_good()
            log.error(
                "config_invalid",
                path=str(self.path),
                error=self.error,
                kept_last_good=self._sources is not None,
            )
            self._record(
                CONFIG_ERROR_KEY, {"path": str(self.path), "error": str(exc), "at": time.time()}
            )
            return
        if self.error is not None or self._sources != sources:
            log.info("config_loaded", path=str(self.path), sources=len(sources))
        self._sources, self.error = sources, None
        self._record(LAST_GOOD_KEY, {"path": str(self.path), "text": text}, clear=CONFIG_ERROR_KEY)

    def _last_good(self) -> dict[str, Source] | None:
        """The last valid sources file some process recorded, when it was this one."""
        if self.client is None:
            return None
        try:
            saved = cast(dict[bytes, bytes], self.client.hgetall(LAST_GOOD_KEY))
        except redis.RedisError:
            return None
        if saved.get(b"path", b"").decode() != str(self.path) or b"text" not in saved:
            return None
        try:
            return sources_from_text(saved[b"text"].decode(), f"{self.path} (last good)")
        except ConfigError:
            return None

    def _record(
        self, key: str, fields: Mapping[str, str | float], clear: str | None = None
    ) -> None:
        """Write the config state to Redis; a Redis that does not answer only costs a log."""
        if self.client is None:
            return
        try:
            pipe = self.client.pipeline(transaction=True)
            if clear is not None:
                pipe.delete(clear)
            pipe.delete(key)
            pipe.hset(key, mapping={name: value for name, value in fields.items()})
            pipe.execute()
        except redis.RedisError as exc:
            log.warning("config_state_not_recorded", error=str(exc))


def recorded_config_error(client: redis.Redis) -> str | None:
    """The sources.yaml error some process recorded and no later valid file cleared."""
    raw = cast(bytes | None, client.hget(CONFIG_ERROR_KEY, "error"))
    return raw.decode() if raw else None


@dataclass(frozen=True)
class Resources:
    """Clients and stage objects a worker process builds once and shares across tasks."""

    settings: Settings
    redis: redis.Redis
    store: PageStore
    frontier: Frontier
    runs: Runs
    index: SearchIndex
    index_buffer: IndexBuffer
    crawler: Crawler
    sources: SourceCatalog
    # Site rules, re-read when site_rules.yaml changes: `rules.current()`.
    rules: RulesCatalog
    # The WARC archive (written by the crawl stage, read by parse), or None when it is off.
    archive: WarcArchive | None


_resources: Resources | None = None
_resources_lock = threading.Lock()
# The site rules outlive a fork: compiled once in a prefork worker's parent, not per process.
_rules_catalogs: dict[Path, RulesCatalog] = {}
_rules_catalogs_lock = threading.Lock()  # not _resources_lock: taken while that one is held


def site_rules_catalog(path: Path) -> RulesCatalog:
    """This process's catalog of the site rules at `path` (inherited over a fork)."""
    with _rules_catalogs_lock:
        catalog = _rules_catalogs.get(path)
        if catalog is None:
            catalog = _rules_catalogs[path] = RulesCatalog(path)
        return catalog


def build_resources(settings: Settings) -> Resources:
    client = redis.Redis.from_url(
        settings.redis_url,
        socket_timeout=10,
        socket_connect_timeout=5,
        health_check_interval=30,
        retry_on_timeout=True,
    )
    store = PageStore(client, settings.page_ttl)
    frontier = Frontier(client)
    fetcher = Fetcher(
        settings.user_agent,
        FetchLimits(
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            deadline=settings.fetch_deadline,
            max_body_bytes=settings.max_body_bytes,
            max_redirects=settings.max_redirects,
        ),
    )
    rules = site_rules_catalog(settings.site_rules_path)
    archive = (
        WarcArchive(settings.warc_dir, settings.warc_max_bytes)
        if settings.warc_dir is not None
        else None
    )
    return Resources(
        settings=settings,
        redis=client,
        store=store,
        frontier=frontier,
        runs=Runs(client),
        index=search_index(settings),
        index_buffer=IndexBuffer(client, settings.index_prefix),
        crawler=Crawler(
            fetcher,
            frontier,
            store,
            settings.user_agent,
            archive,
            robots_error_ttl=robots_error_ttl(settings.retry_backoff, settings.retry_backoff_max),
            # A task comes back for its slot after at most retry_backoff_max seconds.
            max_reserve_ahead=min(MAX_RESERVE_AHEAD, settings.retry_backoff_max),
        ),
        sources=SourceCatalog(settings.sources_path, client),
        rules=rules,
        archive=archive,
    )


def resources() -> Resources:
    """This process's resources, built on first use (after fork, never before)."""
    global _resources  # noqa: PLW0603 -- one set of clients per process
    if _resources is None:
        with _resources_lock:
            if _resources is None:
                _resources = build_resources(get_settings())
    return _resources


@signals.worker_process_init.connect
def _reset_after_fork(**_: Any) -> None:
    """A forked pool process must not reuse its parent's sockets."""
    global _resources  # noqa: PLW0603 -- see resources()
    _resources = None
    for catalog in _rules_catalogs.values():  # no lock may stay held by a thread left behind
        catalog.after_fork()


@signals.worker_init.connect
def _load_site_rules(sender: Any = None, **_: Any) -> None:
    """A worker that parses compiles the site rules before its pool forks: each pool
    process starts with them (~0.2 s of CPU saved per process, and on its first page)."""
    consumed = getattr(getattr(sender, "app", app).amqp.queues, "consume_from", None) or {}
    if not consumed or "parse" in consumed:
        site_rules_catalog(get_settings().site_rules_path).current()
