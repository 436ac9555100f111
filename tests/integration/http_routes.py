"""Canned HTTP responses for the local servers that play misbehaving news sites."""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

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
