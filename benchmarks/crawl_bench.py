"""Crawl benchmark: the pipeline against its parse limit and against Scrapy, in one run.

A local site serves N generated article pages (default 2,000) dressed like real news pages
(mega-menu, inline CSS and scripts, trending and related blocks, consent banner, a long
footer; ~45 KB each), listed in one sitemap. The run prints:

- pipeline pages/s: `ingest crawl --wait` through the three worker pools of
  pipeline_bench.py (crawl threads, parse prefork with one process per core, index
  threads), with the WARC archive on, as scripts/run has it;
- the parse limit: single-process `parse_stored_page` pages/s on the same bodies
  (decode, extract, index actions) times the parse workers, and pipeline / limit;
- Scrapy: a SitemapSpider that extracts with trafilatura and indexes with
  `elasticsearch.helpers.bulk` (batches of 50), run as one process per core, each taking
  every n-th sitemap entry; pages/s from the first process's start to the last one's end;
  and pipeline / Scrapy;
- Redis bytes per page: the hot copies (gone after INGEST_PAGE_TTL), what stays (URL
  state, run bookkeeping), and the used_memory growth during the run;
- peak RSS and CPU seconds per page of each worker pool, and of the Redis and
  Elasticsearch servers during the pipeline run.

Needs a Redis and an Elasticsearch of its own (its workers consume the crawl, parse and
index queues): `scripts/bench` starts throwaway ones, runs it, and stops them:

    .venv/bin/pip install -e '.[bench]'
    scripts/bench benchmarks/crawl_bench.py [--stories 2000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import redis
from elasticsearch import Elasticsearch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_bench import run_pipeline, service_cpu_seconds

from workers.demosite import NAV_SECTIONS, NewsSite, Story, serve
from workers.parse import parse_stored_page
from workers.store import StoredPage, content_key

SCRAPY_BATCH = 50
WARMUP_STORIES = 100  # the untimed first crawl of each, on a small site of its own
SCRAPY_CONCURRENCY = 16  # as many requests in flight as the pipeline's crawl threads


class BenchSite(NewsSite):
    """NewsSite with stories computed once and heavy, varied page chrome around them."""

    def __init__(self, stories: int) -> None:
        super().__init__(stories=stories, name="The Bench Courier")
        self._all = super().stories()
        self._rendered: dict[tuple[int, str], str] = {}
        rng = random.Random(7)
        self._css = "".join(
            f".c{n}{{margin:{rng.randint(0, 24)}px;padding:{rng.randint(0, 16)}px;"
            f"color:#{rng.randint(0, 0xFFFFFF):06x};font-size:{rng.randint(10, 22)}px}}"
            for n in range(160)
        )
        config = {f"slot_{n}": {"id": uuid.UUID(int=rng.getrandbits(128)).hex} for n in range(80)}
        self._script = (
            "window.__ads="
            + json.dumps(config)
            + ";"
            + "".join(
                f"function t{n}(e){{return e&&e.dataset&&e.dataset.k{n}||null}}" for n in range(60)
            )
        )

    def stories(self) -> list[Story]:
        return self._all

    def story(self, number: int) -> Story | None:
        if 1 <= number <= len(self._all):
            return self._all[len(self._all) - number]
        return None

    def article(self, story: Story, base: str) -> str:
        key = (story.number, base)
        if key not in self._rendered:
            self._rendered[key] = super().article(story, base)
        return self._rendered[key]

    def _layout(self, title: str, content: str, head: str = "") -> str:
        rng = random.Random(title)
        menu = "".join(
            f'<li class="menu"><a href="/section/{name.lower()}">{name}</a><ul>'
            + "".join(
                f'<li><a href="/section/{name.lower()}/topic-{n}">Topic {n}</a></li>'
                for n in range(12)
            )
            + "</ul></li>"
            for name in NAV_SECTIONS
        )
        picks = rng.sample(self._all, min(14, len(self._all)))
        trending = "".join(
            f'<li><a href="{s.path}"><span class="rank">{n + 1}</span>{s.headline}</a></li>'
            for n, s in enumerate(picks[:8])
        )
        footer = "".join(
            f'<li><a href="/info/page-{n}">Company page {n}</a></li>' for n in range(60)
        )
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">{head}
<style>{self._css}</style><script>{self._script}</script></head>
<body><div class="consent" role="dialog"><p>We use cookies to improve your experience and
to show you personalised advertising. Manage your choices at any time.</p>
<button>Accept all</button><button>Settings</button></div>
<header><a class="logo" href="/">{self.name}</a><nav><ul>{menu}</ul></nav>
<form action="/search"><input name="q" placeholder="Search"></form></header>
<div class="ad-slot" data-slot="top"></div>
{content}
<aside class="trending"><h2>Trending</h2><ol>{trending}</ol></aside>
<section class="newsletter"><h2>Get the morning briefing</h2><p>The stories that
matter, in your inbox before breakfast.</p><input type="email"><button>Sign up</button>
</section>
<footer><ul>{footer}</ul><p>© {self.name}. Invented stories for benchmarking.</p></footer>
<script>{self._script[:3000]}</script></body></html>"""


def parse_limit(site: BenchSite, base: str) -> tuple[float, int]:
    """Single-process parse-stage pages/s over every article body, and the mean body size."""
    pages = []
    for story in site.stories():
        body = site.article(story, base).encode()
        pages.append(StoredPage(content_key(body), base + story.path, "text/html", body))
    for page in pages[:20]:  # warm caches and imports
        parse_stored_page(page, "bench")
    started = time.process_time()
    for page in pages:
        parse_stored_page(page, "bench")
    seconds = time.process_time() - started
    return len(pages) / seconds, sum(len(p.body) for p in pages) // len(pages)


def redis_bytes(client: redis.Redis) -> dict[str, int]:
    """MEMORY USAGE of every key, summed by key kind (the text before the first colon)."""
    sizes: dict[str, int] = {}
    for key in client.scan_iter(count=1000):
        kind = key.split(b":", 1)[0].decode(errors="replace")
        sizes[kind] = sizes.get(kind, 0) + int(client.memory_usage(key, samples=0) or 0)
    return sizes


def run_scrapy(site_url: str, processes: int, index: str, tmp: Path) -> dict[str, float]:
    """Scrapy + trafilatura + helpers.bulk as `processes` processes splitting the sitemap."""
    children = []
    for k in range(processes):
        out = tmp / f"scrapy-{k}.json"
        command = [sys.executable, __file__, "--scrapy-child", str(k), str(processes)]
        log = (tmp / f"scrapy-{k}.log").open("wb")
        child = subprocess.Popen(
            [*command, site_url, index, str(out)], stdout=log, stderr=subprocess.STDOUT
        )
        children.append((out, child))
    for _, child in children:
        if child.wait(timeout=1800) != 0:
            raise SystemExit(f"a Scrapy process failed; see {tmp}")
    reports = [json.loads(out.read_text()) for out, _ in children]
    started = min(r["start"] for r in reports)
    ended = max(r["end"] for r in reports)
    return {
        "pages": float(sum(r["pages"] for r in reports)),
        "articles": float(sum(r["articles"] for r in reports)),
        "seconds": ended - started,
        "cpu_s": sum(r["cpu"] for r in reports),
        "rss_mb": sum(r["rss_mb"] for r in reports),
    }


def scrapy_child(k: int, n: int, site_url: str, index: str, out: str) -> None:
    """One Scrapy process: every n-th sitemap entry from the k-th, extracted and bulk-indexed."""
    import resource  # noqa: PLC0415 -- only the child process needs these

    import trafilatura  # noqa: PLC0415
    from elasticsearch import helpers  # noqa: PLC0415
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415
    from scrapy.spiders import SitemapSpider  # noqa: PLC0415

    es = Elasticsearch(os.environ["ELASTICSEARCH_URL"], request_timeout=60)
    counts = {"pages": 1, "articles": 0}  # the sitemap is a page too
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        if batch:
            helpers.bulk(es, batch)
            batch.clear()

    class BenchSpider(SitemapSpider):  # type: ignore[misc]
        name = "bench"
        sitemap_urls = [f"{site_url}/sitemap.xml"]  # noqa: RUF012 -- Scrapy's own API

        def sitemap_filter(self, entries: Any) -> Any:
            for position, entry in enumerate(entries):
                if position % n == k:
                    yield entry

        def parse(self, response: Any) -> None:
            counts["pages"] += 1
            doc = trafilatura.bare_extraction(response.text, url=response.url, with_metadata=True)
            if doc is None or not doc.text:
                return
            counts["articles"] += 1
            source = {
                "url": response.url,
                "title": doc.title,
                "author": doc.author,
                "date": doc.date,
                "description": doc.description,
                "body": doc.text,
            }
            doc_id = hashlib.sha256(response.url.encode()).hexdigest()
            batch.append({"_index": index, "_id": doc_id, "_source": source})
            if len(batch) >= SCRAPY_BATCH:
                flush()

        def closed(self, reason: str) -> None:
            flush()

    process = CrawlerProcess(
        settings={
            "LOG_LEVEL": "WARNING",
            "ROBOTSTXT_OBEY": True,
            "CONCURRENT_REQUESTS": SCRAPY_CONCURRENCY,
            "CONCURRENT_REQUESTS_PER_DOMAIN": SCRAPY_CONCURRENCY,
            "DOWNLOAD_DELAY": 0,
            "TELNETCONSOLE_ENABLED": False,
            "USER_AGENT": "bench-scrapy",
        }
    )
    process.crawl(BenchSpider)
    start = time.time()
    cpu = time.process_time()
    process.start()
    end = time.time()
    report = {
        **counts,
        "start": start,
        "end": end,
        "cpu": time.process_time() - cpu,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    Path(out).write_text(json.dumps(report))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--scrapy-child":
        k, n, site_url, index, out = sys.argv[2:7]
        scrapy_child(int(k), int(n), site_url, index, out)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=2000)
    args = parser.parse_args()
    for name in ("REDIS_URL", "ELASTICSEARCH_URL"):
        if name not in os.environ:
            raise SystemExit(f"{name} is not set; see the module docstring")
    cores = os.cpu_count() or 2
    warm_site = BenchSite(WARMUP_STORIES)
    warm_server = serve(warm_site)
    site = BenchSite(args.stories)
    server = serve(site)
    site_url = f"http://127.0.0.1:{server.server_address[1]}"
    httpx.get(f"{site_url}/sitemap.xml", timeout=60)  # render once before anyone times it
    for story in site.stories():
        site.article(story, site_url)
    tag = uuid.uuid4().hex[:8]
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    es = Elasticsearch(os.environ["ELASTICSEARCH_URL"], request_timeout=60)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        limit_single, page_bytes = parse_limit(site, site_url)
        os.environ["INGEST_WARC_DIR"] = str(tmp / "warc-warmup")
        # Untimed: both crawl a small site of their own first, so neither is charged with
        # the Elasticsearch server's warm-up (JIT, first mappings) and the order is fair.
        warm_url = f"http://127.0.0.1:{warm_server.server_address[1]}"
        (tmp / "warm").mkdir()
        run_pipeline(warm_url, WARMUP_STORIES, f"bench-warm-pipe-{tag}", tmp / "warm")
        run_scrapy(warm_url, cores, f"bench-warm-scrapy-{tag}", tmp)
        warm_server.shutdown()
        memory_before = int(client.info("memory")["used_memory"])
        before = redis_bytes(client)
        os.environ["INGEST_WARC_DIR"] = str(tmp / "warc")
        pipeline = run_pipeline(site_url, args.stories, f"bench-pipe-{tag}", tmp)
        memory_after = int(client.info("memory")["used_memory"])
        by_kind = {kind: size - before.get(kind, 0) for kind, size in redis_bytes(client).items()}
        warc_bytes = sum(path.stat().st_size for path in (tmp / "warc").glob("*.warc.gz"))
        services = service_cpu_seconds()
        scrapy = run_scrapy(site_url, cores, f"bench-scrapy-{tag}", tmp)
        scrapy["cpu_elasticsearch_s"] = (
            service_cpu_seconds()["elasticsearch"] - services["elasticsearch"]
        )
    server.shutdown()
    for name in es.indices.get(index=f"bench-*-{tag}*", expand_wildcards="all"):
        es.indices.delete(index=name)

    pages = pipeline["pages"]
    pipeline_rate = pages / pipeline["seconds"]
    scrapy_rate = scrapy["pages"] / scrapy["seconds"]
    limit = limit_single * cores
    hot = by_kind.get("page", 0)
    kept = sum(size for kind, size in by_kind.items() if kind != "page")
    print(f"site: {args.stories} articles + sitemap, {page_bytes / 1024:.1f} KB per article page")
    print(f"{'':<34}{'pages':>7}{'articles':>10}{'seconds':>9}{'pages/s':>9}")
    for name, row in (("pipeline (celery, 3 pools)", pipeline), ("scrapy + trafilatura", scrapy)):
        print(
            f"{name:<34}{row['pages']:>7.0f}{row['articles']:>10.0f}"
            f"{row['seconds']:>9.1f}{row['pages'] / row['seconds']:>9.1f}"
        )
    print(f"parse limit: {limit_single:.1f} pages/s x {cores} parse workers = {limit:.1f} pages/s")
    print(f"pipeline / parse limit: {pipeline_rate / limit:.2f} (target >= 0.8)")
    print(
        f"pipeline / scrapy ({cores} processes): {pipeline_rate / scrapy_rate:.2f} (target >= 1.0)"
    )
    print(
        f"redis bytes per page: hot copy {hot / pages / 1024:.1f} KB (for INGEST_PAGE_TTL), "
        f"kept {kept / pages:.0f} B, used_memory growth "
        f"{(memory_after - memory_before) / pages / 1024:.1f} KB"
    )
    print(f"warc archive: {warc_bytes / pages / 1024:.1f} KB per page")
    for queue in ("crawl", "parse", "index"):
        print(
            f"worker {queue:<6} peak RSS {pipeline[f'rss_{queue}_mb']:7.1f} MB, "
            f"CPU {pipeline[f'cpu_{queue}_s'] / pages * 1000:6.2f} ms per page"
        )
    for service in ("redis", "elasticsearch"):
        print(
            f"{service} server CPU {pipeline[f'cpu_{service}_s'] / pages * 1000:6.2f} ms per "
            "pipeline page (it shares the cores with the workers)"
        )
    print(
        f"scrapy ({cores} processes) peak RSS {scrapy['rss_mb']:7.1f} MB, "
        f"CPU {scrapy['cpu_s'] / scrapy['pages'] * 1000:6.2f} ms per page, "
        f"elasticsearch server {scrapy['cpu_elasticsearch_s'] / scrapy['pages'] * 1000:.2f} ms "
        "per page"
    )


if __name__ == "__main__":
    main()
