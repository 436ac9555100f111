"""The Redis broker transport, with one failure of kombu's own made survivable.

When Redis goes away under a worker (crash, restart), Celery's consumer closes the broker
connection before reconnecting. kombu's Redis channel drops its connection pool first and
then, to give back the messages it held, asks for a client from that pool; by then the
channel has lost its connection's parameters and this raises AttributeError ("'NoneType'
object has no attribute 'hostname'"). Celery ignores connection errors while closing, not
this one, so the worker's consumer stopped for good ("Unrecoverable error") and the pool
exited: the crawl and index workers never came back after a Redis crash.

The same happens when a task that ran while the connection broke is acknowledged on the
old channel after the reconnect. Here such a channel raises a connection error instead,
which Celery handles as for any broker outage: it logs, reconnects and goes on. Nothing is
lost by the skipped restore or acknowledgement: the messages stay in kombu's unacked set in
Redis and are delivered again once their visibility timeout passes (the periodic restore
every worker runs, see `unacked_restore_interval` in workers.app); tasks are idempotent.

The channel also keeps one Redis client for its commands (publish, acknowledge) where
kombu builds a new client object for every one: on a shared connection pool, the same
connections either way, without ~60 us of CPU per message sent or acknowledged.

Importing this module makes `redis://` and `rediss://` broker URLs use this transport.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
import structlog
from kombu import transport as kombu_transport
from kombu.transport import redis as kombu_redis

log = structlog.get_logger(__name__)


class Channel(kombu_redis.Channel):  # type: ignore[misc]  # kombu ships no type information
    """kombu's Redis channel that, once its connection is torn down, fails like a lost
    connection (which Celery handles: log, reconnect, redeliver) instead of with
    AttributeError (which stops the worker)."""

    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        if self.connection is None or self.connection.client is None:
            log.warning("broker_channel_used_after_close")
            raise redis.exceptions.ConnectionError(
                "broker channel closed with its connection; the broker is reconnected and "
                "held messages come back after the visibility timeout"
            )
        params: dict[str, Any] = super()._connparams(asynchronous=asynchronous)
        return params

    @contextmanager
    def conn_or_acquire(self, client: redis.Redis | None = None) -> Iterator[redis.Redis]:
        """The given client, else this channel's own, built again when the channel's
        connection pool was replaced (after a disconnect)."""
        if client:
            yield client
            return
        pool = self.pool  # a closed channel raises the connection error here
        own: redis.Redis | None = getattr(self, "_own_client", None)
        if own is None or own.connection_pool is not pool:
            own = self._own_client = self._create_client()
        yield own


class Transport(kombu_redis.Transport):  # type: ignore[misc]  # see Channel
    """kombu's Redis transport with the channel above."""

    Channel = Channel


for _scheme in ("redis", "rediss"):
    kombu_transport.TRANSPORT_ALIASES[_scheme] = f"{__name__}:Transport"
