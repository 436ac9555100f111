"""HTTP fetching with hard limits; translates httpx and socket errors into our error tree."""

from __future__ import annotations

import errno
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpcore
import httpx

from workers import netguard
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
from workers.netguard import (
    GuardedBackend,
    Resolver,
    literal_address,
    refuse_unless_public,
    system_resolver,
)
from workers.urls import normalize_url

# Statuses worth retrying later; everything else 4xx is final.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPTED_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/x-gzip",
    "application/gzip",
    "text/plain",
)
ACCEPT_HEADER = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,"
    "application/rss+xml;q=0.9,application/atom+xml;q=0.9,*/*;q=0.5"
)
# A Retry-After longer than this is clamped: the task's own backoff cap takes over.
MAX_RETRY_AFTER = 600.0


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Bounds on one fetch; every value has a safe default in workers.settings."""

    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    deadline: float = 45.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class Validators:
    """What the last fetch of a URL returned, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A response we accepted: final URL, status, the headers we keep, and the body."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    redirects: tuple[str, ...] = ()

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def validators(self) -> Validators:
        return Validators(self.headers.get("etag"), self.headers.get("last-modified"))


def check_target(url: str, allow_private: bool) -> None:
    """Refuse a URL before any lookup or request: scheme, credentials, literal addresses.

    Runs on every URL and redirect hop. Host names are vetted later, at connect time, by
    the transport (workers.netguard), on the very address it connects to.
    """
    try:
        parts = httpx.URL(url)
        split = urlsplit(url)
        split_host = split.hostname or ""
    except (httpx.InvalidURL, ValueError) as exc:
        raise PageRejected(f"unusable URL: {exc}", url) from exc
    if parts.scheme not in ("http", "https"):
        raise PageRejected(f"scheme {parts.scheme!r} is not fetched (http and https only)", url)
    if parts.userinfo or "@" in split.netloc:
        raise PageRejected("URLs with credentials are not fetched", url)
    host = parts.host
    if not host:
        raise PageRejected("URL has no host", url)
    if parts.raw_host.decode("ascii").lower() != _ascii_host(split_host):
        # Two URL parsers disagree about the host: what was scoped is not what is fetched.
        raise PageRejected(f"ambiguous host ({host!r} or {split_host!r})", url)
    literal = literal_address(host)
    if literal is not None and not allow_private:
        refuse_unless_public(host, literal, url)


def _ascii_host(host: str) -> str:
    """A host name as it goes on the wire (IDNA), for comparing two parsers' answers."""
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return host.lower()


def guarded_transport(backend: GuardedBackend) -> httpx.HTTPTransport:
    """An httpx transport whose connections are opened by `backend` (resolve, vet, pin)."""
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx has no public hook for httpcore's network backend: rebuild its pool with
    # httpx's own defaults and ours. A test (pinning) fails if this stops taking effect.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=100,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=backend,
    )
    return transport


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), clamped."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        reference = now if now is not None else time.time()
        seconds = when.timestamp() - reference
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


# Socket errors by errno, as the cause an operator reads in errors and logs.
_SOCKET_CAUSES = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset",
    errno.ECONNABORTED: "connection aborted",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
    errno.EPIPE: "connection closed while sending",
}


def connection_failure(exc: BaseException) -> str:
    """What went wrong with a connection, in words ("connection refused"), from the
    socket error underneath httpx's and httpcore's wrappers when there is one."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in _SOCKET_CAUSES:
            return _SOCKET_CAUSES[seen.errno]
        seen = seen.__cause__ or seen.__context__
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server broke the HTTP exchange: {exc}" if str(exc) else "protocol error"
    detail = str(exc)
    return f"connection failed: {exc.__class__.__name__}" + (f" ({detail})" if detail else "")


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


class Fetcher:
    """Fetches one URL at a time under FetchLimits; one per worker thread or process."""

    def __init__(
        self,
        user_agent: str,
        limits: FetchLimits | None = None,
        transport: httpx.BaseTransport | None = None,
        *,
        resolver: Resolver | None = None,
        connector: httpcore.NetworkBackend | None = None,
    ) -> None:
        """`resolver` and `connector` replace DNS and socket connects (tests inject them);
        `transport` replaces the whole network layer, guard included."""
        self.limits = limits or FetchLimits()
        self._user_agent = user_agent
        self._transport = transport
        self._resolver = resolver or system_resolver(self.limits.connect_timeout)
        self._connector = connector
        # One client per policy: a pooled connection opened for a source that may reach
        # private networks is never reused for one that may not. Each is built on first
        # use, so a process that never fetches (a parse worker) builds none.
        self._clients: dict[bool, httpx.Client] = {}
        self._clients_lock = threading.Lock()

    def _client(self, allow_private: bool) -> httpx.Client:
        client = self._clients.get(allow_private)
        if client is not None:
            return client
        with self._clients_lock:
            client = self._clients.get(allow_private)
            if client is None:
                client = self._clients[allow_private] = self._build_client(allow_private)
            return client

    def _build_client(self, allow_private: bool) -> httpx.Client:
        timeout = httpx.Timeout(
            connect=self.limits.connect_timeout,
            read=self.limits.read_timeout,
            write=self.limits.read_timeout,
            pool=self.limits.connect_timeout,
        )
        return httpx.Client(
            headers={
                "User-Agent": self._user_agent,
                "Accept": ACCEPT_HEADER,
                "Accept-Encoding": "gzip, deflate",
            },
            timeout=timeout,
            follow_redirects=False,
            transport=self._transport
            or guarded_transport(
                GuardedBackend(
                    allow_private=allow_private,
                    resolver=self._resolver,
                    connector=self._connector,
                )
            ),
            trust_env=False,
        )

    def close(self) -> None:
        with self._clients_lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def fetch(
        self,
        url: str,
        *,
        allow_private: bool = False,
        validators: Validators | None = None,
        check_hop: Callable[[str], None] | None = None,
        accepted_types: tuple[str, ...] = ACCEPTED_TYPES,
    ) -> FetchResult:
        """GET a URL, following redirects by hand so each hop is checked.

        `check_hop` runs on every URL before it is requested (domain scope, then robots
        rules), after the checks that need no network (`check_target`). One deadline
        covers the whole fetch: lookups, connects, headers and body of every hop.
        """
        with netguard.deadline(self.limits.deadline) as deadline:
            return self._fetch(url, allow_private, validators, check_hop, accepted_types, deadline)

    def _fetch(
        self,
        url: str,
        allow_private: bool,
        validators: Validators | None,
        check_hop: Callable[[str], None] | None,
        accepted_types: tuple[str, ...],
        deadline: float,
    ) -> FetchResult:
        current = url
        chain: list[str] = []
        while True:
            check_target(current, allow_private)
            if check_hop is not None:
                check_hop(current)
            headers = {}
            if validators is not None and not chain:
                if validators.etag:
                    headers["If-None-Match"] = validators.etag
                if validators.last_modified:
                    headers["If-Modified-Since"] = validators.last_modified
            status, response_headers, body = self._request(
                self._client(allow_private), current, headers, deadline
            )
            if status in REDIRECT_STATUSES:
                location = response_headers.get("location")
                target = normalize_url(location, base=current) if location else None
                if target is None:
                    raise HttpStatusError(
                        f"redirect {status} without a usable Location", url, status
                    )
                chain.append(current)
                if target in chain or target == current:
                    raise TooManyRedirects(f"redirect loop via {target}", url)
                if len(chain) > self.limits.max_redirects:
                    raise TooManyRedirects(f"more than {self.limits.max_redirects} redirects", url)
                current = target
                continue
            content_type = response_headers.get("content-type", "")
            if status == 304:
                return FetchResult(url, current, status, content_type, b"", response_headers)
            self._check_status(status, response_headers, url)
            media = _media_type(content_type)
            if media and not media.startswith(accepted_types):
                raise UnsupportedContent(f"content type {media!r} is not fetched", url)
            return FetchResult(
                url=url,
                final_url=current,
                status=status,
                content_type=content_type,
                body=body,
                headers=response_headers,
                redirects=tuple(chain),
            )

    def _check_status(self, status: int, headers: Mapping[str, str], url: str) -> None:
        if 200 <= status < 300:
            return
        if status in RETRY_STATUSES or status >= 500:
            raise UpstreamUnavailable(
                f"server answered {status}",
                url,
                retry_after=parse_retry_after(headers.get("retry-after")),
            )
        raise HttpStatusError(f"server answered {status}", url, status)

    def _request(
        self, client: httpx.Client, url: str, headers: dict[str, str], deadline: float
    ) -> tuple[int, dict[str, str], bytes]:
        limit = self.limits.max_body_bytes
        try:
            with client.stream("GET", url, headers=headers) as response:
                kept = {key.lower(): value for key, value in response.headers.items()}
                if response.status_code in REDIRECT_STATUSES or response.status_code == 304:
                    return response.status_code, kept, b""
                declared = kept.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise TooLarge(f"declared length {declared} exceeds {limit} bytes", url)
                decoder = _Decoder(kept.get("content-encoding", ""), limit, url)
                for chunk in response.iter_raw():
                    decoder.feed(chunk)
                    if time.monotonic() > deadline:
                        raise FetchTimeout(f"fetch took longer than {self.limits.deadline}s", url)
                return response.status_code, kept, decoder.finish()
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:
                raise FetchTimeout(f"fetch took longer than {self.limits.deadline}s", url) from exc
            raise FetchTimeout(f"timed out: {exc.__class__.__name__}", url) from exc
        except (BlockedAddress, FetchTimeout, UpstreamUnavailable) as exc:
            if exc.url is None:  # raised by the transport, which does not know the URL
                raise type(exc)(exc.message, url) from exc
            raise
        except (httpx.TransportError, httpx.RemoteProtocolError) as exc:
            raise UpstreamUnavailable(connection_failure(exc), url) from exc
        except httpx.InvalidURL as exc:
            raise HttpStatusError(f"invalid URL: {exc}", url) from exc


class _Decoder:
    """Undoes Content-Encoding chunk by chunk, never producing more than `limit` bytes.

    zlib's max_length bounds each step's output, so a compression bomb costs at most
    `limit` bytes of memory before it is refused.
    """

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        self.limit = limit
        self.url = url
        self.parts: list[bytes] = []
        self.size = 0
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise UnsupportedContent(f"unsupported content encoding {encoding!r}", url)
        self.zlib: zlib._Decompress | None = None
        if codings:
            # 47 = 32 + 15: accept a gzip or zlib header; raw deflate is retried below.
            self.zlib = zlib.decompressobj(47)
        self.raw_deflate_tried = False

    def feed(self, chunk: bytes) -> None:
        if self.zlib is None:
            self._keep(chunk)
            return
        data = chunk
        while data:
            try:
                out = self.zlib.decompress(data, self.limit - self.size + 1)
            except zlib.error as exc:
                if self.raw_deflate_tried or self.size:
                    raise UnsupportedContent(f"corrupt compressed body: {exc}", self.url) from exc
                self.raw_deflate_tried = True
                self.zlib = zlib.decompressobj(-15)
                continue
            self._keep(out)
            data = self.zlib.unconsumed_tail
            if self.zlib.eof:
                break

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge(f"body exceeds {self.limit} bytes", self.url)
        self.parts.append(data)

    def finish(self) -> bytes:
        if self.zlib is not None:
            self._keep(self.zlib.flush())
        return b"".join(self.parts)
