"""The private-network guard: which addresses a fetch may reach, and a pinned connection.

The address a fetch connects to is the address that was vetted: `GuardedBackend` is the
network backend of the fetcher's httpx transport. It resolves the host once (with a
deadline), vets every answer, and connects to a vetted address itself, so a name that
answers a public address to the check and a private one to the connection (DNS
rebinding) never reaches the private one. The Host header and the TLS server name stay
on the URL's host name: httpcore passes the origin's name to `start_tls`.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpcore
from httpcore import NetworkStream
from httpcore._backends.sync import SyncBackend  # the default backend, wrapped not copied

from workers.errors import BlockedAddress, FetchTimeout, UpstreamUnavailable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> the addresses the host resolves to, as strings, in preference order.
Resolver = Callable[[str, int], Sequence[str]]

DEFAULT_RESOLVE_TIMEOUT = 5.0
# Lookups run in these threads so a hung resolver costs a thread, never the fetch deadline.
RESOLVER_THREADS = 8

_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
# Special-purpose IPv6 blocks inside 2000::/3 that are not publicly routable web hosts
# (IANA IPv6 Special-Purpose Address Registry, global = False or N/A).
_V6_NOT_PUBLIC = tuple(
    ipaddress.IPv6Network(block)
    for block in (
        "2001::/23",  # IETF protocol assignments (Teredo 2001::/32 is handled apart)
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation (RFC 9637)
    )
)
_TEREDO = ipaddress.IPv6Network("2001::/32")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
# NAT64: the well-known prefix carries an IPv4 address in its last 32 bits (RFC 6052);
# the local-use prefix (RFC 8215) is private by definition, wherever the IPv4 part sits.
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
# ::a.b.c.d (IPv4-compatible, deprecated), ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d
# (SIIT translated): all three hand the last 32 bits to an IPv4 stack.
_V4_IN_LOW_BITS = tuple(
    ipaddress.IPv6Network(block) for block in ("::/96", "::ffff:0:0/96", "::ffff:0:0:0/96")
)
# ISATAP interface identifiers (RFC 5214): [02]00:5efe:a.b.c.d in the low 64 bits.
_ISATAP_MARKERS = (0x00005EFE, 0x02005EFE)


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address this IPv6 address hands to an IPv4 network, if any."""
    value = int(address)
    low32 = ipaddress.IPv4Address(value & 0xFFFFFFFF)
    found: list[ipaddress.IPv4Address] = []
    if any(address in block for block in _V4_IN_LOW_BITS) or address in _NAT64_WELL_KNOWN:
        found.append(low32)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)  # (server, client); the client is de-obfuscated
    if (value >> 32) & 0xFFFFFFFF in _ISATAP_MARKERS:
        found.append(low32)
    return found


def _public_v4(address: ipaddress.IPv4Address) -> bool:
    return address.is_global and not address.is_multicast


def is_public(address: IPAddress) -> bool:
    """True when the address is a public unicast host, including every IPv4 it embeds."""
    if isinstance(address, ipaddress.IPv4Address):
        return _public_v4(address)
    if address.scope_id:
        return False  # a zone index only means something on a local link
    embedded = embedded_ipv4(address)
    if address in _NAT64_LOCAL:
        return False
    if address in _TEREDO or address in _SIX_TO_FOUR:
        return bool(embedded) and all(_public_v4(v4) for v4 in embedded)
    if embedded and not all(_public_v4(v4) for v4 in embedded):
        return False
    if any(address in block for block in _V4_IN_LOW_BITS) or address in _NAT64_WELL_KNOWN:
        return True  # decided by the IPv4 address it carries, checked above
    if address not in _GLOBAL_UNICAST or address.is_multicast:
        return False
    return not any(address in block for block in _V6_NOT_PUBLIC)


def literal_address(host: str) -> IPAddress | None:
    """The address a host names without any lookup: IPv6 literals, and IPv4 in every
    spelling the C library accepts (127.1, 0x7f.0.0.1, 2130706433, 0177.0.0.1)."""
    name = host.strip("[]")
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        pass
    if ":" in name or not name or not all(c.isalnum() or c == "." for c in name):
        return None
    try:
        packed = socket.inet_aton(name)
    except OSError:
        return None
    return ipaddress.IPv4Address(packed)


def refuse_unless_public(host: str, address: IPAddress, url: str | None = None) -> None:
    if not is_public(address):
        raise BlockedAddress(f"host {host!r} is the non-public address {address}", url)


_lookups = concurrent.futures.ThreadPoolExecutor(
    max_workers=RESOLVER_THREADS, thread_name_prefix="resolver"
)


def system_resolver(timeout: float = DEFAULT_RESOLVE_TIMEOUT) -> Resolver:
    """getaddrinfo in a worker thread, abandoned (typed error) after `timeout` seconds."""

    def resolve(host: str, port: int) -> Sequence[str]:
        future = _lookups.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        try:
            infos = future.result(timeout=min(timeout, _remaining(timeout)))
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise FetchTimeout(f"DNS lookup of {host!r} took longer than {timeout}s") from exc
        except (OSError, UnicodeError) as exc:
            raise UpstreamUnavailable(f"cannot resolve host {host!r}: {exc}") from exc
        return [str(info[4][0]) for info in infos]

    return resolve


# The monotonic time by which the current fetch must be over (None: no overall deadline).
# A contextvar, so each worker thread's fetch has its own, read at every socket operation.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "fetch_deadline", default=None
)


@contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Every connect, lookup, read and write inside the block ends by `seconds` from now
    (or by the enclosing block's deadline, when that is sooner: a robots.txt fetched for a
    redirect hop spends the hop's time)."""
    until = time.monotonic() + seconds
    outer = _deadline.get()
    if outer is not None:
        until = min(until, outer)
    token = _deadline.set(until)
    try:
        yield until
    finally:
        _deadline.reset(token)


def _remaining(default: float | None) -> float:
    """Seconds left before the fetch deadline, capped by an operation's own timeout."""
    until = _deadline.get()
    if until is None:
        return default if default is not None else float("inf")
    left = until - time.monotonic()
    return left if default is None else min(default, left)


def _timeout_for(operation: float | None, error: type[Exception]) -> float | None:
    left = _remaining(operation)
    if left <= 0:
        raise error("the fetch's overall deadline passed")
    return None if left == float("inf") else left


class _DeadlineStream(NetworkStream):
    """A socket stream whose every read and write also ends at the fetch deadline."""

    def __init__(self, inner: NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data: bytes = self._inner.read(max_bytes, _timeout_for(timeout, httpcore.ReadTimeout))
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _timeout_for(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> NetworkStream:
        # server_hostname is the URL's host name: SNI and the certificate check use it.
        inner = self._inner.start_tls(
            ssl_context, server_hostname, _timeout_for(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves, vets and connects in one place, so the vetted address is the one used.

    `allow_private` turns the address check off (a source on a private network), but
    the pinning and the deadline stay.
    """

    def __init__(
        self,
        *,
        allow_private: bool,
        resolver: Resolver | None = None,
        connector: httpcore.NetworkBackend | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.resolver = resolver or system_resolver()
        self.connector = connector or SyncBackend()

    def addresses(self, host: str, port: int) -> list[str]:
        """The vetted addresses to connect to, in order; BlockedAddress if any is not public."""
        literal = literal_address(host)
        if literal is not None:
            answers = [str(literal)]
        else:
            answers = list(self.resolver(host, port))
            if not answers:
                raise UpstreamUnavailable(f"host {host!r} resolves to no address")
        if not self.allow_private:
            for answer in answers:
                parsed = literal_address(answer)
                if parsed is None:
                    raise BlockedAddress(f"host {host!r} resolves to unusable {answer!r}")
                refuse_unless_public(host, parsed)
        return answers

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> NetworkStream:
        _timeout_for(timeout, httpcore.ConnectTimeout)
        last: Exception | None = None
        for address in self.addresses(host, port):
            try:
                stream = self.connector.connect_tcp(
                    address,
                    port,
                    timeout=_timeout_for(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return _DeadlineStream(stream)
        assert last is not None  # addresses() never returns an empty list
        raise last

    def connect_unix_socket(self, *_: Any, **__: Any) -> NetworkStream:
        raise BlockedAddress("unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
