"""The hot page store: raw pages in Redis for the short window the parse stage needs.

Keyed by content hash, so messages carry only the key. Bodies are kept uncompressed: the
window is short (INGEST_PAGE_TTL) and the crawl stage's CPU is better spent elsewhere;
older pages come back from the WARC archive (workers.archive).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

import redis

from workers.errors import StorageError

PAGE_PREFIX = "page:"


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A fetched body and the little we need to read it again."""

    key: str
    url: str
    content_type: str
    body: bytes


def content_key(body: bytes) -> str:
    """The store key of a body: its sha256."""
    return PAGE_PREFIX + hashlib.sha256(body).hexdigest()


@contextlib.contextmanager
def redis_errors(action: str) -> Iterator[None]:
    """Translate Redis client failures into StorageError, a Retryable."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError) as exc:
        raise StorageError(f"redis unavailable while {action}: {exc}") from exc
    except redis.ResponseError as exc:
        raise StorageError(f"redis refused {action}: {exc}") from exc


class PageStore:
    """Content-addressed page bodies with a TTL; writing the same body twice is a no-op."""

    def __init__(self, client: redis.Redis, ttl: int) -> None:
        self.client = client
        self.ttl = ttl

    def put(self, url: str, content_type: str, body: bytes, key: str | None = None) -> str:
        """Store a body (under `key` when the caller already hashed it); returns the key."""
        key = key or content_key(body)
        meta = json.dumps({"url": url, "content_type": content_type})
        with redis_errors("storing a page"):
            # One round trip: HSET and EXPIRE in one transaction.
            pipe = self.client.pipeline(transaction=True)
            pipe.hset(key, mapping={"meta": meta, "body": body})
            pipe.expire(key, self.ttl)
            pipe.execute()
        return key

    def get(self, key: str) -> StoredPage | None:
        """The stored page, or None when it expired or never existed."""
        with redis_errors("reading a page"):
            fields = cast(dict[bytes, bytes], self.client.hgetall(key))
        if not fields:
            return None
        meta = json.loads(fields[b"meta"])
        return StoredPage(
            key=key,
            url=meta["url"],
            content_type=meta["content_type"],
            body=_body(fields[b"body"]),
        )


def _body(stored: bytes) -> bytes:
    """A stored body; pages written before bodies went uncompressed are zlib streams."""
    if stored[:1] == b"\x78" and stored[1:2] in (b"\x01", b"\x5e", b"\x9c", b"\xda"):
        try:
            return zlib.decompress(stored)
        except zlib.error:
            pass  # an HTML body that happens to start like a zlib header
    return stored
