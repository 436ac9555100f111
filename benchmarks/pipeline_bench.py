"""End-to-end throughput: the Celery pipeline against a sequential loop doing the same work.

Both crawl the same local site (N stories listed in its sitemap) into Elasticsearch in the
same run; the baseline fetches, extracts and indexes one page at a time in this process.
Needs the services: run it with the variables scripts/run prints, e.g.

    REDIS_URL=redis://127.0.0.1:6379/0 ELASTICSEARCH_URL=http://127.0.0.1:9200 \\
        .venv/bin/python benchmarks/pipeline_bench.py --stories 300

The politeness delay is 0 here (one local server); real sources are bounded by their delay.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import redis
import yaml

from workers.demosite import NewsSite, serve
from workers.extract import extract
from workers.extract.encoding import decode_html
from workers.index import SearchIndex, article_action, make_client

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def parse_processes() -> int:
    """Parse pool size: INGEST_PARSE_CONCURRENCY (as scripts/run reads it), else the cores."""
    return int(os.environ.get("INGEST_PARSE_CONCURRENCY") or os.cpu_count() or 2)


def _workers(env: dict[str, str], log_dir: Path) -> dict[str, subprocess.Popen[bytes]]:
    pools = {
        "crawl": ["-P", "threads", "-c", "16"],
        "parse": ["-P", "prefork", "-c", str(parse_processes())],
        "index": ["-P", "threads", "-c", "4"],
    }
    processes = {}
    for queue, pool in pools.items():
        log = (log_dir / f"{queue}.log").open("ab")
        processes[queue] = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "workers.app",
                "worker",
                "-Q",
                "crawl,schedule" if queue == "crawl" else queue,
                *pool,
                "-n",
                f"bench-{queue}-{uuid.uuid4().hex[:6]}@%h",
                "-l",
                "WARNING",
                "--without-mingle",
                "--without-gossip",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return processes


def _group_stats(pgid: int) -> tuple[int, float]:
    """Resident bytes and CPU seconds (user + system) so far of the live processes of a
    process group (a worker and its pool children)."""
    rss, ticks = 0, 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:  # fields after the command: state, ppid, pgrp, ...
            rss += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return rss, ticks / os.sysconf("SC_CLK_TCK")


class RssSampler:
    """Peak resident memory per worker pool, sampled twice a second while a run goes on,
    and the CPU seconds each pool spent during it."""

    def __init__(self, pools: dict[str, int]) -> None:
        self.pools = pools
        self.peak = dict.fromkeys(pools, 0)
        self.cpu = dict.fromkeys(pools, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            for name, pgid in self.pools.items():
                self.peak[name] = max(self.peak[name], _group_stats(pgid)[0])

    def __enter__(self) -> RssSampler:
        self.cpu = {name: -_group_stats(pgid)[1] for name, pgid in self.pools.items()}
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        for name, pgid in self.pools.items():
            self.cpu[name] += _group_stats(pgid)[1]


def service_cpu_seconds() -> dict[str, float]:
    """CPU seconds so far of the Redis server (INFO cpu) and the Elasticsearch nodes
    (process stats): they share the machine with the workers."""
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    info = client.info("cpu")
    nodes = make_client(os.environ["ELASTICSEARCH_URL"]).nodes.stats(metric="process")
    return {
        "redis": float(info["used_cpu_sys"]) + float(info["used_cpu_user"]),
        "elasticsearch": sum(
            node["process"]["cpu"]["total_in_millis"] for node in nodes["nodes"].values()
        )
        / 1000,
    }


def _ingest(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "ingest"), *args], env=env, capture_output=True, text=True, check=True
    )


def run_pipeline(site_url: str, stories: int, prefix: str, log_dir: Path) -> dict[str, float]:
    sources = log_dir / "sources.yaml"
    spec = {
        "name": "bench",
        "sitemaps": [f"{site_url}/sitemap.xml"],
        "allowed_domains": ["127.0.0.1"],
        "max_depth": 1,
        "max_pages": stories + 10,
        # Every story of the site, however old its sitemap date (the default max_age of 7
        # days would skip most of a large generated site).
        "max_age": 0,
        "delay": 0,
        "allow_private_networks": True,
    }
    sources.write_text(yaml.safe_dump({"sources": [spec]}))
    env = {
        **os.environ,
        "INGEST_SOURCES": str(sources),
        "INGEST_INDEX_PREFIX": prefix,
        "INGEST_LOG_FORMAT": "json",
    }
    processes = _workers(env, log_dir)
    try:
        deadline = time.monotonic() + 60
        while subprocess.run(
            [str(BIN / "ingest"), "status"], env=env, capture_output=True, check=False
        ).returncode:
            if time.monotonic() > deadline:
                raise SystemExit(f"workers did not start; logs in {log_dir}")
            time.sleep(1)
        # The indices exist before the clock starts, as in a running deployment: creating
        # them is a one-off cost, not a per-page one.
        SearchIndex(
            make_client(os.environ["ELASTICSEARCH_URL"]), prefix, REPO / "config" / "elasticsearch"
        ).ensure()
        services = service_cpu_seconds()
        with RssSampler({queue: process.pid for queue, process in processes.items()}) as rss:
            summary = json.loads(
                _ingest(env, "crawl", "bench", "--wait", "--timeout", "900").stdout
            )
        services = {name: spent - services[name] for name, spent in service_cpu_seconds().items()}
    finally:
        for process in processes.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            process.wait(timeout=30)
    return {
        "pages": float(summary["pages_fetched"]),
        "articles": float(summary["articles_indexed"]),
        "seconds": float(summary["seconds"]),
        **{f"rss_{queue}_mb": peak / 2**20 for queue, peak in rss.peak.items()},
        **{f"cpu_{queue}_s": seconds for queue, seconds in rss.cpu.items()},
        **{f"cpu_{name}_s": seconds for name, seconds in services.items()},
    }


def run_baseline(site_url: str, site: NewsSite, prefix: str) -> dict[str, float]:
    index = SearchIndex(
        make_client(os.environ["ELASTICSEARCH_URL"]), prefix, REPO / "config" / "elasticsearch"
    )
    index.ensure()
    started = time.monotonic()
    articles = 0
    with httpx.Client(timeout=15) as client:
        client.get(f"{site_url}/sitemap.xml")
        for story in site.stories():
            response = client.get(site_url + story.path)
            html = decode_html(response.content, response.headers.get("content-type"))
            page = extract(html, site_url + story.path)
            if page.article is not None:
                index.bulk([article_action(page.article, "bench", None)])
                articles += 1
    return {
        "pages": float(len(site.stories()) + 1),
        "articles": float(articles),
        "seconds": time.monotonic() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=300)
    args = parser.parse_args()
    for name in ("REDIS_URL", "ELASTICSEARCH_URL"):
        if name not in os.environ:
            raise SystemExit(f"{name} is not set; see the module docstring")
    site = NewsSite(stories=args.stories)
    server = serve(site)
    site_url = f"http://127.0.0.1:{server.server_address[1]}"
    tag = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory() as tmp:
        baseline = run_baseline(site_url, site, f"bench-base-{tag}")
        pipeline = run_pipeline(site_url, args.stories, f"bench-pipe-{tag}", Path(tmp))
    server.shutdown()
    print(f"{'':<22}{'pages':>8}{'articles':>10}{'seconds':>10}{'pages/s':>10}")
    for name, row in (("sequential baseline", baseline), ("celery pipeline", pipeline)):
        rate = row["pages"] / row["seconds"]
        print(
            f"{name:<22}{row['pages']:>8.0f}{row['articles']:>10.0f}"
            f"{row['seconds']:>10.2f}{rate:>10.1f}"
        )
    ratio = (pipeline["pages"] / pipeline["seconds"]) / (baseline["pages"] / baseline["seconds"])
    print(f"pipeline / baseline throughput: {ratio:.2f}x on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
