"""The fetcher against a local misbehaving HTTP server: every failure becomes a typed error."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from workers.errors import (
    BlockedAddress,
    FetchTimeout,
    HttpStatusError,
    PageRejected,
    TooLarge,
    TooManyRedirects,
    UnsupportedContent,
    UpstreamUnavailable,
)
from workers.fetch import Fetcher, FetchLimits, Validators, parse_retry_after

from .http_routes import LoopbackOnly, Route, reply

pytestmark = pytest.mark.integration

BOMB = gzip.compress(b"\0" * (50 * 1024 * 1024))  # 50 MB of zeros in ~50 KB


def _slow(request: BaseHTTPRequestHandler) -> None:
    time.sleep(3)
    reply(200, b"<p>late</p>")(request)


def _trickle(request: BaseHTTPRequestHandler) -> None:
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.end_headers()
    for _ in range(40):
        request.wfile.write(b"<p>.</p>")
        request.wfile.flush()
        time.sleep(0.1)


def _header_trickle(request: BaseHTTPRequestHandler) -> None:
    """Status line and headers one byte at a time: each byte beats the read timeout."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" + b"X-Pad: " + b"x" * 200
    for byte in head:
        request.wfile.write(bytes([byte]))
        request.wfile.flush()
        time.sleep(0.25)


def _echo_host(request: BaseHTTPRequestHandler) -> None:
    reply(200, f"<p>host={request.headers.get('Host')}</p>".encode())(request)


def _conditional(request: BaseHTTPRequestHandler) -> None:
    if request.headers.get("If-None-Match") == '"v1"':
        request.send_response(304)
        request.send_header("ETag", '"v1"')
        request.end_headers()
        return
    reply(200, b"<p>fresh</p>", ETag='"v1"')(request)


ROUTES: dict[str, Route] = {
    "/ok": reply(200, b"<html><p>hello</p></html>", "text/html; charset=utf-8"),
    "/gz": reply(200, gzip.compress(b"<p>zipped</p>"), Content_Encoding="gzip"),
    "/bomb": reply(200, BOMB, Content_Encoding="gzip"),
    "/huge": reply(200, b"x" * (3 * 1024 * 1024)),
    "/loop-a": reply(302, Location="/loop-b"),
    "/loop-b": reply(302, Location="/loop-a"),
    "/to-ok": reply(301, Location="/ok"),
    "/429": reply(429, Retry_After="7"),
    "/503": reply(503),
    "/404": reply(404),
    "/png": reply(200, b"\x89PNG", "image/png"),
    "/slow": _slow,
    "/trickle": _trickle,
    "/etag": _conditional,
    "/header-trickle": _header_trickle,
    "/echo-host": _echo_host,
    "/to-private": reply(302, Location="http://10.0.0.1/admin"),
}
HITS: list[str] = []
for n in range(8):
    ROUTES[f"/chain{n}"] = reply(302, Location=f"/chain{n + 1}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        HITS.append(self.path)
        ROUTES.get(self.path, reply(404))(self)

    def log_message(self, *args: object) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """The client hanging up mid-body is what several tests do on purpose."""


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def fetcher() -> Iterator[Fetcher]:
    limits = FetchLimits(read_timeout=1.0, deadline=2.0, max_body_bytes=2 * 1024 * 1024)
    client = Fetcher("news-ingest-test/1.0", limits)
    yield client
    client.close()


def test_fetches_a_page(fetcher: Fetcher, base: str) -> None:
    """A plain page comes back with its status, type and body."""
    result = fetcher.fetch(f"{base}/ok", allow_private=True)
    assert result.status == 200
    assert result.content_type.startswith("text/html")
    assert b"hello" in result.body


def test_gzip_body_is_decoded(fetcher: Fetcher, base: str) -> None:
    """Content-Encoding gzip is undone before the body is returned."""
    assert fetcher.fetch(f"{base}/gz", allow_private=True).body == b"<p>zipped</p>"


def test_compression_bomb_is_refused(fetcher: Fetcher, base: str) -> None:
    """A small gzip body that expands past the limit raises TooLarge, not MemoryError."""
    with pytest.raises(TooLarge):
        fetcher.fetch(f"{base}/bomb", allow_private=True)


def test_huge_body_is_refused(fetcher: Fetcher, base: str) -> None:
    """A body over the size limit raises TooLarge."""
    with pytest.raises(TooLarge):
        fetcher.fetch(f"{base}/huge", allow_private=True)


def test_redirect_loop_is_detected(fetcher: Fetcher, base: str) -> None:
    """A→B→A raises TooManyRedirects naming the loop."""
    with pytest.raises(TooManyRedirects, match="loop"):
        fetcher.fetch(f"{base}/loop-a", allow_private=True)


def test_long_redirect_chain_is_cut(fetcher: Fetcher, base: str) -> None:
    """More than max_redirects hops raises TooManyRedirects."""
    with pytest.raises(TooManyRedirects, match="more than"):
        fetcher.fetch(f"{base}/chain0", allow_private=True)


def test_redirect_is_followed_and_each_hop_checked(fetcher: Fetcher, base: str) -> None:
    """Redirects are followed to the final URL, and every hop passes the hop check."""
    seen: list[str] = []
    result = fetcher.fetch(f"{base}/to-ok", allow_private=True, check_hop=seen.append)
    assert result.final_url == f"{base}/ok"
    assert seen == [f"{base}/to-ok", f"{base}/ok"]
    assert result.redirects == (f"{base}/to-ok",)


def test_429_carries_retry_after(fetcher: Fetcher, base: str) -> None:
    """429 is retryable and keeps the server's Retry-After."""
    with pytest.raises(UpstreamUnavailable) as info:
        fetcher.fetch(f"{base}/429", allow_private=True)
    assert info.value.retry_after == 7.0


def test_503_is_retryable_and_404_is_final(fetcher: Fetcher, base: str) -> None:
    """5xx is UpstreamUnavailable; 404 is HttpStatusError with the status."""
    with pytest.raises(UpstreamUnavailable):
        fetcher.fetch(f"{base}/503", allow_private=True)
    with pytest.raises(HttpStatusError) as info:
        fetcher.fetch(f"{base}/404", allow_private=True)
    assert info.value.status == 404


def test_refused_connection_is_retryable_and_says_so(fetcher: Fetcher) -> None:
    """Nothing listening on the port: UpstreamUnavailable whose message is the cause."""
    with socket.socket() as probe:  # a port that was free a moment ago, now closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(UpstreamUnavailable) as info:
        fetcher.fetch(f"http://127.0.0.1:{port}/robots.txt", allow_private=True)
    assert info.value.message == "connection refused"


def test_images_are_not_fetched(fetcher: Fetcher, base: str) -> None:
    """A non-HTML, non-feed content type raises UnsupportedContent."""
    with pytest.raises(UnsupportedContent):
        fetcher.fetch(f"{base}/png", allow_private=True)


def test_slow_server_times_out(fetcher: Fetcher, base: str) -> None:
    """No answer within the read timeout raises FetchTimeout."""
    with pytest.raises(FetchTimeout):
        fetcher.fetch(f"{base}/slow", allow_private=True)


def test_trickling_server_hits_the_deadline(fetcher: Fetcher, base: str) -> None:
    """A body that keeps coming slowly is cut at the overall deadline."""
    with pytest.raises(FetchTimeout, match="longer than"):
        fetcher.fetch(f"{base}/trickle", allow_private=True)


def test_conditional_get_returns_not_modified(fetcher: Fetcher, base: str) -> None:
    """With the ETag of the last fetch, an unchanged page answers 304 and no body."""
    first = fetcher.fetch(f"{base}/etag", allow_private=True)
    assert first.validators.etag == '"v1"'
    second = fetcher.fetch(f"{base}/etag", allow_private=True, validators=first.validators)
    assert second.not_modified
    assert second.body == b""
    third = fetcher.fetch(f"{base}/etag", allow_private=True, validators=Validators('"v0"'))
    assert third.status == 200


def test_private_addresses_are_blocked_by_default(fetcher: Fetcher, base: str) -> None:
    """Loopback, private and link-local targets raise BlockedAddress unless allowed."""
    for url in (f"{base}/ok", "http://10.1.2.3/", "http://169.254.169.254/latest/meta-data"):
        with pytest.raises(BlockedAddress):
            fetcher.fetch(url)


def test_retry_after_accepts_seconds_and_dates() -> None:
    """Retry-After is read as seconds or as an HTTP date, and clamped."""
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("99999") == 600.0
    assert parse_retry_after("soon") is None


def test_trickled_headers_hit_the_deadline(fetcher: Fetcher, base: str) -> None:
    """Headers sent one byte every 0.25 s (each within the read timeout) end at the deadline."""
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match=r"longer than 2\.0s"):
        fetcher.fetch(f"{base}/header-trickle", allow_private=True)
    assert time.monotonic() - started < 30  # a generous ceiling: the trickle lasts 60 s


class _Resolver:
    """A DNS we control: each call takes the next answer list (the last one repeats)."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def _guarded(resolver: _Resolver, connector: LoopbackOnly) -> Fetcher:
    limits = FetchLimits(read_timeout=1.0, deadline=2.0, max_body_bytes=2 * 1024 * 1024)
    return Fetcher("news-ingest-test/1.0", limits, resolver=resolver, connector=connector)


def test_connection_is_pinned_to_the_resolved_address(base: str) -> None:
    """A name is resolved once, connected by address, and still sent as the Host header."""
    port = base.rsplit(":", 1)[1]
    resolver, connector = _Resolver(["127.0.0.1"]), LoopbackOnly()
    client = _guarded(resolver, connector)
    try:
        result = client.fetch(f"http://news.test:{port}/echo-host", allow_private=True)
    finally:
        client.close()
    assert result.body == f"<p>host=news.test:{port}</p>".encode()
    assert resolver.calls == ["news.test"]
    assert connector.dialled == ["127.0.0.1"]


def test_dns_rebinding_cannot_reach_loopback(base: str) -> None:
    """Public at check time, loopback afterwards: the fetch dials the vetted address only."""
    port = base.rsplit(":", 1)[1]
    resolver, connector = _Resolver(["93.184.215.14"], ["127.0.0.1"]), LoopbackOnly()
    client = _guarded(resolver, connector)
    hits_before = len(HITS)
    try:
        with pytest.raises(UpstreamUnavailable):
            client.fetch(f"http://rebind.test:{port}/ok")
        with pytest.raises(BlockedAddress, match=r"127\.0\.0\.1"):
            client.fetch(f"http://rebind.test:{port}/ok")  # the second answer is vetted too
    finally:
        client.close()
    assert connector.dialled == ["93.184.215.14"]
    assert resolver.calls == ["rebind.test", "rebind.test"]
    assert len(HITS) == hits_before  # the loopback server never saw the request


def test_off_scope_redirect_is_refused_before_any_lookup(base: str) -> None:
    """A redirect refused by the hop check costs no DNS lookup and no connection."""
    resolver, connector = _Resolver(["127.0.0.1"]), LoopbackOnly()
    client = _guarded(resolver, connector)

    def in_scope(hop: str) -> None:
        if not hop.startswith(base):
            raise PageRejected("outside the source's allowed domains", hop)

    try:
        with pytest.raises(PageRejected, match="allowed domains"):
            client.fetch(f"{base}/to-private", allow_private=True, check_hop=in_scope)
    finally:
        client.close()
    assert resolver.calls == []
    assert connector.dialled == ["127.0.0.1"]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/file",
        "http://user:secret@127.0.0.1/",
        "http://2130706433/",
        "http://[::ffff:127.0.0.1]/",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data",
    ],
)
def test_unfetchable_targets_are_refused_without_network(url: str) -> None:
    """Other schemes, credentials and non-public literal addresses never reach the network."""
    resolver, connector = _Resolver(["127.0.0.1"]), LoopbackOnly()
    client = _guarded(resolver, connector)
    try:
        with pytest.raises(PageRejected):
            client.fetch(url)
    finally:
        client.close()
    assert resolver.calls == []
    assert connector.dialled == []


def test_a_client_is_built_per_policy_on_first_use_and_kept(base: str) -> None:
    """A process that never fetches (a parse worker) builds no HTTP client; a policy's
    client, once built, serves every later fetch under that policy, and a closed fetcher
    builds afresh."""
    fetcher = Fetcher("news-ingest-test/1.0", FetchLimits(deadline=5))
    assert fetcher._clients == {}
    assert fetcher.fetch(f"{base}/ok", allow_private=True).status == 200
    built = fetcher._clients[True]
    assert set(fetcher._clients) == {True}
    assert fetcher.fetch(f"{base}/ok", allow_private=True).status == 200
    assert fetcher._clients[True] is built
    fetcher.close()
    assert fetcher._clients == {}
    assert fetcher.fetch(f"{base}/ok", allow_private=True).status == 200
    assert fetcher._clients[True] is not built
    fetcher.close()
