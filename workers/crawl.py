"""The crawl stage as plain functions: robots gate, politeness, conditional fetch, store."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import urlsplit

import structlog

from workers.archive import WarcArchive
from workers.discovery import next_revisit
from workers.errors import (
    FetchError,
    HttpStatusError,
    PageRejected,
    RobotsDisallowed,
    UpstreamUnavailable,
)
from workers.fetch import ACCEPT_HEADER, Fetcher, FetchResult, Validators
from workers.frontier import ROBOTS_ERROR_TTL, CachedRobots, Fetched, Frontier
from workers.linkpolicy import decide
from workers.models import Source
from workers.robots import RobotsPolicy, robots_policy
from workers.store import PageStore, content_key
from workers.urls import in_domains, normalize_url

log = structlog.get_logger(__name__)

# Robots fetch: a short body and tight limits; a server that cannot serve robots.txt fast
# is treated like one that fails (5xx): no crawling of that host for a while.
ROBOTS_TYPES = ("text/plain", "text/html", "application/octet-stream")


class Outcome(Enum):
    """What happened to one fetch."""

    FETCHED = "fetched"  # new content stored; parse it
    UNCHANGED = "unchanged"  # 304, or the same bytes as last time
    RECENT = "recent"  # fetched recently enough; not fetched again


@dataclass(frozen=True, slots=True)
class CrawlResult:
    outcome: Outcome
    url: str
    final_url: str = ""
    page_key: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    # Where the response lives in the WARC archive ("file#offset"), when archiving is on.
    archive_ref: str | None = None
    # The response's X-Robots-Tag header (repeated headers joined by commas), if any.
    robots_tag: str | None = None


@dataclass(frozen=True, slots=True)
class Busy:
    """The host's next slot is `wait` seconds away; `reserved` says it is ours."""

    wait: float
    reserved: bool

    def come_back_in(self, source: Source) -> float:
        """Seconds until the task should try again.

        A reserved slot is exact; an unreserved one gets up to one delay of jitter so the
        tasks waiting on a busy host do not all come back at the same instant.
        """
        if self.reserved:
            return self.wait
        return self.wait + random.uniform(0, max(source.delay, 1.0))


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """What the fetch of one URL left for the parse stage to confirm once parsed.

    Travels inside the parse task's message as plain keyword arguments.
    """

    requested_url: str
    source: str
    page_key: str
    etag: str | None = None
    last_modified: str | None = None
    archive_ref: str | None = None
    fetched_at: float | None = None
    # X-Robots-Tag of the response, kept so that a re-parse honours it too.
    robots_tag: str | None = None
    # What the page was parsed as, and the source's revisit offsets (articles only).
    kind: str | None = None
    revisit: tuple[int, ...] = ()


# Per-URL fetch state outlives many recrawl intervals so conditional GETs keep working.
URL_STATE_TTL = 90 * 24 * 3600
# A reserved slot this close is waited for in the worker thread; a later one is a reschedule.
MAX_INLINE_WAIT = 1.5
# Slots are reserved at most this far ahead; beyond it a task comes back later unreserved.
# Never further than a task's longest countdown (Crawler.max_reserve_ahead): a task told to
# come back for its slot sooner than the slot starts would fetch before its turn.
MAX_RESERVE_AHEAD = 120.0
# A robots.txt this process read (from Redis or the site) is used again for this long
# without asking Redis: one round trip less per fetch. Only answers that allow or restrict
# crawling are kept; an unreachable robots.txt is always looked up again (its short error
# TTL is what lets a retry see the site back, frontier.robots_error_ttl).
ROBOTS_MEMO_SECONDS = 30.0
# Origins remembered at most; past it the memo starts afresh (a wide crawl's long tail).
ROBOTS_MEMO_MAX = 4096


@dataclass(frozen=True, slots=True)
class Crawler:
    """What the crawl stage needs, built once per worker process."""

    fetcher: Fetcher
    frontier: Frontier
    store: PageStore
    user_agent: str
    archive: WarcArchive | None = None
    # How long an unreachable robots.txt is remembered (frontier.robots_error_ttl).
    robots_error_ttl: float = ROBOTS_ERROR_TTL
    # How far ahead a host slot may be reserved: at most the tasks' countdown cap.
    max_reserve_ahead: float = MAX_RESERVE_AHEAD
    # origin -> (monotonic time it was read, robots.txt): see ROBOTS_MEMO_SECONDS.
    _robots_memo: dict[str, tuple[float, CachedRobots]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def robots(self, url: str, source: Source) -> RobotsPolicy:
        """The robots.txt policy of the URL's origin, from cache or fetched once.

        RFC 9309: 2xx is parsed; 4xx (and an unreadable file) allows everything; 5xx or no
        answer at all is a complete disallow for now, raised as UpstreamUnavailable (a
        Retryable naming the cause) so the task tries again once the short error cache
        (`robots_error_ttl`) has expired.
        """
        origin = origin_of(url)
        now = time.monotonic()
        memo = self._robots_memo.get(origin)
        if memo is not None and now - memo[0] < ROBOTS_MEMO_SECONDS:
            return robots_from(memo[1], origin, self.user_agent, url)
        cached = self.frontier.cached_robots(origin)
        if cached is None:
            cached = self._fetch_robots(origin, source)
            self.frontier.cache_robots(origin, cached, self.robots_error_ttl)
        if cached.status < 500:
            if len(self._robots_memo) >= ROBOTS_MEMO_MAX:
                self._robots_memo.clear()
            self._robots_memo[origin] = (now, cached)
        else:
            self._robots_memo.pop(origin, None)
        return robots_from(cached, origin, self.user_agent, url)

    def robots_sitemaps(self, source: Source) -> list[str]:
        """The `Sitemap:` URLs in the robots.txt of each seed's origin, within the source's
        domains, normalised, each once (configured ones included, in their order).

        Raises what `robots` raises: UpstreamUnavailable while a robots.txt is unreachable.
        """
        found: dict[str, None] = {}
        for origin in dict.fromkeys(origin_of(seed) for seed in source.seeds):
            if not in_domains(origin, source.allowed_domains):
                continue
            for listed in self.robots(origin + "/", source).sitemaps:
                url = normalize_url(listed, base=origin + "/robots.txt")
                if url is not None and in_domains(url, source.allowed_domains):
                    found.setdefault(url)
        return list(found)

    def _fetch_robots(self, origin: str, source: Source) -> CachedRobots:
        url = f"{origin}/robots.txt"
        try:
            result = self.fetcher.fetch(
                url,
                allow_private=source.allow_private_networks,
                accepted_types=ROBOTS_TYPES,
                # A robots.txt redirect is followed only within the source's scope.
                check_hop=lambda hop: self.check_url(hop, source, None),
            )
        except HttpStatusError as exc:
            return CachedRobots(status=exc.status or 404, body="")
        except PageRejected:
            # Unreadable robots.txt (too large, wrong type, redirect loop): allowed, per RFC.
            return CachedRobots(status=404, body="")
        except FetchError as exc:
            # 5xx, 429, refused, reset, timed out, DNS: RFC 9309's "unreachable".
            log.warning("robots_unreachable", origin=origin, error=exc.message)
            return CachedRobots(status=503, body="", error=exc.message)
        return CachedRobots(status=result.status, body=result.body.decode("utf-8", "replace"))

    def check_url(self, url: str, source: Source, policy: RobotsPolicy | None) -> None:
        """Refuse a URL (or a redirect hop) outside the source's domains or robots rules."""
        if not in_domains(url, source.allowed_domains):
            raise PageRejected("outside the source's allowed domains", url)
        if policy is not None and not policy.allows(url):
            raise RobotsDisallowed("disallowed by robots.txt", url)

    def crawl(
        self,
        url: str,
        source: Source,
        *,
        seed: bool,
        slot_reserved: bool = False,
        due: bool = False,
    ) -> CrawlResult | Busy:
        """Fetch a URL if it is due, in its turn for the host.

        Seeds and `due` URLs (a revisit, a later lastmod) are fetched however recently
        they were; other URLs wait for the source's recrawl_after.

        Returns Busy when the caller should come back later (with the slot reserved for
        it, or not); raises PageRejected (final) and Retryable errors (try again later).
        """
        state = self.frontier.url_state(url)
        recent = state.fetched_at and time.time() - state.fetched_at < source.recrawl_after
        if recent and not (seed or due):
            return CrawlResult(Outcome.RECENT, url)
        # Scope first: nothing (not even robots.txt, not even DNS) for an off-scope URL.
        self.check_url(url, source, None)
        policy = self.robots(url, source) if source.respect_robots else None
        self.check_url(url, source, policy)
        delay = max(source.delay, policy.crawl_delay or 0.0) if policy else source.delay
        if not slot_reserved:
            reserved, wait = self.frontier.take_slot(server_of(url), delay, self.max_reserve_ahead)
            if not reserved or wait > MAX_INLINE_WAIT:
                return Busy(wait, reserved)
            if wait > 0:
                time.sleep(wait)

        def check_hop(hop: str) -> None:
            if hop != url:
                self.check_url(hop, source, None)  # scope before the hop's robots.txt
                hop_policy = self.robots(hop, source) if source.respect_robots else None
                self.check_url(hop, source, hop_policy)

        try:
            result = self.fetcher.fetch(
                url,
                allow_private=source.allow_private_networks,
                validators=Validators(state.etag, state.last_modified),
                check_hop=check_hop,
            )
        except UpstreamUnavailable as exc:
            # Keep every worker off a host that is shedding load, not just this task.
            self.frontier.pause_host(server_of(url), exc.retry_after or max(delay, 5.0))
            raise
        if result.not_modified:
            self.frontier.touch(url)
            return CrawlResult(
                Outcome.UNCHANGED, url, result.final_url, state.content_key,
                archive_ref=state.archive_ref,
            )  # fmt: skip
        page_key = content_key(result.body)
        if page_key == state.content_key:
            # Parsed before: the archive already holds these bytes. A start page's links are
            # read again (see tasks.fetch), so its body goes to the short-lived hot copy.
            self.frontier.touch(url)
            if seed:
                self.store.put(result.final_url, result.content_type, result.body, page_key)
            return CrawlResult(
                Outcome.UNCHANGED, url, result.final_url, page_key, archive_ref=state.archive_ref
            )
        archive_ref = self._archive(result, state.etag, state.last_modified)
        self.store.put(result.final_url, result.content_type, result.body, page_key)
        return CrawlResult(
            Outcome.FETCHED,
            url,
            result.final_url,
            page_key,
            etag=result.validators.etag,
            last_modified=result.validators.last_modified,
            archive_ref=archive_ref,
            robots_tag=result.headers.get("x-robots-tag"),
        )

    def _archive(
        self, result: FetchResult, etag: str | None, last_modified: str | None
    ) -> str | None:
        """Write the response (and the request that got it) to the WARC archive."""
        if self.archive is None:
            return None
        request = {"User-Agent": self.user_agent, "Accept": ACCEPT_HEADER}
        if etag and not result.redirects:
            request["If-None-Match"] = etag
        if last_modified and not result.redirects:
            request["If-Modified-Since"] = last_modified
        ref = self.archive.write(
            result.final_url, result.status, dict(result.headers), result.body, request
        )
        return str(ref)


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL: what one robots.txt covers."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def robots_from(cached: CachedRobots, origin: str, user_agent: str, url: str) -> RobotsPolicy:
    """The policy a fetched (or cached) robots.txt gives `url`, per RFC 9309 section 2.3.1.

    2xx: its rules (parsed once per process). 4xx: no rules. 5xx or unreachable: complete
    disallow, raised as UpstreamUnavailable with the cause, so the task retries.
    """
    if 200 <= cached.status < 300:
        return robots_policy(origin, cached.body, user_agent)
    if cached.status >= 500:
        cause = cached.error or f"server answered {cached.status}"
        raise UpstreamUnavailable(f"robots.txt unreachable: {cause}", url)
    return RobotsPolicy.allow_all()


def server_of(url: str) -> str:
    """Politeness is per server: host and port (two ports are two servers)."""
    return urlsplit(url).netloc.lower()


def links_to_follow(
    links: Iterable[str], same_depth_links: Iterable[str], depth: int, source: Source
) -> list[tuple[str, int]]:
    """The (url, depth) pairs a parsed page sends to the frontier, each URL once.

    Ordinary links cost one level and stop at the source's max_depth; same-depth links
    (child sitemaps of a sitemap index) cost none. A link goes only when the source's link
    policy follows it (workers.linkpolicy.decide: domains, file types, allow/deny, traps);
    child sitemaps are not pages, so `allow` does not apply to them.
    """
    hops = [(link, depth + 1, False) for link in links] if depth < source.max_depth else []
    hops += [(link, depth, True) for link in same_depth_links]
    seen: set[str] = set()
    chosen = []
    for link, link_depth, discovery in hops:
        if link in seen or not decide(link, source, discovery=discovery).followed:
            continue
        seen.add(link)
        chosen.append((link, link_depth))
    return chosen


def record_parsed(frontier: Frontier, record: FetchRecord) -> None:
    """Remember a fetch only once it is complete: parsed, and its documents indexed (the
    index stage calls this). A page whose parse or index step failed or was lost (a crash,
    a Redis restart) is fetched again by the next visit. An article gets its next revisit."""
    record_parsed_many(frontier, [record])


def record_parsed_many(frontier: Frontier, records: Sequence[FetchRecord]) -> None:
    """`record_parsed` for the pages of an index batch: two round trips for all of them."""
    fetches = [
        Fetched(record.requested_url, record.source, record.etag, record.last_modified,
                record.page_key, record.archive_ref, record.fetched_at, record.robots_tag)
        for record in records
    ]  # fmt: skip
    firsts = frontier.record_fetches(fetches, URL_STATE_TTL)
    revisits: list[tuple[str, str, float | None]] = []
    for record, first in zip(records, firsts, strict=True):
        if record.kind == "article" and record.revisit:
            # offsets count from the first fetch; the next is the first after this fetch (a
            # slow parse or index step does not skip one)
            fetched = record.fetched_at or time.time()
            due = next_revisit(first, fetched, record.revisit)
            revisits.append((record.source, record.requested_url, due))
    frontier.schedule_revisits(revisits)
