"""Thin task wrappers: arguments, retry policy, log context, run bookkeeping, the next hop."""

from __future__ import annotations

import dataclasses
import random
import time
import traceback
from functools import partial
from typing import Any, NoReturn

import redis
import structlog
from celery import Task
from kombu.exceptions import OperationalError

from workers.app import QUEUES, Resources, app, resources
from workers.crawl import (
    Busy,
    FetchRecord,
    Outcome,
    links_to_follow,
    record_parsed,
    record_parsed_many,
)
from workers.discovery import due_seeds, feed_unchanged, found_on_page, queue_revisits
from workers.errors import (
    ExtractionError,
    HttpStatusError,
    IngestError,
    Retryable,
    RunInProgress,
    SearchUnavailable,
    StorageError,
)
from workers.frontier import StoredPage
from workers.history import GONE_STATUSES, mark_gone
from workers.indexbuffer import FLUSH_DELAY, Entry, FlushReport, settle
from workers.parse import FeedError, parse_stored_page, read_page
from workers.runs import FLUSH_ENTRY_SUFFIX, child_task_id, new_run_id
from workers.settings import get_settings

log = structlog.get_logger(__name__)


class IngestTask(Task):  # type: ignore[misc]  # Celery ships no type information
    """Base for every task: late acks, bounded retries with backoff, dead letters.

    Retries are counted in the task's own `attempt` argument, not Celery's retry counter,
    because waiting for a host's politeness slot also goes through `retry` and must not
    use up the failure budget.
    """

    acks_late = True
    reject_on_worker_lost = True
    max_attempts = get_settings().retry_max_attempts
    retry_backoff = get_settings().retry_backoff
    retry_backoff_max = get_settings().retry_backoff_max
    retry_jitter = True

    @property
    def res(self) -> Resources:
        """This process's clients and stage objects (Redis, Elasticsearch, settings,
        sources, the crawler), built on first use after the worker forked."""
        return resources()

    def backoff(self, attempt: int, hint: float | None = None) -> float:
        """Seconds before retry number `attempt + 1`: exponential, capped, jittered."""
        delay = min(self.retry_backoff * 2**attempt, self.retry_backoff_max)
        if self.retry_jitter:
            delay = random.uniform(delay / 2, delay)
        if hint is not None:
            delay = max(delay, hint)
        return float(min(delay, self.retry_backoff_max))

    def retry_later(self, exc: Retryable, **changes: Any) -> NoReturn:
        """Retry with backoff (with `changes` to the arguments), or give up (raise) once the
        attempts are used up."""
        attempt = int(self.request.kwargs.get("attempt", 0))
        if attempt + 1 >= self.max_attempts:
            raise exc
        countdown = self.backoff(attempt, exc.retry_after)
        log.warning(
            "task_retry",
            error=str(exc),
            error_type=type(exc).__name__,
            attempt=attempt + 1,
            countdown=round(countdown, 2),
        )
        raise self.retry(
            kwargs={**self.request.kwargs, **changes, "attempt": attempt + 1},
            countdown=countdown,
            max_retries=self.request.retries + 1,
            exc=exc,
        )

    def come_back(self, seconds: float, **changes: Any) -> NoReturn:
        """Run again in `seconds` (a politeness wait, not a failure)."""
        raise self.retry(
            kwargs={**self.request.kwargs, **changes},
            countdown=min(max(seconds, 0.0), self.retry_backoff_max),
            max_retries=self.request.retries + 1,
        )

    def on_success(self, retval: Any, task_id: str, args: Any, kwargs: dict[str, Any]) -> None:
        run_id = kwargs.get("run_id")
        if run_id and not getattr(self.request, "handed_over", False):
            self.res.runs.close_task(run_id, task_id)

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: dict[str, Any], einfo: Any
    ) -> None:
        """The task failed for good: keep it as a dead letter, count it, close it."""
        runs = self.res.runs
        log.error(
            "task_dead_lettered",
            error=str(exc),
            error_type=type(exc).__name__,
            attempts=int(kwargs.get("attempt", 0)) + 1,
        )
        runs.dead_letter(
            {
                "task": self.name,
                "task_id": task_id,
                "kwargs": {**kwargs, "attempt": 0},
                "error": f"{type(exc).__name__}: {exc}",
                "traceback": "".join(traceback.format_exception(exc))[-2000:],
                "failed_at": time.time(),
            }
        )
        run_id = kwargs.get("run_id")
        if run_id:
            url = str(kwargs.get("url") or kwargs.get("page_url") or "")
            runs.record_error(run_id, url, f"{type(exc).__name__}: {exc}")
            runs.close_task(run_id, task_id)


def _bind(**values: Any) -> None:
    structlog.contextvars.bind_contextvars(**{k: v for k, v in values.items() if v is not None})


def _drop(run_id: str | None, url: str, exc: IngestError) -> None:
    """A final, expected failure: log it once, count it in the run, move on."""
    log.warning("page_dropped", error=exc.message, error_type=type(exc).__name__)
    if run_id:
        resources().runs.record_error(run_id, url, f"{type(exc).__name__}: {exc.message}")


@dataclasses.dataclass(frozen=True, slots=True)
class Hop:
    """A URL for the frontier: its depth, and whether it is a seed (a start page, feed or
    sitemap) or `due` (fetched even when fetched recently: a revisit, a later lastmod)."""

    url: str
    depth: int
    seed: bool = False
    due: bool = False

    def fetch_kwargs(self, source: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "url": self.url, "source": source, "depth": self.depth, "seed": self.seed
        }  # fmt: skip
        if self.due:
            kwargs["due"] = True
        return kwargs


def send_fetches(
    run_id: str | None, parent_id: str, source: str, max_pages: int, hops: list[Hop]
) -> int:
    """Hand URLs to the frontier; send the fetch task of each this run has not seen yet.

    The URLs are admitted to the run (seen, counted against max_pages, registered as open
    tasks) in one Redis round trip, whatever their number. Returns how many were sent.
    """
    first: dict[str, Hop] = {}
    for hop in hops:
        first.setdefault(hop.url, hop)
    unique = list(first.values())
    every = [hop.fetch_kwargs(source) for hop in unique]
    if run_id is None:
        admitted = [True] * len(unique)
        task_ids: list[str | None] = [None] * len(unique)
    else:
        ids = [child_task_id(run_id, "fetch", hop.url) for hop in unique]
        for kwargs in every:
            kwargs["run_id"] = run_id
        triples = [
            (hop.url, task_id, (fetch.name, kwargs))
            for hop, task_id, kwargs in zip(unique, ids, every, strict=True)
        ]
        admitted = resources().runs.admit_urls(run_id, triples, parent_id, max_pages)
        task_ids = list(ids)
    sends = [
        (kwargs, task_id)
        for kwargs, task_id, admit in zip(every, task_ids, admitted, strict=True)
        if admit
    ]
    if len(sends) > 1:
        try:  # one pipeline of LPUSHes for all of them
            with app.producer_or_acquire() as producer, producer.batch():
                for kwargs, task_id in sends:
                    fetch.apply_async(kwargs=kwargs, task_id=task_id, producer=producer)
            return len(sends)
        except (redis.RedisError, OperationalError, OSError) as exc:
            # The batch is sent whole or in part: send them all again one by one, with the
            # broker's publish retries (fetch tasks are idempotent).
            log.warning("fetch_batch_failed", error=str(exc), error_type=type(exc).__name__)
    with app.producer_or_acquire() as producer:  # one broker connection for all of them
        for kwargs, task_id in sends:
            fetch.apply_async(kwargs=kwargs, task_id=task_id, producer=producer)
    return len(sends)


def send_fetch(
    run_id: str | None,
    parent_id: str,
    url: str,
    source: str,
    depth: int,
    max_pages: int,
    *,
    seed: bool = False,
    due: bool = False,
) -> bool:
    """Hand one URL to the frontier (see `send_fetches`); True when its fetch was sent."""
    return bool(send_fetches(run_id, parent_id, source, max_pages, [Hop(url, depth, seed, due)]))


def _send_hop(
    task: Task,
    run_id: str | None,
    stage: str,
    key: str,
    *,
    tally: tuple[str, str] | None = None,
    last_step_of: IngestTask | None = None,
    **kwargs: Any,
) -> None:
    """Send the next stage's task, registered with the run first so `--wait` waits for it
    (with `tally` recorded in the run in the same round trip).

    `last_step_of`: the running task that sends it as its last step; that task leaves the
    run in the same round trip (the new one open first, so the run cannot finish in
    between) instead of in a second one when it returns.
    """
    task_id = child_task_id(run_id or new_run_id(), stage, key)
    message = {**kwargs, "run_id": run_id}
    if run_id:
        closes = last_step_of.request.id if last_step_of is not None else None
        resources().runs.open_task(
            run_id, task_id, tally=tally, closes=closes, message=(task.name, message)
        )
        if last_step_of is not None:
            last_step_of.request.handed_over = True
    task.apply_async(kwargs=message, task_id=task_id)


def resend_task(name: str, kwargs: dict[str, Any], task_id: str) -> None:
    """Send a run's task again under its own id: its message vanished (workers.runs)."""
    log.warning("task_resent", task=name, resent_id=task_id, url=kwargs.get("url"))
    app.send_task(name, kwargs=kwargs, task_id=task_id)


@app.task(base=IngestTask, bind=True, name="crawl.discover")
def discover(self: IngestTask, *, source: str, run_id: str | None = None, attempt: int = 0) -> str:
    """Start a crawl run of one source: send its start pages, its due feeds and sitemaps
    (configured, announced by a start page, or listed by the robots.txt of a seed's origin),
    and its due revisits.

    While a robots.txt is unreachable the configured seeds go anyway and the task retries
    for its sitemaps (a seed already sent in this run is not sent twice); when the retries
    are used up the run goes on without them.
    """
    res = self.res
    _bind(source=source)
    try:
        src = res.sources.get(source)
    except IngestError as exc:
        log.error("source_unusable", error=str(exc))
        return run_id or ""
    if run_id is None:  # sent without a run (a replayed dead letter): this task starts one
        run_id = new_run_id()
        holder = res.runs.acquire(source, run_id, QUEUES, resend_task)
        if holder is not None:
            log.info("crawl_still_running", run_id=holder)
            return holder
        res.runs.start(run_id, source, None)
        res.runs.note_start(source, time.time())
    _bind(run_id=run_id)
    robots_sitemaps: list[str] = []
    unreachable: Retryable | None = None
    if src.respect_robots:
        try:
            robots_sitemaps = res.crawler.robots_sitemaps(src)
        except Retryable as exc:
            unreachable = exc
    now = time.time()
    seeds = due_seeds(res.frontier, src, now, robots_sitemaps)
    sent = send_fetches(
        run_id,
        self.request.id,
        source,
        src.max_pages,
        [Hop(url, 0, seed=True) for url in seeds.urls],
    )
    revisits = queue_revisits(
        res.frontier,
        src,
        now,
        lambda url: send_fetch(
            run_id, self.request.id, url, source, src.max_depth, src.max_pages, due=True
        ),
    )
    log.info("crawl_started", seeds=sent, feeds_resting=len(seeds.resting), revisits=revisits)
    # Documents a previous run left in the index buffer (an outage) are written now.
    index_flush.apply_async(countdown=0)
    if unreachable is not None:
        if attempt + 1 < self.max_attempts:
            self.retry_later(unreachable, run_id=run_id)
        log.warning("robots_sitemaps_skipped", error=str(unreachable))
    return run_id


@app.task(base=IngestTask, bind=True, name="crawl.fetch")
def fetch(
    self: IngestTask,
    *,
    url: str,
    source: str,
    depth: int = 0,
    run_id: str | None = None,
    seed: bool = False,
    slot_reserved: bool = False,
    due: bool = False,
    attempt: int = 0,
) -> None:
    """Fetch one URL politely and store the body; a changed page goes on to parse."""
    res = self.res
    _bind(url=url, source=source, run_id=run_id, depth=depth)
    try:
        src = res.sources.get(source)
        result = res.crawler.crawl(url, src, seed=seed, slot_reserved=slot_reserved, due=due)
    except Retryable as exc:
        self.retry_later(exc)
    except IngestError as exc:
        _drop(run_id, url, exc)
        if isinstance(exc, HttpStatusError) and exc.status in GONE_STATUSES:
            if seed or due:  # a remembered feed or child sitemap that is gone
                try:
                    res.frontier.forget_feed(source, url)
                except Retryable as forget_exc:  # read again next run, and forgotten then
                    log.warning("feed_not_forgotten", error=str(forget_exc))
            _send_hop(index_gone, run_id, "gone", url, last_step_of=self, url=url)
        return
    if isinstance(result, Busy):
        self.come_back(result.come_back_in(src), slot_reserved=result.reserved)
    if result.outcome is not Outcome.FETCHED:
        log.info("page_skipped", outcome=result.outcome.value)
        if result.outcome is Outcome.UNCHANGED:
            if seed or due:  # feeds, sitemaps and child sitemaps come as one or the other
                feed_unchanged(res.frontier, url, src, time.time())
            if run_id:
                res.runs.record(run_id, "unchanged", url)
            if url in src.start_urls and result.page_key:
                # An unchanged start page still leads to its stories: one whose fetch,
                # parse or index step was lost (a crash, a Redis restart) is found again
                # here; those fetched and indexed are skipped by their fetch task.
                _send_hop(
                    parse_page, run_id, "links", f"{url}|{result.page_key}",
                    page_key=result.page_key, url=result.final_url or url, requested_url=url,
                    source=source, depth=depth, archive_ref=result.archive_ref,
                    robots_tag=res.frontier.robots_tag(url), links_only=True, last_step_of=self,
                )  # fmt: skip
        return
    log.info("page_fetched", final_url=result.final_url, page_key=result.page_key)
    _send_hop(
        parse_page,
        run_id,
        "parse",
        f"{url}|{result.page_key}",
        tally=("fetched", url),
        last_step_of=self,
        page_key=result.page_key,
        url=result.final_url,
        requested_url=url,
        source=source,
        depth=depth,
        etag=result.etag,
        last_modified=result.last_modified,
        archive_ref=result.archive_ref,
        fetched_at=time.time(),
        robots_tag=result.robots_tag,
    )


@app.task(base=IngestTask, bind=True, name="parse.page")
def parse_page(
    self: IngestTask,
    *,
    page_key: str,
    url: str,
    source: str,
    requested_url: str | None = None,
    depth: int = 0,
    run_id: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    archive_ref: str | None = None,
    follow_links: bool = True,
    fetched_at: float | None = None,
    robots_tag: str | None = None,
    links_only: bool = False,
    attempt: int = 0,
) -> None:
    """Extract a stored page; send its documents to index and its links to the frontier.

    A re-parse (follow_links=False) only refreshes the page's documents; an unchanged start
    page (links_only=True) only sends its links. `robots_tag` is the page's X-Robots-Tag
    header, obeyed with its robots meta tags.
    """
    res = self.res
    _bind(url=url, source=source, run_id=run_id, depth=depth)
    try:
        page = read_page(res.store, res.archive, page_key, archive_ref, url)
        result = parse_stored_page(
            page,
            source,
            res.rules.current(),
            fetched_at,
            robots_tag=robots_tag,
            user_agent=res.settings.user_agent,
        )
    except Retryable as exc:
        self.retry_later(exc)
    except (IngestError, FeedError) as exc:
        error = exc if isinstance(exc, IngestError) else ExtractionError(str(exc), url)
        _drop(run_id, url, error)
        return
    log.info(
        "page_parsed",
        kind=result.kind,
        documents=len(result.actions),
        links=len(result.links),
        reason=result.reason,
    )
    if result.robots.noindex:
        log.info("robots_noindex", via=list(result.robots.sources), nofollow=result.robots.nofollow)
    elif result.robots.nofollow:
        log.info("robots_nofollow", via=list(result.robots.sources))
    # The page counts as fetched (not fetched again before recrawl_after, its content
    # "unchanged") only once its documents are indexed: a page whose parse or index step
    # was lost (a crash, a Redis restart) is fetched again by the next run.
    src = res.sources.get(source) if follow_links else None
    record = FetchRecord(
        requested_url or url,
        source,
        page_key,
        etag,
        last_modified,
        archive_ref,
        fetched_at,
        robots_tag,
        kind=result.kind,
        revisit=src.revisit if src else (),
    )
    if result.actions and not links_only:
        # Straight into the index buffer, no index.bulk hop: a retried parse buffers the
        # page again, which upserts the same documents by id.
        entry = Entry(
            [action.to_json() for action in result.actions],
            url,
            run_id,
            f"{self.request.id}{FLUSH_ENTRY_SUFFIX}",
            dataclasses.asdict(record) if follow_links else None,
        )
        _buffer(self, entry, flush_here=False)
    if src is None:
        return
    found = found_on_page(res.frontier, requested_url or url, result, depth, src, time.time())
    hops = [
        Hop(link, link_depth, due=link in found.due)
        for link, link_depth in links_to_follow(found.links, found.same_depth_links, depth, src)
    ]
    # The feeds an unchanged start page announces are remembered already: discover reads
    # them on their own freshness.
    hops += [Hop(feed, depth, seed=True) for feed in (() if links_only else found.feeds)]
    followed = send_fetches(run_id, self.request.id, source, src.max_pages, hops)
    if followed or found.skipped_old or found.skipped_unchanged:
        log.info(
            "links_queued",
            count=followed,
            new_items=found.new_items,
            skipped_old=found.skipped_old,
            skipped_unchanged=found.skipped_unchanged,
        )
    if not result.actions and not links_only:
        record_parsed(res.frontier, record)


@app.task(base=IngestTask, bind=True, name="index.bulk")
def index_documents(
    self: IngestTask,
    *,
    actions: list[dict[str, Any]],
    page_url: str = "",
    run_id: str | None = None,
    completes: dict[str, Any] | None = None,
    attempt: int = 0,
) -> None:
    """Hand a page's documents to the index buffer; they are written in a shared batch.

    Parse tasks buffer their pages themselves (see `_buffer`); this task takes what comes
    by message: one queued by an older worker, a replayed dead letter. The run waits for
    the documents through a token the flush closes (workers.indexbuffer).
    """
    _bind(url=page_url, run_id=run_id)
    entry = Entry(actions, page_url, run_id, f"{self.request.id}{FLUSH_ENTRY_SUFFIX}", completes)
    _buffer(self, entry, flush_here=True)


def _buffer(task: IngestTask, entry: Entry, *, flush_here: bool) -> None:
    """Put a page's documents in the index buffer, registered with the run by the entry's
    token (the flush that writes them closes it), and see that a flush comes.

    A full buffer is flushed at once: in this task when `flush_here` (an index worker),
    else by an `index.flush` task sent by the page that filled it; otherwise the first page
    to arrive schedules one FLUSH_DELAY seconds away.
    """
    res = task.res
    buffer = res.index_buffer
    try:
        pages = buffer.push(entry, res.runs)  # opens the run's token in the same round trip
    except Retryable as exc:
        task.retry_later(exc)
    # The documents are safe in the buffer now: nothing below may fail this task (a retry
    # would spend its budget and buffer the page twice).
    try:
        if buffer.full(pages) and flush_here:
            _flush_now(res)
        elif buffer.full(pages) and not buffer.full(pages - 1):
            index_flush.apply_async()  # this page filled a batch: one flush for it, now
        elif buffer.claim_schedule():
            index_flush.apply_async(countdown=FLUSH_DELAY)
    except Retryable as exc:
        log.warning("index_flush_deferred", error=str(exc), error_type=type(exc).__name__)
        if buffer.claim_schedule():
            index_flush.apply_async(countdown=FLUSH_DELAY)
    log.info("documents_buffered", documents=len(entry.actions), pages_waiting=pages)


@app.task(base=IngestTask, bind=True, name="index.gone")
def index_gone(self: IngestTask, *, url: str, run_id: str | None = None, attempt: int = 0) -> None:
    """A page answered 404/410: its documents get `gone_at` and leave search."""
    _bind(url=url, run_id=run_id)
    try:
        marked = mark_gone(self.res.index, url)
    except Retryable as exc:
        self.retry_later(exc)
    log.info("page_gone", documents=marked)


@app.task(base=IngestTask, bind=True, name="index.flush")
def index_flush(self: IngestTask, attempt: int = 0) -> None:
    """Write buffered documents in batches; waits out an Elasticsearch outage, for free."""
    try:
        report = _flush_now(self.res)
    except SearchUnavailable as exc:
        wait = self.backoff(4)
        log.warning("index_waiting_for_elasticsearch", error=str(exc), countdown=round(wait, 2))
        # This task comes back for the buffer: no other flush needs scheduling meanwhile.
        self.res.index_buffer.hold_schedule(wait)
        self.come_back(wait)
    except StorageError as exc:
        self.retry_later(exc)
    if report.busy:
        self.come_back(FLUSH_DELAY)


def _complete(res: Resources, records: list[dict[str, Any]]) -> None:
    """Pages' documents are written: from now on they count as fetched."""
    record_parsed_many(res.frontier, [FetchRecord(**record) for record in records])


def _flush_now(res: Resources) -> FlushReport:
    """Drain the buffer; record each page's documents in its run, dead-letter refusals."""
    report = res.index_buffer.flush(
        res.index, partial(settle, res.runs, on_complete=partial(_complete, res))
    )
    if report.batches:
        log.info("documents_indexed", batches=report.batches, written=report.written,
                 rejected=report.rejected, pages=len(report.entries))  # fmt: skip
    return report


def start_reparse(source: str | None) -> tuple[str, int]:
    """Parse every stored page again (of one source, or all) with the current extractor.

    Pages are read from the page store, not fetched; links are not followed. Returns the
    run id and the number of pages sent.
    """
    res = resources()
    run_id = new_run_id()
    res.runs.start(run_id, source or "*", None)
    sent = 0
    for batch in res.frontier.parsed_page_batches(source):
        # One round trip opens the whole scan batch in the run; then each task is sent.
        messages = {
            child_task_id(run_id, "reparse", page.url): _reparse_kwargs(page, run_id)
            for page in batch
        }
        res.runs.open_tasks(
            run_id, {task_id: (parse_page.name, kwargs) for task_id, kwargs in messages.items()}
        )
        for task_id, kwargs in messages.items():
            parse_page.apply_async(kwargs=kwargs, task_id=task_id)
        sent += len(batch)
    return run_id, sent


def _reparse_kwargs(page: StoredPage, run_id: str) -> dict[str, Any]:
    """A stored page's parse task: its documents only, its fetch time kept."""
    return {
        "page_key": page.page_key, "url": page.url, "source": page.source,
        "archive_ref": page.archive_ref, "follow_links": False,
        "fetched_at": page.content_fetched_at, "robots_tag": page.robots_tag, "run_id": run_id,
    }  # fmt: skip


def start_crawl(source: str) -> str:
    """Enqueue a crawl of one source now; returns the run id to follow it with.

    Raises RunInProgress while another run of the source holds its lock (no two runs of
    one source overlap), ConfigError for a source that is not configured.
    """
    res = resources()
    res.sources.get(source)  # fail fast on an unknown source, before anything is queued
    run_id = new_run_id()
    holder = res.runs.acquire(source, run_id, QUEUES, resend_task)
    if holder is not None:
        raise RunInProgress(
            f"source {source!r} is being crawled by run {holder}: not starting a second "
            f"run (follow it with `ingest run {holder}`)",
            run_id=holder,
        )
    task_id = child_task_id(run_id, "discover", source)
    kwargs = {"source": source, "run_id": run_id}
    res.runs.start(run_id, source, task_id, (discover.name, kwargs))
    res.runs.note_start(source, time.time())
    discover.apply_async(kwargs=kwargs, task_id=task_id)
    return run_id


@app.task(base=IngestTask, bind=True, name="crawl.tick")
def tick(self: IngestTask, attempt: int = 0) -> None:
    """Start a run of every source that is due: its last run started `interval` seconds
    ago or more, and none is running. Beat sends this every INGEST_SCHEDULE_TICK seconds;
    sources.yaml is re-read when it changed, so added, removed and changed sources apply."""
    res = self.res
    try:
        sources = res.sources.all()
    except IngestError as exc:
        log.error("sources_unusable", error=str(exc))
        return
    now = time.time()
    for src in sources.values():
        _bind(source=src.name)
        try:
            if not res.runs.due(src.name, src.interval, now):
                continue
            run_id = start_crawl(src.name)
        except RunInProgress as exc:
            log.info("crawl_still_running", run_id=exc.run_id)
            continue
        except Retryable as exc:  # Redis away: the next tick tries again
            log.warning("tick_skipped", error=str(exc))
            return
        log.info("crawl_scheduled", run_id=run_id, interval=src.interval)


__all__ = [
    "discover",
    "fetch",
    "index_documents",
    "parse_page",
    "start_crawl",
    "start_reparse",
    "tick",
]
