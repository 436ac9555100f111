"""Canned HTTP responses for the local servers that play misbehaving news sites."""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpcore

Route = Callable[[BaseHTTPRequestHandler], None]


def reply(status: int, body: bytes = b"", content_type: str = "text/html", **headers: str) -> Route:
    """A route answering `status` with `body`; header names use _ for - (Retry_After)."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            request.send_header(name.replace("_", "-"), value)
        request.end_headers()
        request.wfile.write(body)

    return handler


class LoopbackOnly(httpcore.NetworkBackend):
    """A fetcher's connector that dials 127.0.0.1 only: any other address is recorded and
    refused, never contacted, so a test can prove where a fetch would have gone."""

    def __init__(self) -> None:
        self.dialled: list[str] = []
        self.real = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, **options: Any) -> httpcore.NetworkStream:
        self.dialled.append(host)
        if host != "127.0.0.1":
            raise httpcore.ConnectError(f"test network: {host} is not reachable")
        return self.real.connect_tcp(host, port, **options)
