"""Hostile input, as a table: each row is a case, its typed outcome, and good pages still index.

Two tables. The pipeline table crawls one local site whose home page links to every hostile
route beside five good stories, through the real workers, then checks each row. The network
table drives the crawl stage with a resolver and a connector the test controls, for targets
a test must never contact (private and public addresses): they are refused before any
lookup or connection, so only loopback is ever dialled.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis

from workers.crawl import Crawler
from workers.demosite import NewsSite
from workers.errors import IngestError, PageRejected
from workers.fetch import Fetcher, FetchLimits
from workers.frontier import Frontier
from workers.models import Source
from workers.store import PageStore

from .conftest import Stack, _require, serve_fresh
from .http_routes import LoopbackOnly, Route, reply

pytestmark = pytest.mark.integration

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
MIB = 1024 * 1024


class _Canary(ThreadingHTTPServer):
    """A loopback server that must never be asked anything (robots.txt included)."""

    daemon_threads = True

    def __init__(self, host: str) -> None:
        self.requests: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.requests.append(self.path)
                reply(200, b"<p>canary</p>")(self)

            def log_message(self, *args: object) -> None:
                return

        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        port: int = self.server_address[1]
        return port


def _stream(total: int, declared: bool) -> Route:
    """A body of `total` bytes sent in chunks (declared up front, or not)."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        if declared:
            request.send_header("Content-Length", str(total))
        request.end_headers()
        chunk = b"<p>" + b"x" * 65_530 + b"</p>\n"
        with contextlib.suppress(OSError):
            for _ in range(total // len(chunk)):
                request.wfile.write(chunk)

    return handler


def _trickle(part: str) -> Route:
    """Headers (or the body) one byte every 0.5 s, each byte within the read timeout."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
        with contextlib.suppress(OSError):
            if part == "body":
                request.wfile.write(head + b"\r\n")
                request.wfile.flush()
                head = b"<p>" + b"." * 200
            for byte in head + b"X-Pad: " + b"x" * 200:
                request.wfile.write(bytes([byte]))
                request.wfile.flush()
                time.sleep(0.5)

    return handler


def _trap(request: BaseHTTPRequestHandler) -> None:
    """/trap/N links to /trap/N+1, forever."""
    step = int(request.path.rsplit("/", 1)[1])
    reply(200, f'<html><body><a href="/trap/{step + 1}">next</a></body></html>'.encode())(request)


def _slow(request: BaseHTTPRequestHandler) -> None:
    time.sleep(3)  # beyond the workers' 2 s read timeout
    reply(200, b"<p>late</p>")(request)


def _busy_then(page: Callable[[], bytes], refusals: int, counter: list[int]) -> Route:
    """429 with Retry-After for the first `refusals` requests, then the page."""
    lock = threading.Lock()

    def handler(request: BaseHTTPRequestHandler) -> None:
        with lock:
            counter.append(1)
            attempt = len(counter)
        if attempt <= refusals:
            reply(429, Retry_After="1")(request)
        else:
            reply(200, page(), "text/html; charset=utf-8")(request)

    return handler


def _jsonld_article(marker: str, size: int) -> bytes:
    body = " ".join(f"{marker} paragraph {n} of a very long article." for n in range(size // 40))
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": f"Huge structured data {marker}",
        "datePublished": "2026-01-05T08:00:00Z",
        "author": {"@type": "Person", "name": "Ana Lind"},
        "articleBody": body,
    }
    return (
        "<html><head><title>Huge</title>"
        f'<script type="application/ld+json">{json.dumps(data)}</script></head>'
        f"<body><article><h1>Huge structured data {marker}</h1>"
        + "".join(
            f"<p>The {marker} council met on day {n} to argue about the harbour budget, "
            "the rail link and the new tram line, and voted late in the evening.</p>"
            for n in range(8)
        )
        + "</article></body></html>"
    ).encode()


@dataclass(frozen=True)
class Row:
    """One hostile case: the route, and what must come of it."""

    case: str
    path: str
    route: Route | None
    # A typed error class name recorded for the URL, "indexed" (its marker is searchable),
    # "no error" (handled without an error), or "never requested".
    outcome: str
    check: Callable[[PipelineRun], None] | None = None


@dataclass
class PipelineRun:
    stack: Stack
    source: str
    base: str
    site: NewsSite
    summary: dict[str, Any]
    errors: dict[str, str]
    canaries: list[_Canary]


def _no_canary_request(run: PipelineRun) -> None:
    assert [canary.requests for canary in run.canaries] == [[] for _ in run.canaries]


BUSY: list[int] = []
# Terse, so 100,000 links fit under the test workers' 2 MiB body cap.
LINKS = "".join(f"<a href=//{n}.ex>x" for n in range(100_000))
DEEP = "<html><body>" + "<div>" * 100_000 + "<p>deep</p>" + "</div>" * 100_000 + "</body></html>"


def _rows(site: NewsSite, canaries: dict[str, _Canary], site_port: int) -> list[Row]:
    v4, v6, local = canaries["127.0.0.2"], canaries["::1"], canaries["127.0.0.1"]
    story = site.stories()[0]

    def story_page() -> bytes:
        return site.article(story, f"http://127.0.0.1:{site_port}").encode()

    def busy_answered_three_times(run: PipelineRun) -> None:
        assert len(BUSY) == 3

    def robots_kept_out(run: PipelineRun) -> None:
        assert run.site.hits.get("/private/story.html", 0) == 0

    def trap_bounded(run: PipelineRun) -> None:
        trap = sum(n for path, n in run.site.hits.items() if path.startswith("/trap/"))
        assert trap <= 2  # max_depth bounds the chain; each URL fetched once per run

    return [
        Row("redirect loop", "/loop-a", reply(302, Location="/loop-b"), "TooManyRedirects"),
        Row("redirect loop (back)", "/loop-b", reply(302, Location="/loop-a"), "TooManyRedirects"),
        Row(
            "compression bomb (40 MB of zeros)",
            "/bomb",
            reply(200, gzip.compress(b"\0" * (40 * MIB)), Content_Encoding="gzip"),
            "TooLarge",
        ),
        Row("50 MB body, declared", "/fifty", _stream(50 * MIB, declared=True), "TooLarge"),
        Row("endless body", "/endless", _stream(100 * MIB, declared=False), "TooLarge"),
        Row("no answer within the read timeout", "/slow", _slow, "FetchTimeout"),
        Row("headers trickled (issue 9 #5)", "/trickle-head", _trickle("head"), "FetchTimeout"),
        Row("body trickled", "/trickle-body", _trickle("body"), "FetchTimeout"),
        Row("503 storm", "/unavailable", reply(503), "UpstreamUnavailable"),
        Row(
            "429 twice, then the page",
            story.path,
            _busy_then(story_page, 2, BUSY),
            "indexed",
            busy_answered_three_times,
        ),
        Row("404", "/gone", reply(404), "HttpStatusError"),
        Row("image", "/photo", reply(200, b"\x89PNG....", "image/png"), "UnsupportedContent"),
        Row(
            "binary junk served as HTML",
            "/garbage",
            reply(200, bytes(range(256)) * 400, "text/html"),
            "ExtractionError",
        ),
        Row(
            "billion laughs feed",
            "/laughs.xml",
            reply(200, (FEEDS / "billion_laughs.xml").read_bytes(), "application/rss+xml"),
            "ExtractionError",
        ),
        Row(
            "external entity (XXE) feed",
            "/xxe.xml",
            reply(200, (FEEDS / "external_entity.xml").read_bytes(), "application/rss+xml"),
            "ExtractionError",
        ),
        Row(
            "100,000 off-site links",
            "/many-links",
            reply(200, f"<html><body>{LINKS}</body></html>".encode()),
            "no error",
        ),
        Row("100,000-deep HTML", "/deep", reply(200, DEEP.encode()), "no error"),
        Row(
            "1.5 MB JSON-LD article",
            "/huge-jsonld",
            reply(200, _jsonld_article("zorbaquill", int(1.5 * MIB)), "text/html"),
            "indexed",
        ),
        Row(
            "robots.txt disallows", "/private/story.html", None, "RobotsDisallowed", robots_kept_out
        ),
        Row(
            "spider trap (endless next links)",
            "/trap/1",
            _trap,
            "no error",
            trap_bounded,
        ),
        # issue 9 #2: off-scope redirects are refused before robots.txt, DNS or a request.
        Row(
            "redirect to 127.0.0.2 (issue 9 #2)",
            "/to-127-0-0-2",
            reply(302, Location=f"http://127.0.0.2:{v4.port}/admin"),
            "PageRejected",
            _no_canary_request,
        ),
        Row(
            "redirect to [::1] (issue 9 #2)",
            "/to-ipv6-loopback",
            reply(302, Location=f"http://[::1]:{v6.port}/admin"),
            "PageRejected",
            _no_canary_request,
        ),
        Row(
            "redirect to localhost (issue 9 #2)",
            "/to-localhost",
            reply(302, Location=f"http://localhost:{local.port}/admin"),
            "PageRejected",
            _no_canary_request,
        ),
        Row(
            "user@host redirect trick (issue 9 #2)",
            "/to-userinfo",
            reply(302, Location=f"http://127.0.0.1:{site_port}@127.0.0.2:{v4.port}/admin"),
            "PageRejected",
            _no_canary_request,
        ),
    ]


@pytest.fixture(scope="module")
def pipeline(stack: Stack) -> Iterator[tuple[PipelineRun, list[Row]]]:
    """One crawl of a site holding every hostile route and five good stories."""
    site = NewsSite(stories=5)
    server = serve_fresh(site)
    port = server.server_address[1]
    base = f"http://127.0.0.1:{port}"
    canaries = {host: _Canary(host) for host in ("127.0.0.2", "::1", "127.0.0.1")}
    rows = _rows(site, canaries, port)
    for row in rows:
        if row.route is not None:
            site.extra_routes[row.path] = row.route
    for step in range(2, 10):
        site.extra_routes[f"/trap/{step}"] = _trap
    site.extra_links = [
        row.path for row in rows if row.path not in {s.path for s in site.stories()}
    ]
    source = stack.add_source("hostile", base, max_pages=200)
    try:
        summary = stack.crawl(source, timeout=240)
        errors = json.loads(stack.ingest("run", summary["run_id"]).stdout)["error_urls"]
        yield PipelineRun(stack, source, base, site, summary, errors, list(canaries.values())), rows
    finally:
        server.shutdown()
        server.server_close()
        for canary in canaries.values():
            canary.shutdown()
            canary.server_close()


def test_good_pages_beside_hostile_ones_all_index(
    pipeline: tuple[PipelineRun, list[Row]],
) -> None:
    """The run finishes, and every good story next to the hostile routes is searchable."""
    run, _ = pipeline
    assert run.summary["done"] is True
    assert run.stack.count_source("articles", run.source) >= 5
    indexed = run.stack.indexed_urls("articles", run.source)
    assert {run.base + story.path for story in run.site.stories()} <= indexed
    story = run.site.stories()[-1]
    hits = run.stack.search(story.marker, "--source", run.source)
    assert [hit["url"] for hit in hits] == [run.base + story.path]


ROW_IDS = [
    "loop", "loop-back", "bomb", "fifty-mb", "endless", "slow", "trickle-head", "trickle-body",
    "503", "429", "404", "image", "garbage", "laughs", "xxe", "links", "deep", "jsonld", "robots",
    "trap", "to-127.0.0.2", "to-ipv6-loopback", "to-localhost", "userinfo",
]  # fmt: skip


@pytest.mark.parametrize("index", range(len(ROW_IDS)), ids=ROW_IDS)
def test_hostile_row(pipeline: tuple[PipelineRun, list[Row]], index: int) -> None:
    """Each hostile case ends in its typed error (or handled outcome), nothing else."""
    run, rows = pipeline
    row = rows[index]
    error = run.errors.get(run.base + row.path, "")
    kind = error.split(":", 1)[0]
    if row.outcome == "indexed":
        assert not error, f"{row.case}: {error}"
        assert run.stack.count_source("articles", run.source) >= 1
        marker = "zorbaquill" if row.path == "/huge-jsonld" else run.site.stories()[0].marker
        hits = run.stack.search(marker, "--source", run.source)
        assert any(hit["url"] == run.base + row.path for hit in hits), row.case
    elif row.outcome == "no error":
        assert not error, f"{row.case}: {error}"
        assert run.site.hits.get(row.path, 0) >= 1
    else:
        assert kind == row.outcome, f"{row.case}: expected {row.outcome}, got {error!r}"
    if row.check is not None:
        row.check(run)


# --- the network table: targets that must never be contacted ----------------------------


class _Dns:
    """A resolver we control: records every lookup, answers loopback for the site only."""

    def __init__(self) -> None:
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        return ["93.184.215.14"]  # a public answer: connecting to it is refused below


OFF_SCOPE = [
    ("10.0.0.1", "http://10.0.0.1/admin"),
    ("metadata", "http://169.254.169.254/latest/meta-data/"),
    ("192.168.1.1", "http://192.168.1.1/"),
    ("public host", "http://news.example.com/story"),
    ("dns exfiltration name", "http://secret-token.attacker.example/"),
    ("ipv6 loopback", "http://[::1]:8080/"),
    ("127.0.0.2", "http://127.0.0.2/"),
    ("nat64 metadata", "http://[64:ff9b::a9fe:a9fe]/"),
    ("6to4 private", "http://[2002:a00:1::1]/"),
    ("decimal loopback", "http://2130706433/"),
    ("user@host", "http://127.0.0.1@10.0.0.1/"),
]


@pytest.fixture
def crawl_stage() -> Iterator[tuple[Crawler, _Dns, LoopbackOnly, str, NewsSite]]:
    client = redis.Redis.from_url(_require("REDIS_URL"))
    dns, network = _Dns(), LoopbackOnly()
    limits = FetchLimits(read_timeout=2.0, deadline=5.0, max_body_bytes=2 * MIB)
    fetcher = Fetcher("news-ingest-test/1.0", limits, resolver=dns, connector=network)
    frontier = Frontier(client)
    site = NewsSite(stories=1)
    server = serve_fresh(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield (
            Crawler(fetcher, frontier, PageStore(client, 60), "news-ingest-test"),
            dns,
            network,
            base,
            site,
        )
    finally:
        fetcher.close()
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("case", "target"), OFF_SCOPE, ids=[case for case, _ in OFF_SCOPE])
@pytest.mark.parametrize("allow_private", [True, False], ids=["private-allowed", "guarded"])
def test_off_scope_redirect_never_touches_the_network(
    crawl_stage: tuple[Crawler, _Dns, LoopbackOnly, str, NewsSite],
    case: str,
    target: str,
    allow_private: bool,
) -> None:
    """A redirect off the source's scope is refused before its robots.txt, DNS or a connect
    (issue 9 #2), whether or not the source may reach private networks."""
    crawler, dns, network, base, site = crawl_stage
    path = f"/redirect-{abs(hash((case, allow_private)))}"
    site.extra_routes[path] = reply(302, Location=target)
    source = Source(
        name=f"scope-{path}",
        start_urls=(base + "/",),
        allowed_domains=("127.0.0.1",),
        allow_private_networks=allow_private,
        delay=0.0,
    )
    if not allow_private:
        with pytest.raises(PageRejected):  # the loopback site itself is refused too
            crawler.crawl(base + path, source, seed=True)
        assert network.dialled == []
    else:
        with pytest.raises(PageRejected) as info:
            crawler.crawl(base + path, source, seed=True)
        assert isinstance(info.value, IngestError)
        assert set(network.dialled) == {"127.0.0.1"}  # the site and its robots.txt only
    assert dns.lookups == []
