"""Redis killed with SIGKILL mid-run and restarted on its data directory: nothing is lost.

The session's Redis is shared by every other test, so this module runs its own durable
redis-server (append-only file, fsync every second, as scripts/run and compose run it) and
its own worker processes on it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from workers.demosite import NewsSite

from .conftest import Stack, _require, running_stack, serve_fresh

pytestmark = pytest.mark.integration

STORIES = 12


@dataclass
class DurableRedis:
    """A redis-server of our own that a test may kill and start again on the same files."""

    port: int
    data_dir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.data_dir), "--appendonly", "yes", "--appendfsync", "everysec",
             "--save", "", "--logfile", str(self.data_dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                # Loading the AOF answers LOADING errors until it is done.
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise AssertionError(f"redis-server did not come back: {self.data_dir / 'redis.log'}")

    def kill(self) -> None:
        """SIGKILL: no shutdown save, no fsync beyond what the AOF policy already did."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_record(stack: Stack, run_id: str) -> dict[str, object] | None:
    """The run's summary, or None when its record was among the writes the crash lost."""
    result = stack.ingest("run", run_id, check=False)
    if result.returncode != 0:
        return None
    record: dict[str, object] = json.loads(result.stdout)
    return record


@pytest.fixture(scope="module")
def crash_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, DurableRedis]]:
    es_url = _require("ELASTICSEARCH_URL")
    server = DurableRedis(_free_port(), tmp_path_factory.mktemp("redis-crash"))
    server.start()
    try:
        with running_stack(tmp_path_factory.mktemp("crash-stack"), server.url, es_url) as stack:
            yield stack, server
    finally:
        server.stop()


def test_redis_killed_mid_run_loses_no_article(crash_stack: tuple[Stack, DurableRedis]) -> None:
    """SIGKILL of redis-server while a crawl is in flight, restart on its AOF: the workers
    reconnect on their own, the interrupted run is never reported complete when it is not,
    and re-running the crawl makes every article searchable."""
    stack, server = crash_stack
    site = NewsSite(stories=STORIES)
    http = serve_fresh(site)
    base = f"http://127.0.0.1:{http.server_address[1]}"
    try:
        # Spaced requests, so the crash lands with most of the run still to do.
        source = stack.add_source("crash", base, delay=0.4)
        run = json.loads(stack.ingest("crawl", source).stdout)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(site.hits) < 5:
            time.sleep(0.05)
        assert len(site.hits) >= 5, stack.worker_logs()

        server.kill()
        time.sleep(1.0)
        server.start()

        expected = {base + story.path for story in site.stories()}
        for _ in range(3):
            summary = stack.crawl(source, timeout=120)
            if stack.indexed_urls("articles", source) >= expected:
                break
        assert stack.indexed_urls("articles", source) >= expected, (summary, stack.worker_logs())
        assert summary["state"] == "done", summary

        # The interrupted run (its record is seconds older than the fsync window) spans the
        # crash: never `done` unless it really got everything, and status says so.
        first = _run_record(stack, run["run_id"])
        assert first is not None
        assert first["state"] == "incomplete" or first["articles_indexed"] == STORIES, first
        if first["state"] == "incomplete":
            assert first["incomplete_reason"] == "redis_restarted", first
        # Every worker came back on its own and answers on the restarted broker.
        status = stack.ingest("status", "--json", check=False)
        assert status.returncode == 0, status.stdout + status.stderr
        shown = {r["run_id"]: r["state"] for r in json.loads(status.stdout)["runs"]}
        assert shown[run["run_id"]] == first["state"]
        assert all(process.poll() is None for process in stack.workers.values())
    finally:
        http.shutdown()
        http.server_close()


def test_durable_redis_fixture_really_persists(crash_stack: tuple[Stack, DurableRedis]) -> None:
    """The crash test means something only if a write a second old survives a SIGKILL."""
    _stack, server = crash_stack
    client = redis.Redis.from_url(server.url)
    key = f"crash-probe-{os.getpid()}"
    client.set(key, "kept")
    time.sleep(1.5)  # past the AOF's fsync-every-second window
    server.kill()
    server.start()
    assert client.get(key) == b"kept"
