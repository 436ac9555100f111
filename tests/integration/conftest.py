"""Integration fixtures: the real redis-server and Elasticsearch that scripts/test starts,
real Celery worker processes for the three queues, and local news sites over HTTP."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
import yaml
from elasticsearch import Elasticsearch, NotFoundError

from workers.demosite import NewsSite, serve

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.integration


def _require(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"{name} is not set: integration tests run against the real redis-server and "
            "Elasticsearch that scripts/test starts (or deselect them with -m 'not integration')",
            pytrace=False,
        )
    return value


class TcpProxy:
    """A TCP relay in front of a real server, which a test can cut to play an outage."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.close()

    def cut(self) -> None:
        """Refuse new connections and drop the open ones."""
        self.open = False
        with self._lock:
            for sock in self._conns:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._conns.clear()

    def restore(self) -> None:
        self.open = True


@dataclass
class Stack:
    """The running system as a test sees it: CLI, clients, sources file, worker processes."""

    env: dict[str, str]
    sources_path: Path
    prefix: str
    redis: redis.Redis
    es: Elasticsearch
    es_proxy: TcpProxy
    log_dir: Path
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)

    # sources ----------------------------------------------------------------------------

    def add_source(self, name: str, site_url: str, **options: Any) -> str:
        """Register a source (rewrites the sources file the workers re-read); returns its name.

        The name gets a random suffix: Redis outlives a session when tests run against a
        developer's long-running services, and a source's state must start empty.
        """
        name = f"{name}-{uuid.uuid4().hex[:6]}"
        spec = {
            "name": name,
            "start_urls": [site_url + "/"],
            "allowed_domains": ["127.0.0.1"],
            "max_depth": 1,
            "interval": 3600,
            "delay": 0.0,
            "allow_private_networks": True,
            **options,
        }
        self.sources[name] = spec
        self.sources_path.write_text(yaml.safe_dump({"sources": list(self.sources.values())}))
        # Workers reload the file when its mtime changes: make sure every write changes it.
        stamp = time.time() + len(self.sources)
        os.utime(self.sources_path, (stamp, stamp))
        return name

    # CLI --------------------------------------------------------------------------------

    def ingest(
        self, *args: str, check: bool = True, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(BIN / "ingest"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"ingest {' '.join(args)} exited {result.returncode}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}\n{self.worker_logs()}"
            )
        return result

    def crawl(self, source: str, timeout: float = 120) -> dict[str, Any]:
        result = self.ingest("crawl", source, "--wait", "--timeout", str(timeout))
        summary: dict[str, Any] = json.loads(result.stdout)
        return summary

    def wait_for_run(
        self, run_id: str, timeout: float = 120, *, settled: bool = False
    ) -> dict[str, Any]:
        """Poll `ingest run RUN_ID` until the run is done (with `settled`: or incomplete);
        its summary."""
        deadline = time.monotonic() + timeout
        summary: dict[str, Any] = {}
        while time.monotonic() < deadline:
            summary = json.loads(self.ingest("run", run_id).stdout)
            if summary["done"] or (settled and summary["state"] == "incomplete"):
                return summary
            time.sleep(1)
        # What is still open comes first: the logs below are long and may be cut.
        still_open = sorted(m.decode() for m in self.redis.zrange(f"run:{run_id}:open", 0, -1))
        raise AssertionError(
            f"run {run_id} did not finish: {json.dumps(summary)}\n"
            f"open tasks: {still_open}\n{self.worker_logs()}"
        )

    def reparse(self, source: str, timeout: float = 120) -> dict[str, Any]:
        """`ingest reparse --source SOURCE --wait`: the run's figures."""
        result = self.ingest("reparse", "--source", source, "--wait", "--timeout", str(timeout))
        summary: dict[str, Any] = json.loads(result.stdout)
        return summary

    def search(self, query: str, *extra: str) -> list[dict[str, Any]]:
        result = self.ingest("search", query, "--json", *extra)
        hits: list[dict[str, Any]] = json.loads(result.stdout)
        return hits

    def count(self, kind: str) -> int:
        alias = f"{self.prefix}-{kind}"
        self.es.indices.refresh(index=alias)
        return int(self.es.count(index=alias)["count"])

    def indexed_urls(self, kind: str, source: str) -> set[str]:
        """URLs of one source's documents (one query, where a CLI search per URL is slow)."""
        alias = f"{self.prefix}-{kind}"
        try:
            self.es.indices.refresh(index=alias)
            found = self.es.search(
                index=alias, query={"term": {"source": source}}, size=1000, source=["url"]
            )
        except NotFoundError:  # nothing indexed yet in this session
            return set()
        return {hit["_source"]["url"] for hit in found["hits"]["hits"]}

    def count_source(self, kind: str, source: str) -> int:
        alias = f"{self.prefix}-{kind}"
        self.es.indices.refresh(index=alias)
        return int(self.es.count(index=alias, query={"term": {"source": source}})["count"])

    # workers ----------------------------------------------------------------------------

    def start_worker(self, queue: str) -> subprocess.Popen[bytes]:
        pool = {"crawl": ["-P", "threads", "-c", "8"], "parse": ["-P", "prefork", "-c", "2"]}
        args = pool.get(queue, ["-P", "threads", "-c", "2"])
        log = (self.log_dir / f"worker-{queue}.log").open("ab")
        process = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "workers.app",
                "worker",
                "-Q",
                "crawl,schedule" if queue == "crawl" else queue,
                *args,
                "-n",
                f"{queue}-{uuid.uuid4().hex[:6]}@%h",
                "--without-mingle",
                "--without-gossip",
                "-l",
                "INFO",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            start_new_session=True,
        )
        self.workers[queue] = process
        return process

    def kill_worker(self, queue: str) -> None:
        """SIGKILL a worker and all its pool processes: nothing gets to clean up."""
        process = self.workers.pop(queue)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def wait_until_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = self.ingest("status", "--json", check=False, timeout=60)
            if result.returncode == 0:
                return
            time.sleep(1)
        raise AssertionError(f"workers did not come up\n{self.worker_logs()}")

    def stop_workers(self) -> None:
        for process in self.workers.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in self.workers.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.workers.clear()

    def worker_logs(self, lines: int = 40) -> str:
        out = []
        for path in sorted(self.log_dir.glob("worker-*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name} ---\n" + "\n".join(tail))
        return "\n".join(out)

    def log_events(self, event: str) -> list[dict[str, Any]]:
        """Every JSON log line with this event name, from all worker logs."""
        found = []
        for path in self.log_dir.glob("worker-*.log"):
            for line in path.read_text(errors="replace").splitlines():
                if f'"{event}"' not in line:
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if record.get("event") == event:
                    found.append(record)
        return found


@contextlib.contextmanager
def running_stack(base: Path, redis_url: str, es_url: str) -> Iterator[Stack]:
    """Worker processes for crawl, parse and index on the given Redis and Elasticsearch, with
    their own index prefix and sources file under `base`; stopped on exit."""
    client = redis.Redis.from_url(redis_url)
    client.ping()
    es = Elasticsearch(es_url, request_timeout=30)
    es.cluster.health(wait_for_status="yellow", timeout="30s")
    parts = urlsplit(es_url)
    proxy = TcpProxy((parts.hostname or "127.0.0.1", parts.port or 9200))
    prefix = f"{os.environ.get('INGEST_INDEX_PREFIX', 'test')}-{uuid.uuid4().hex[:8]}"
    sources_path = base / "sources.yaml"
    sources_path.write_text("sources: []\n")
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REDIS_URL": redis_url,
        "ELASTICSEARCH_URL": f"http://127.0.0.1:{proxy.port}",
        "INGEST_SOURCES": str(sources_path),
        "INGEST_INDEX_PREFIX": prefix,
        "INGEST_LOG_FORMAT": "json",
        "INGEST_READ_TIMEOUT": "2",
        "INGEST_FETCH_DEADLINE": "5",
        "INGEST_MAX_BODY_BYTES": str(2 * 1024 * 1024),
        "INGEST_VISIBILITY_TIMEOUT": "20",
        # Fast retries so failure paths finish within a test; the policy is the same.
        "INGEST_RETRY_MAX_ATTEMPTS": "4",
        "INGEST_RETRY_BACKOFF": "0.3",
        "INGEST_RETRY_BACKOFF_MAX": "3",
        "ELASTICSEARCH_TIMEOUT": "5",
        "INGEST_WARC_DIR": str(base / "warc"),
        # Absent until a test writes it (and removes it after): no site rules.
        "INGEST_SITE_RULES": str(base / "site_rules.yaml"),
    }
    running = Stack(env, sources_path, prefix, client, es, proxy, base)
    for queue in ("crawl", "parse", "index"):
        running.start_worker(queue)
    try:
        running.wait_until_ready()
        yield running
    finally:
        running.stop_workers()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Worker processes for crawl, parse and index on the real broker, for the session."""
    redis_url = _require("REDIS_URL")
    es_url = _require("ELASTICSEARCH_URL")
    with running_stack(tmp_path_factory.mktemp("stack"), redis_url, es_url) as running:
        yield running


# Ports a site of this session has served on. The frontier keys its state by URL, so a site
# on a port an earlier test's site used would find its pages "recently fetched".
_USED_PORTS: set[int] = set()


def serve_fresh(site: NewsSite) -> ThreadingHTTPServer:
    """`serve(site)` on a port no earlier site of this session served on."""
    rejected = []
    try:
        for _ in range(50):
            server = serve(site)
            port = int(server.server_address[1])
            if port not in _USED_PORTS:
                _USED_PORTS.add(port)
                return server
            rejected.append(server)
        raise AssertionError("no fresh port for a test site")
    finally:
        for old in rejected:
            old.shutdown()
            old.server_close()


@pytest.fixture
def news_site() -> Iterator[tuple[NewsSite, str]]:
    """A five-story news site on a fresh local port: (site, base URL)."""
    site = NewsSite(stories=5)
    server = serve_fresh(site)
    try:
        yield site, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
