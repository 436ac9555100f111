"""The flush sweeper: a thread in every worker's main process that re-schedules lost flushes.

The index stage schedules a flush when a page arrives and a flusher retries itself while
Elasticsearch is away; both go through the broker. When Redis drops every client at that
moment (a restart, a failover, `CLIENT KILL`), the scheduling message can be lost while the
pages stay safe in the buffer, and no later page may come to schedule another flush. Every
SWEEP_INTERVAL seconds the sweeper looks (two Redis reads) and, when pages wait with no flush
scheduled, schedules one. Several workers sweeping at once schedule one flush between them
(the schedule marker is taken with SET NX).
"""

from __future__ import annotations

import threading
from typing import Any

import redis
import structlog
from celery import bootsteps
from kombu.exceptions import OperationalError

from workers.errors import StorageError
from workers.indexbuffer import FLUSH_DELAY, IndexBuffer
from workers.settings import get_settings

log = structlog.get_logger(__name__)

# Seconds between two looks at the buffer. A lost flush is found within the schedule
# marker's lifetime (a few seconds) plus this.
SWEEP_INTERVAL = 2.0


def sweep_once(buffer: IndexBuffer, schedule: Any) -> bool:
    """Schedule a flush when pages wait without one; True when one was scheduled."""
    if buffer.unscheduled() and buffer.claim_schedule():
        schedule()
        log.warning("index_flush_rescheduled", reason="pages waiting with no flush scheduled")
        return True
    return False


class FlushSweep(bootsteps.StartStopStep):  # type: ignore[misc]  # Celery ships no types
    """Worker bootstep running the sweeper thread beside the consumer."""

    requires = ("celery.worker.components:Pool",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, worker: Any) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(worker.app,), name="flush-sweeper", daemon=True
        )
        self._thread.start()

    def stop(self, worker: Any) -> None:
        self._stop.set()

    def _run(self, app: Any) -> None:
        settings = get_settings()
        client = redis.Redis.from_url(
            settings.redis_url, socket_timeout=5, socket_connect_timeout=5
        )
        buffer = IndexBuffer(client, settings.index_prefix)

        def schedule() -> None:
            # No publish retries: a broker that is away now is tried again next sweep.
            app.send_task("index.flush", countdown=FLUSH_DELAY, retry=False)

        while not self._stop.wait(SWEEP_INTERVAL):
            try:
                sweep_once(buffer, schedule)
            except (StorageError, redis.RedisError, OperationalError, OSError) as exc:
                log.info("index_sweep_skipped", error=str(exc), error_type=type(exc).__name__)
            except Exception as exc:  # noqa: BLE001 -- the sweeper must outlive any surprise
                log.warning("index_sweep_failed", error=str(exc), error_type=type(exc).__name__)
