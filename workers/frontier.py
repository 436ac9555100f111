"""The crawl frontier in Redis: per-host politeness slots, robots cache, per-URL fetch state,
due revisits, feed freshness, and the feeds and child sitemaps found along the way."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

import redis

from workers.store import redis_errors
from workers.urls import url_id

# Reserve the host's next request slot: the earliest time at or after now that is `delay`
# seconds past the last reservation. Returns {reserved, seconds until the slot}. A slot
# further ahead than `max_ahead` is not reserved: the caller comes back later instead of
# holding a far-future reservation. Uses the server clock so workers never disagree.
_TAKE_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, nxt)
if start - now > tonumber(ARGV[3]) then
  return {0, tostring(start - now)}
end
redis.call('SET', KEYS[1], tostring(start + tonumber(ARGV[1])), 'EX', ARGV[2])
return {1, tostring(start - now)}
"""
# Push the host's next free slot at least `pause` seconds into the future (429/503 storms).
_PAUSE_HOST = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local want = now + tonumber(ARGV[1])
if want > nxt then
  redis.call('SET', KEYS[1], tostring(want), 'EX', ARGV[2])
end
return 1
"""
ROBOTS_TTL = 24 * 3600
# How long an unreachable robots.txt (5xx, refused, timed out, DNS) is remembered when the
# caller names no TTL; workers pass `robots_error_ttl(...)` of their retry settings.
ROBOTS_ERROR_TTL = 2.0
SLOT_KEY_TTL = 3600


# URL states read per pipelined round trip when listing the pages parsed before.
PARSED_SCAN_BATCH = 500


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A URL parsed before, as a re-parse reads it back."""

    url: str
    source: str
    page_key: str
    archive_ref: str | None
    content_fetched_at: float | None
    robots_tag: str | None


def _content_stamp(content_fetched_at: bytes | None, fetched_at: bytes | None) -> float | None:
    """When the parsed content was fetched; states written before that field existed fall
    back to the last fetch."""
    stamp = content_fetched_at or fetched_at
    return float(stamp) if stamp else None


def _stored_page(state: list[bytes | None], source: str | None) -> StoredPage | None:
    url, owner, page_key, archive, content_at, fetched_at, robots_tag = state
    if not (url and owner and page_key):
        return None
    if source is not None and owner.decode() != source:
        return None
    return StoredPage(
        url=url.decode(),
        source=owner.decode(),
        page_key=page_key.decode(),
        archive_ref=archive.decode() if archive else None,
        content_fetched_at=_content_stamp(content_at, fetched_at),
        robots_tag=robots_tag.decode("utf-8", "replace") if robots_tag else None,
    )


@dataclass(frozen=True, slots=True)
class UrlState:
    """What the last successful fetch of a URL left behind."""

    fetched_at: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    content_key: str | None = None
    # Where that content lives in the WARC archive ("file#offset"), when archiving was on.
    archive_ref: str | None = None


# The feeds and child sitemaps found for a source: hash `feeds-by:<source>`, feed URL ->
# the URL of the page (start page or sitemap index) that announced it. Records the page's
# current list (ARGV[1] the page, ARGV[2..] its feeds): feeds it announced before and no
# longer does are dropped, the others are (re)assigned to it. Members of the set kept before
# announcers were recorded (`feeds:<source>`, KEYS[2]) move in first, with no announcer:
# they stay until they answer 404/410 (forget_feed).
_REMEMBER_FEEDS = """
if redis.call('EXISTS', KEYS[2]) == 1 then
  for _, feed in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    redis.call('HSETNX', KEYS[1], feed, '')
  end
  redis.call('DEL', KEYS[2])
end
local keep = {}
for i = 2, #ARGV do keep[ARGV[i]] = true end
local known = redis.call('HGETALL', KEYS[1])
for i = 1, #known, 2 do
  if known[i + 1] == ARGV[1] and not keep[known[i]] then
    redis.call('HDEL', KEYS[1], known[i])
  end
end
for i = 2, #ARGV do redis.call('HSET', KEYS[1], ARGV[i], ARGV[1]) end
return 0
"""


def _feeds_keys(source: str) -> list[str]:
    return [f"feeds-by:{source}", f"feeds:{source}"]


@dataclass(frozen=True, slots=True)
class FeedState:
    """A feed's freshness: when it was last read, and how long it may now rest."""

    checked_at: float = 0.0
    # seconds after checked_at before the feed is read again (0: every run)
    interval: float = 0.0


@dataclass(frozen=True, slots=True)
class CachedRobots:
    """A host's robots.txt as fetched: the status decides how the body is read.

    `error` says why it could not be had (status >= 500: a 5xx, or no answer at all).
    """

    status: int
    body: str
    error: str = ""


def robots_error_ttl(retry_backoff: float, retry_backoff_max: float) -> float:
    """Seconds an unreachable robots.txt is cached, from the task retry policy.

    RFC 9309 reads an unreachable robots.txt as "disallow everything", and we do, but
    only until the first retry that can see the site again. A task's retry waits are
    jittered into [d/2, d] with d = min(backoff * 2**attempt, backoff_max), so every wait
    after the first is at least min(backoff, backoff_max / 2); caching the failure for no
    longer than that means that, once the site answers, the cached failure is gone before
    the next retry of any task comes, and each task loses at most one retry to it. That
    stays far inside the retry budget (defaults: 8 attempts, 2 s backoff, so 7 retries
    spread over 127-254 s, against a 2 s TTL), where the fixed 600 s used before outlived
    every retry and sent a run whose site was down for seconds to the dead letters.
    """
    return max(min(retry_backoff, retry_backoff_max / 2), 0.05)


@dataclass(frozen=True, slots=True)
class Fetched:
    """One successful fetch to remember (see Frontier.record_fetch)."""

    url: str
    source: str
    etag: str | None
    last_modified: str | None
    content_key: str | None
    archive_ref: str | None = None
    content_fetched_at: float | None = None
    robots_tag: str | None = None

    def mapping(self, now: float) -> dict[Any, str | float]:
        """The fields of the URL's state this fetch sets, `now` being its record time."""
        mapping: dict[Any, str | float] = {
            "url": self.url,
            "source": self.source,
            "fetched_at": now,
            "etag": self.etag or "",
            "last_modified": self.last_modified or "",
            "robots_tag": self.robots_tag or "",
        }
        if self.content_key is not None:
            mapping["content_key"] = self.content_key
        if self.archive_ref is not None:
            mapping["archive"] = self.archive_ref
        if self.content_fetched_at is not None:
            mapping["content_fetched_at"] = self.content_fetched_at
        return mapping


class Frontier:
    """Shared crawl state; every method is safe to call from many workers at once."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._take_slot = client.register_script(_TAKE_SLOT)
        self._pause_host = client.register_script(_PAUSE_HOST)
        self._remember_feeds = client.register_script(_REMEMBER_FEEDS)

    # politeness -------------------------------------------------------------------------

    def take_slot(self, host: str, delay: float, max_ahead: float) -> tuple[bool, float]:
        """Reserve the host's next request slot: (reserved, seconds until it starts)."""
        with redis_errors("reserving a host slot"):
            reply = self._take_slot(
                keys=[f"host:{host}:next"], args=[delay, SLOT_KEY_TTL, max_ahead]
            )
        reserved, wait = cast(list[Any], reply)
        return bool(reserved), float(wait)

    def pause_host(self, host: str, seconds: float) -> None:
        """Keep every worker off a host for a while (it said 429/503 or is failing)."""
        with redis_errors("pausing a host"):
            self._pause_host(keys=[f"host:{host}:next"], args=[seconds, SLOT_KEY_TTL])

    # robots.txt -------------------------------------------------------------------------

    def cached_robots(self, origin: str) -> CachedRobots | None:
        with redis_errors("reading robots cache"):
            fields = cast(dict[bytes, bytes], self.client.hgetall(f"robots:{origin}"))
        if not fields:
            return None
        return CachedRobots(
            status=int(fields[b"status"]),
            body=fields[b"body"].decode("utf-8", "replace"),
            error=fields.get(b"error", b"").decode("utf-8", "replace"),
        )

    def cache_robots(
        self, origin: str, robots: CachedRobots, error_ttl: float = ROBOTS_ERROR_TTL
    ) -> None:
        """Keep an origin's robots.txt for a day; a failure only for `error_ttl` seconds."""
        ttl = ROBOTS_TTL if robots.status < 500 else error_ttl
        key = f"robots:{origin}"
        mapping: dict[Any, str | int] = {
            "status": robots.status,
            "body": robots.body,
            "error": robots.error,
        }
        with redis_errors("caching robots.txt"):
            pipe = self.client.pipeline(transaction=True)
            pipe.hset(key, mapping=mapping)
            pipe.pexpire(key, max(int(ttl * 1000), 1))
            pipe.execute()

    # per-URL state ----------------------------------------------------------------------

    def url_state(self, url: str) -> UrlState:
        with redis_errors("reading URL state"):
            fields = cast(dict[bytes, bytes], self.client.hgetall(f"url:{url_id(url)}"))
        if not fields:
            return UrlState()

        def text(name: bytes) -> str | None:
            value = fields.get(name)
            return value.decode() if value else None

        return UrlState(
            fetched_at=float(fields.get(b"fetched_at", b"0")),
            etag=text(b"etag"),
            last_modified=text(b"last_modified"),
            content_key=text(b"content_key"),
            archive_ref=text(b"archive"),
        )

    def record_fetch(
        self,
        url: str,
        *,
        source: str,
        etag: str | None,
        last_modified: str | None,
        content_key: str | None,
        ttl: int,
        archive_ref: str | None = None,
        content_fetched_at: float | None = None,
        robots_tag: str | None = None,
    ) -> float:
        """Remember a successful fetch (validators, content, archive place) for the next visit.

        `content_fetched_at` is when the parsed content was fetched (a re-parse keeps it);
        `robots_tag` the response's X-Robots-Tag, which a re-parse honours. Returns when the
        URL was first fetched (this fetch, unless an earlier one was kept).
        """
        fetch = Fetched(url, source, etag, last_modified, content_key, archive_ref,
                        content_fetched_at, robots_tag)  # fmt: skip
        return self.record_fetches([fetch], ttl)[0]

    def record_fetches(self, fetches: Sequence[Fetched], ttl: int) -> list[float]:
        """`record_fetch` for many URLs in one round trip (the pages of an index batch);
        returns when each was first fetched."""
        if not fetches:
            return []
        now = time.time()
        with redis_errors("recording a fetch"):
            pipe = self.client.pipeline(transaction=True)
            for fetch in fetches:
                key = f"url:{url_id(fetch.url)}"
                pipe.hset(key, mapping=fetch.mapping(now))
                pipe.hsetnx(key, "first_fetched_at", fetch.content_fetched_at or now)
                pipe.hget(key, "first_fetched_at")
                pipe.expire(key, ttl)
            replies = pipe.execute()
        return [float(first) for first in replies[2::4]]

    def parsed_pages(self, source: str | None = None) -> Iterator[StoredPage]:
        """Every URL parsed before (of one source, or all), with what a re-parse needs."""
        for batch in self.parsed_page_batches(source):
            yield from batch

    def parsed_page_batches(self, source: str | None = None) -> Iterator[list[StoredPage]]:
        """`parsed_pages` one scan batch at a time (none empty): the URL states are read in
        one pipelined round trip per batch, not one per page."""
        fields = ("url", "source", "content_key", "archive", "content_fetched_at", "fetched_at",
                  "robots_tag")  # fmt: skip
        with redis_errors("listing parsed pages"):
            cursor = 0
            while True:
                cursor, keys = cast(
                    tuple[int, list[bytes]],
                    self.client.scan(cursor, match="url:*", count=PARSED_SCAN_BATCH),
                )
                pipe = self.client.pipeline(transaction=False)
                for key in keys:
                    pipe.hmget(key, *fields)
                states = cast(list[list[bytes | None]], pipe.execute())
                batch = [p for p in (_stored_page(st, source) for st in states) if p is not None]
                if batch:
                    yield batch
                if cursor == 0:
                    return

    def robots_tag(self, url: str) -> str | None:
        """The X-Robots-Tag header the URL's content was fetched with (None: none)."""
        with redis_errors("reading URL state"):
            value = cast(bytes | None, self.client.hget(f"url:{url_id(url)}", "robots_tag"))
        return value.decode("utf-8", "replace") if value else None

    def touch(self, url: str) -> None:
        """Mark a URL as fetched now without changing its validators (a 304)."""
        with redis_errors("recording a fetch"):
            self.client.hset(f"url:{url_id(url)}", "fetched_at", time.time())

    def content_fetched_many(self, urls: list[str]) -> list[float | None]:
        """content_fetched_at of each URL, in one round trip."""
        with redis_errors("reading URL state"):
            pipe = self.client.pipeline(transaction=False)
            for url in urls:
                pipe.hmget(f"url:{url_id(url)}", "content_fetched_at", "fetched_at")
            replies = cast(list[list[bytes | None]], pipe.execute())
        return [_content_stamp(stamp, visited) for stamp, visited in replies]

    def note_listed(self, listed: list[tuple[str, float | None, float | None]], ttl: int) -> None:
        """Keep the publication date and lastmod a feed or sitemap gave each URL (epoch
        seconds; (url, published, lastmod)) on the URL's state, as `listed_published` and
        `listed_lastmod`."""
        with redis_errors("recording listed dates"):
            pipe = self.client.pipeline(transaction=False)
            for url, published, lastmod in listed:
                mapping: dict[Any, str | float] = {
                    name: value
                    for name, value in (
                        ("listed_published", published),
                        ("listed_lastmod", lastmod),
                    )
                    if value is not None
                }
                if mapping:
                    key = f"url:{url_id(url)}"
                    mapping["url"] = url
                    pipe.hset(key, mapping=mapping)
                    pipe.expire(key, ttl, nx=True)
            pipe.execute()

    # revisits ---------------------------------------------------------------------------

    def schedule_revisit(self, source: str, url: str, due: float | None) -> None:
        """Fetch the URL again at `due` (epoch seconds); None: never again."""
        self.schedule_revisits([(source, url, due)])

    def schedule_revisits(self, revisits: Sequence[tuple[str, str, float | None]]) -> None:
        """`schedule_revisit` of many (source, url, due) in one round trip."""
        if not revisits:
            return
        with redis_errors("scheduling a revisit"):
            pipe = self.client.pipeline(transaction=False)
            for source, url, due in revisits:
                if due is None:
                    pipe.zrem(f"revisit:{source}", url)
                else:
                    pipe.zadd(f"revisit:{source}", {url: due})
            pipe.execute()

    def due_revisits(self, source: str, now: float, limit: int) -> list[tuple[str, float | None]]:
        """Up to `limit` URLs of the source due by `now`, earliest first, with when each
        was first fetched (None when its state expired)."""
        with redis_errors("reading due revisits"):
            raw = cast(
                list[bytes],
                self.client.zrangebyscore(f"revisit:{source}", "-inf", now, start=0, num=limit),
            )
            urls = [member.decode() for member in raw]
            pipe = self.client.pipeline(transaction=False)
            for url in urls:
                pipe.hget(f"url:{url_id(url)}", "first_fetched_at")
            firsts = cast(list[bytes | None], pipe.execute())
        return [
            (url, float(first) if first else None) for url, first in zip(urls, firsts, strict=True)
        ]

    # feeds ------------------------------------------------------------------------------

    def feed_states(self, urls: list[str]) -> list[FeedState | None]:
        """The freshness of each feed URL; None for a feed never read."""
        with redis_errors("reading feed state"):
            pipe = self.client.pipeline(transaction=False)
            for url in urls:
                pipe.hmget(f"feed:{url_id(url)}", "checked_at", "interval")
            replies = cast(list[list[bytes | None]], pipe.execute())
        return [
            FeedState(float(checked), float(interval or 0)) if checked else None
            for checked, interval in replies
        ]

    def feed_listing(self, url: str, entries: list[str], ttl: int) -> int:
        """Replace the feed's remembered listing with `entries`; how many were not in the
        previous one (every entry, the first time)."""
        key = f"feedseen:{url_id(url)}"
        with redis_errors("recording a feed listing"):
            known = cast(list[int], self.client.smismember(key, entries)) if entries else []
            pipe = self.client.pipeline(transaction=True)
            pipe.delete(key)
            if entries:
                pipe.sadd(key, *entries)
                pipe.expire(key, ttl)
            pipe.execute()
        return sum(1 for present in known if not present)

    def save_feed_state(self, url: str, state: FeedState, new_items: bool, ttl: int) -> None:
        """Remember when the feed was read and its interval (and, with new items, when)."""
        key = f"feed:{url_id(url)}"
        mapping: dict[Any, str | float] = {
            "url": url,
            "checked_at": state.checked_at,
            "interval": state.interval,
        }
        if new_items:
            mapping["last_new_at"] = state.checked_at
        with redis_errors("recording feed state"):
            pipe = self.client.pipeline(transaction=True)
            pipe.hset(key, mapping=mapping)
            pipe.expire(key, ttl)
            pipe.execute()

    def remember_feeds(self, source: str, announcer: str, feeds: list[str]) -> None:
        """Record the feeds a start page announces, or the child sitemaps a sitemap index
        lists (`announcer` is that page), so later runs read them even when the page is
        unchanged (and so not parsed again). Called with the page's whole current list:
        those it no longer announces are forgotten."""
        with redis_errors("recording known feeds"):
            self._remember_feeds(keys=_feeds_keys(source), args=[announcer, *feeds])

    def forget_feed(self, source: str, url: str) -> None:
        """A remembered feed answered 404/410: later runs no longer read it."""
        with redis_errors("forgetting a feed"):
            self.client.hdel(_feeds_keys(source)[0], url)

    def remembered_feeds(self, source: str) -> list[str]:
        """The feeds and child sitemaps remember_feeds kept for the source, sorted."""
        by_announcer, legacy = _feeds_keys(source)
        with redis_errors("reading known feeds"):
            pipe = self.client.pipeline(transaction=False)
            pipe.hkeys(by_announcer)
            pipe.smembers(legacy)
            fields, members = cast(tuple[list[bytes], set[bytes]], tuple(pipe.execute()))
        return sorted({member.decode() for member in (*fields, *members)})
