"""Raw pages stored once in Redis, keyed by content hash, so messages carry only the key."""

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

    def put(self, url: str, content_type: str, body: bytes) -> str:
        key = content_key(body)
        meta = json.dumps({"url": url, "content_type": content_type})
        with redis_errors("storing a page"):
            pipe = self.client.pipeline(transaction=True)
            pipe.hset(key, mapping={"meta": meta, "body": zlib.compress(body, 6)})
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
            body=zlib.decompress(fields[b"body"]),
        )
