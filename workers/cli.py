"""The `ingest` command: trigger crawls, search, and look after the running system."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from workers.errors import IngestError, QueryError, RunInProgress

if TYPE_CHECKING:
    from workers.index import SearchIndex
    from workers.search import Hit

cli = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
deadletter_cli = typer.Typer(
    no_args_is_help=True, help="List and replay tasks that failed for good."
)
cli.add_typer(deadletter_cli, name="deadletter")
kibana_cli = typer.Typer(
    no_args_is_help=True, help="Kibana saved objects shipped in config/kibana."
)
cli.add_typer(kibana_cli, name="kibana")
# Characters a terminal acts on rather than shows: C0/C1 controls (ESC starts colour,
# cursor and title sequences) and the bidirectional overrides that reorder what is shown.
_UNSHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Page text made safe for a terminal: every control character shown as an escape."""
    return _UNSHOWN.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


_SPACES = re.compile(r"\s+")


class PlainConsole(Console):
    """A console that prints strings literally: no rich markup, emoji codes or highlighting
    is read from them, and control characters are shown as escapes (see `visible`). Styles
    come only from Text(..., style=...) built with `plain`."""

    def __init__(self, **kwargs: Any) -> None:
        # soft_wrap: a long URL or title stays one line for grep and pipes.
        super().__init__(markup=False, emoji=False, highlight=False, soft_wrap=True, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(visible(text), **kwargs)


def plain(text: str, style: str = "") -> Text:
    """Page text as a styled Text: whitespace runs folded to one space, controls escaped."""
    return Text(visible(_SPACES.sub(" ", text)), style=style)


console = PlainConsole()
errors = PlainConsole(stderr=True)
# A waited-for run with no progress for this long is checked for vanished tasks.
STALL_CHECK_AFTER = 15.0
# `ingest status` lists this many of the newest runs.
STATUS_RUNS = 10


def _fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error (newlines in the message folded) and exit with `code`."""
    errors.print(Text("error: ", style="red") + plain(message))
    return typer.Exit(code)


@cli.command()
def crawl(
    source: Annotated[str, typer.Argument(help="Source name from sources.yaml.")],
    wait: Annotated[bool, typer.Option(help="Block until every task of the run finished.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait at most (with --wait).")] = 600,
) -> None:
    """Enqueue a crawl of SOURCE now; with --wait, print the run's figures as JSON.

    Exits 4 without starting anything while another run of SOURCE is in progress.
    """
    from workers.tasks import start_crawl  # noqa: PLC0415 -- keep `ingest --help` fast

    try:
        run_id = start_crawl(source)
    except RunInProgress as exc:
        raise _fail(str(exc), code=4) from exc
    except IngestError as exc:
        raise _fail(str(exc)) from exc
    if not wait:
        typer.echo(json.dumps({"run_id": run_id, "source": source, "queued": True}))
        return
    _wait_and_report(run_id, timeout)


def _make_searchable(index: SearchIndex) -> None:
    """Refresh the indices once, so what a waited-for run wrote is found by the very next
    search, `history` or `promoted` (not only after Elasticsearch's next periodic refresh)."""
    try:
        index.client.indices.refresh(
            index=f"{index.alias('articles')},{index.alias('teasers')}", ignore_unavailable=True
        )
    except Exception as exc:  # noqa: BLE001 -- the run's figures matter more than this
        errors.print(f"note: could not refresh the indices: {visible(str(exc))}")


def _wait_and_report(run_id: str, timeout: float) -> None:
    """Poll the run until every task of it finished or is known lost, then print its figures.

    Exits 0 for a `done` run, 3 for an `incomplete` one (Redis restarted, or tasks vanished:
    crawl again to recover), 2 when the timeout passes first.
    """
    from workers.app import QUEUES, resources  # noqa: PLC0415
    from workers.tasks import resend_task  # noqa: PLC0415

    runs = resources().runs
    deadline = time.monotonic() + timeout
    last_progress, progress_at = None, time.monotonic()
    while True:
        summary = runs.summary(run_id)
        if summary is not None and summary.settled:
            break
        progress = summary.as_dict() if summary else None
        if progress is not None:
            progress.pop("seconds")
        if progress != last_progress:
            last_progress, progress_at = progress, time.monotonic()
        elif time.monotonic() - progress_at > STALL_CHECK_AFTER:
            # No progress for a while: is anything still held? Lost messages are sent again.
            runs.vanished(run_id, QUEUES, resend_task)
            progress_at = time.monotonic()
        if time.monotonic() > deadline:
            typer.echo(json.dumps(summary.as_dict() if summary else {"run_id": run_id}))
            raise _fail(f"run {run_id} still has open tasks after {timeout}s", code=2)
        time.sleep(0.25)
    _make_searchable(resources().index)
    typer.echo(json.dumps(summary.as_dict()))
    if summary.state != "done":
        raise _fail(
            f"run {run_id} is incomplete ({summary.incomplete}): run the crawl again to "
            "fetch what was lost",
            code=3,
        )


@cli.command()
def reparse(
    source: Annotated[str | None, typer.Option(help="Only this source's pages.")] = None,
    wait: Annotated[bool, typer.Option(help="Block until every page is re-indexed.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait at most (with --wait).")] = 3600,
) -> None:
    """Parse stored pages again with the current extractor and rules, without fetching."""
    from workers.tasks import start_reparse  # noqa: PLC0415

    try:
        run_id, sent = start_reparse(source)
    except IngestError as exc:
        raise _fail(str(exc)) from exc
    errors.print(f"{sent} stored page(s) sent for re-parsing (run {run_id})")
    if wait:
        _wait_and_report(run_id, timeout)
    else:
        typer.echo(json.dumps({"run_id": run_id, "pages": sent, "queued": True}))


@cli.command()
def reindex(
    kind: Annotated[
        str, typer.Option(help="articles, teasers or all.", case_sensitive=False)
    ] = "all",
    keep_old: Annotated[bool, typer.Option(help="Keep the previous index version.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
    max_docs_per_second: Annotated[
        float | None, typer.Option(help="Throttle the copy (documents per second).")
    ] = None,
) -> None:
    """Rebuild indices from the current templates behind the aliases, with no downtime.

    Resumable: a run that was interrupted is finished by the next one.
    """
    from workers.errors import ReindexInProgress  # noqa: PLC0415
    from workers.index import DOC_KINDS  # noqa: PLC0415
    from workers.reindex import Reindexer, ReindexLock  # noqa: PLC0415
    from workers.settings import get_settings  # noqa: PLC0415

    kind = kind.lower()
    kinds = DOC_KINDS if kind == "all" else tuple(k for k in DOC_KINDS if k == kind)
    if not kinds:
        raise _fail(f"unknown kind {kind!r}: use articles, teasers or all", code=2)
    index = _search_index()
    # One lock for every kind of this run: a second `ingest reindex` stops here (exit 4).
    lock = ReindexLock(index)
    try:
        lock.acquire()
    except ReindexInProgress as exc:
        raise _fail(str(exc), code=4) from exc
    except IngestError as exc:
        raise _fail(str(exc)) from exc
    reports = []
    try:
        with _copy_progress(enabled=errors.is_terminal) as progress:
            for k in kinds:
                task = progress.add_task(f"reindex {k}", total=None)
                reindexer = Reindexer(
                    index,
                    max_docs_per_second=max_docs_per_second,
                    hook=_failpoint_hook(get_settings().failpoint),
                    progress=_progress_updater(progress, task),
                    lock=lock,
                )
                try:
                    reports.append(reindexer.run(k, keep_old=keep_old))
                except KeyboardInterrupt:
                    progress.stop()
                    errors.print("interrupted: run `ingest reindex` again to finish this rebuild")
                    raise typer.Exit(130) from None
                except IngestError as exc:
                    raise _fail(str(exc)) from exc
    finally:
        lock.release()
    if as_json:
        typer.echo(json.dumps(reports))
        return
    for report in reports:
        resumed = " (finished an interrupted run)" if report["resumed"] else ""
        typer.echo(
            f"{report['kind']}: {', '.join(report['from']) or '-'} -> {report['to']} "
            f"({report['method']}), {report['target_count']} documents, "
            f"{report['copied']} copied, {report['newer_in_target']} newer kept, "
            f"{report['seconds']} s{resumed}"
        )


def _search_index() -> SearchIndex:
    """The index store alone, without the Celery app (its import is slow on a busy host)."""
    from workers.clients import search_index  # noqa: PLC0415
    from workers.settings import get_settings  # noqa: PLC0415

    return search_index(get_settings())


def _copy_progress(*, enabled: bool) -> Any:
    """A progress bar on stderr when it is a terminal, else a silent stand-in."""
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
        disable=not enabled,
    )


def _progress_updater(progress: Any, task: Any) -> Callable[[int, int], None]:
    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return update


def _failpoint_hook(spec: str | None) -> Any:
    """Test-only fault injection: send this process a signal at a reindex step."""
    import os  # noqa: PLC0415
    import signal  # noqa: PLC0415

    from workers.reindex import parse_failpoint  # noqa: PLC0415

    point = parse_failpoint(spec)
    if point is None:
        return None
    step, count, signal_name = point

    def hook(at: str, copied: int) -> None:
        if at == step and copied >= count:
            os.kill(os.getpid(), getattr(signal, signal_name))

    return hook


class KindChoice(StrEnum):
    ARTICLES = "articles"
    TEASERS = "teasers"
    ALL = "all"


class SortChoice(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"


# Options a query word may look like; anything else starting with "-" is query text.
_OPTION_LIKE = re.compile(r"--[a-z][a-z-]*(=.*)?")


@cli.command()
def history(
    url: Annotated[str, typer.Argument(help="The article's URL (canonical or as fetched).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the versions as JSON.")] = False,
) -> None:
    """Every version of an article, oldest first, each with a word diff against the one before."""
    from workers.history import versions, word_diff  # noqa: PLC0415

    try:
        found = versions(_search_index(), url)
    except IngestError as exc:
        raise _fail(str(exc)) from exc
    if not found:
        raise _fail(f"no article indexed for {url}")
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False))
        return
    previous: dict[str, Any] | None = None
    for version in found:
        console.print(
            Text(f"version {version['version']}  fetched ") + plain(str(version.get("fetched_at")))
        )
        console.print(Text("  title: ") + plain(version.get("title") or ""))
        if previous is not None:
            if previous.get("title") != version.get("title"):
                diff = word_diff(previous.get("title") or "", version.get("title") or "")
                console.print(Text("  title diff: ") + plain(diff))
            if previous.get("body_hash") != version.get("body_hash"):
                diff = word_diff(previous.get("body") or "", version.get("body") or "")
                console.print(Text("  body diff: ") + plain(diff))
        previous = version
    if found[-1].get("gone_at"):
        console.print(Text("gone since ") + plain(str(found[-1]["gone_at"])))


@cli.command()
def promoted(
    url: Annotated[str, typer.Argument(help="The story's URL.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the placements as JSON.")] = False,
) -> None:
    """Where and when a story was promoted: page, block, position, first and last seen."""
    from workers.history import placements  # noqa: PLC0415

    try:
        found = placements(_search_index(), url)
    except IngestError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False))
        return
    if not found:
        console.print(Text("no teaser points to ") + plain(url))
        return
    for place in found:
        line = plain(str(place.get("seen_on")))
        line.append_text(Text("  block=") + plain(str(place.get("block") or "-")))
        line.append_text(Text(f"  position={place.get('position')}  first_seen="))
        line.append_text(plain(str(place.get("first_seen"))) + Text("  last_seen="))
        line.append_text(plain(str(place.get("last_seen"))))
        if place.get("gone_at"):
            line.append_text(Text("  (page gone)"))
        console.print(line)


@cli.command(context_settings={"ignore_unknown_options": True})
def search(
    query: Annotated[
        str,
        typer.Argument(
            help='Words to find: "a phrase", -word to exclude, a | b, title:word '
            "(title, subtitle, body, author, caption). A leading - needs no `--`."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array of hits.")] = False,
    size: Annotated[int, typer.Option(help="Number of hits.", min=1, max=1000)] = 10,
    source: Annotated[str | None, typer.Option(help="Only this configured source.")] = None,
    kind: Annotated[KindChoice, typer.Option(case_sensitive=False)] = KindChoice.ALL,
    since: Annotated[
        str | None, typer.Option(help="Published (teasers: shown) since: ISO date or 2h, 3d.")
    ] = None,
    until: Annotated[str | None, typer.Option(help="... and until: ISO date or age.")] = None,
    lang: Annotated[
        str | None, typer.Option(help="Article language (en also finds en-GB).")
    ] = None,
    section: Annotated[str | None, typer.Option(help="Article section (any case).")] = None,
    agency: Annotated[
        str | None, typer.Option(help="Wire agency credited (AP, Reuters...).")
    ] = None,
    sort: Annotated[SortChoice, typer.Option(case_sensitive=False)] = SortChoice.RELEVANCE,
    include_gone: Annotated[
        bool, typer.Option(help="Also pages that answered 404/410 on revisit.")
    ] = False,
    collapse: Annotated[
        bool, typer.Option(help="One hit per story for teasers, listing the pages.")
    ] = True,
) -> None:
    """Full-text search over indexed articles and teasers, with highlights."""
    from workers.app import resources  # noqa: PLC0415
    from workers.index import DOC_KINDS  # noqa: PLC0415
    from workers.search import SearchRequest, parse_when  # noqa: PLC0415
    from workers.search import search as run_search  # noqa: PLC0415

    if _OPTION_LIKE.fullmatch(query):
        raise _fail(f"no such option {query.split('=')[0]} (to search for it: -- {query!r})", 2)
    res = resources()
    try:
        request = SearchRequest(
            query=query,
            size=size,
            kinds=tuple(k for k in DOC_KINDS if kind in (KindChoice.ALL, k)),
            source=_configured_source(res.sources.all(), source) if source else None,
            section=section,
            agency=agency,
            lang=lang,
            since=parse_when(since, option="--since") if since else None,
            until=parse_when(until, option="--until") if until else None,
            sort="newest" if sort is SortChoice.NEWEST else "relevance",
            include_gone=include_gone,
            collapse=collapse,
        )
        hits = run_search(res.index, request)
    except QueryError as exc:
        raise _fail(str(exc), 2) from exc
    except IngestError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps([hit.as_dict() for hit in hits], ensure_ascii=False))
        return
    if not hits:
        console.print("no hits")
        return
    for hit in hits:
        _print_hit(hit)


def _configured_source(catalog: Mapping[str, object], name: str) -> str:
    """The configured source of this name (any case); unknown names are a QueryError."""
    if name in catalog:
        return name
    matches = [known for known in catalog if known.casefold() == name.casefold()]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(sorted(catalog)) or "none"
    raise QueryError(f"unknown source {name!r} (configured: {known})")


def _when(value: str | None) -> str:
    """A stored ISO date as `2026-11-30 08:00 UTC`."""
    if not value:
        return "undated"
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    when = when.astimezone(UTC) if when.tzinfo else when
    return f"{when:%Y-%m-%d %H:%M} UTC"


def _marked(fragment: str) -> Text:
    """A highlight fragment with its marked words in bold, the page text taken literally."""
    from workers.search import MARK_END, MARK_START  # noqa: PLC0415

    text = Text()
    for number, piece in enumerate(re.split(f"[{MARK_START}{MARK_END}]", fragment)):
        text.append_text(plain(piece, style="bold" if number % 2 else ""))
    return text


def _print_hit(hit: Hit) -> None:
    """One hit as text; every piece of page text goes in as plain text, never as markup."""
    facts = [hit.kind, hit.source]
    if hit.kind == "teaser":
        facts.append(f"last shown {_when(hit.last_seen)}")
        pages = hit.placement_count
        facts.append(f"on {pages} page{'s' if pages != 1 else ''}")
    else:
        facts.append(_when(hit.date))
        facts += [value for value in (hit.section, hit.agency, hit.language) if value]
    if hit.gone_at:
        facts.append(f"gone since {_when(hit.gone_at)}")
    facts.append(f"score {hit.score:.2f}")
    line = plain(hit.title.strip() or "(untitled)", style="bold")
    line.append_text(Text("  ") + plain(" · ".join(facts), style="dim"))
    console.print(line)
    console.print(Text("  ") + plain(hit.url, style="cyan"))
    if hit.kind == "teaser":
        for placement in hit.placements[:3]:
            where = placement.get("seen_on") or "?"
            block = placement.get("block")
            detail = f" ({block}, #{placement.get('position')})" if block else ""
            console.print(Text("  ") + plain(f"shown on {where}{detail}", style="dim"))
        if hit.placement_count > 3:
            console.print(Text(f"  and {hit.placement_count - 3} more page(s)", style="dim"))
    for fragment in hit.highlights[:2]:
        console.print(Text("  … ") + _marked(fragment) + Text(" …"))


@cli.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Queue depths, document counts and reachable services; exit 0 only when all answer."""
    from workers.app import (  # noqa: PLC0415
        CONSUMED_QUEUES,
        app,
        recorded_config_error,
        resources,
    )

    res = resources()
    report: dict[str, Any] = {"redis": False, "elasticsearch": None, "queues": {}, "workers": {}}
    # The sources file as this process reads it now, and what a worker recorded (cleared by
    # whichever process next reads a valid file).
    try:
        configured = len(res.sources.all())
    except IngestError:
        configured = None
    report["sources"] = {
        "path": str(res.sources.path),
        "configured": configured,
        "error": res.sources.error,
    }
    try:
        res.redis.ping()
        report["redis"] = True
        for queue in CONSUMED_QUEUES:
            report["queues"][queue] = int(res.redis.llen(queue))
        report["sources"]["error"] = res.sources.error or recorded_config_error(res.redis)
        report["deadletters"] = int(res.redis.llen("deadletter"))
        report["index_buffer"] = res.index_buffer.status()
        report["runs"] = [
            {
                key: run[key]
                for key in ("run_id", "source", "state", "incomplete_reason", "open_tasks")
            }
            for run in (summary.as_dict() for summary in res.runs.recent(STATUS_RUNS))
        ]
    except Exception as exc:  # noqa: BLE001 -- any failure here means "not reachable"
        report["redis_error"] = str(exc)
    try:
        report["elasticsearch"] = res.index.health()
        report["documents"] = res.index.counts()
        report["reindex_due"] = res.index.reindex_due()
        report["text_analysis"] = res.index.live_analysis()
    except IngestError as exc:
        report["elasticsearch_error"] = str(exc)
    if report["redis"]:
        replies = app.control.inspect(timeout=2.0).active_queues() or {}
        for queue in CONSUMED_QUEUES:
            report["workers"][queue] = sorted(
                worker
                for worker, queues in replies.items()
                if any(q.get("name") == queue for q in queues)
            )
    healthy = (
        report["redis"]
        and report["elasticsearch"] in ("green", "yellow")
        and all(report["workers"].get(queue) for queue in CONSUMED_QUEUES)
        and not report["sources"]["error"]
    )
    report["healthy"] = bool(healthy)
    if as_json:
        typer.echo(json.dumps(report))
    else:
        _print_status(report, CONSUMED_QUEUES)
    if report["sources"]["error"]:
        errors.print(Text("error: ", style="red") + plain(report["sources"]["error"]))
    if not healthy:
        raise typer.Exit(1)


def _print_status(report: dict[str, Any], queues: tuple[str, ...]) -> None:
    table = Table(title="news-ingest status", show_header=True)
    table.add_column("part")
    table.add_column("state")
    table.add_row("redis", "up" if report["redis"] else f"DOWN {report.get('redis_error', '')}")
    table.add_row(
        "elasticsearch",
        report["elasticsearch"] or f"DOWN {report.get('elasticsearch_error', '')}",
    )
    for queue in queues:
        workers = report["workers"].get(queue) or []
        depth = report["queues"].get(queue, "?")
        table.add_row(f"queue {queue}", f"{depth} waiting · {len(workers) or 'NO'} worker(s)")
    for kind, count in (report.get("documents") or {}).items():
        table.add_row(f"documents {kind}", str(count))
    table.add_row("dead letters", str(report.get("deadletters", "?")))
    sources = report["sources"]
    if sources["error"]:
        kept = "the last valid version stays in use" if sources["configured"] else "none loaded"
        table.add_row("sources", Text(f"INVALID ({kept}): ", style="red") + plain(sources["error"]))
    else:
        table.add_row("sources", f"{sources['configured']} configured in {sources['path']}")
    analysis = report.get("text_analysis")
    if analysis:
        languages = ", ".join(analysis["analyzers"])
        table.add_row(
            "text analysis",
            f"language analyzers: {languages}"
            if analysis["analysis"] == "language"
            else "standard only (the cluster has no language analyzers: no stemming)",
        )
    buffer = report.get("index_buffer") or {}
    if buffer:
        state = f"{buffer['pages_waiting']} page(s) waiting, {buffer['pages_in_flight']} in flight"
        since = buffer.get("waiting_for_elasticsearch_since")
        if since:
            waited = round(time.time() - since)
            state += f"; waiting for Elasticsearch for {waited} s (nothing is lost)"
        table.add_row("index buffer", state)
    for run in report.get("runs", []):
        state = run["state"] + (
            f" ({run['incomplete_reason']})" if run["incomplete_reason"] else ""
        )
        table.add_row(f"run {run['run_id'][:12]}", f"{run['source']} · {state}")
    if report.get("reindex_due"):
        due = ", ".join(report["reindex_due"])
        table.add_row("templates changed", f"{due}: run `ingest reindex`")
    console.print(table)


@cli.command()
def run(run_id: Annotated[str, typer.Argument(help="Run id printed by `ingest crawl`.")]) -> None:
    """Figures of one crawl run, and its errors, as JSON."""
    from workers.app import QUEUES, resources  # noqa: PLC0415
    from workers.tasks import resend_task  # noqa: PLC0415

    runs = resources().runs
    summary = runs.summary(run_id)
    if summary is None:
        raise _fail(f"no run {run_id!r} (runs are kept for 7 days)")
    if summary.open_tasks:
        runs.vanished(run_id, QUEUES, resend_task)
        summary = runs.summary(run_id) or summary
    typer.echo(json.dumps({**summary.as_dict(), "error_urls": runs.errors(run_id)}, indent=2))


@cli.command()
def sources(
    file: Annotated[
        Path | None,
        typer.Argument(help="A sources file (default: the configured one, INGEST_SOURCES)."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only validate: one line per problem, exit 0 or 1.")
    ] = False,
) -> None:
    """The configured sources; with --check, whether the file is valid (exit 0) or not (1)."""
    from workers.settings import get_settings  # noqa: PLC0415
    from workers.sources import check_sources, load_sources  # noqa: PLC0415

    path = file or get_settings().sources_path
    if check:
        problems = check_sources(path)
        for problem in problems:
            errors.print(Text("error: ", style="red") + plain(problem))
        if problems:
            raise typer.Exit(1)
        typer.echo(f"{path}: ok, {len(load_sources(path))} source(s)")
        return
    try:
        catalog = load_sources(path)
    except IngestError as exc:
        raise _fail(str(exc)) from exc
    table = Table("name", "seeds", "domains", "depth", "interval s", "rules")
    for source in catalog.values():
        rules = [f"allow {len(source.allow)}"] if source.allow else []
        rules += [f"deny {len(source.deny)}"] if source.deny else []
        table.add_row(
            source.name,
            "\n".join(source.seeds),
            ", ".join(source.allowed_domains),
            str(source.max_depth),
            str(source.interval),
            " · ".join(rules) or "-",
        )
    console.print(table)


@cli.command()
def urltest(
    source: Annotated[str, typer.Argument(help="Source name from sources.yaml.")],
    url: Annotated[str, typer.Argument(help="A link as a page would carry it.")],
) -> None:
    """Would the crawl follow URL as a link of SOURCE, and which rule decides.

    Exit 0 when it would be followed, 1 when not, 2 when the source or URL is unusable.
    robots.txt is not fetched, so not checked.
    """
    from workers.linkpolicy import decide  # noqa: PLC0415
    from workers.settings import get_settings  # noqa: PLC0415
    from workers.sources import load_sources  # noqa: PLC0415
    from workers.urls import normalize_url  # noqa: PLC0415

    try:
        catalog = load_sources(get_settings().sources_path)
        name = _configured_source(catalog, source)
    except IngestError as exc:
        raise _fail(str(exc), code=2) from exc
    link = normalize_url(url)
    if link is None:
        raise _fail(f"not an absolute http(s) URL: {url!r}", code=2)
    followed, rule = decide(link, catalog[name])
    console.print(
        Text("followed" if followed else "not followed", style="green" if followed else "red")
        + Text("  ")
        + plain(link)
    )
    if link != url.strip():
        console.print(Text("  ") + plain(f"normalised from: {url.strip()}"))
    console.print(Text("  ") + plain(f"rule: {rule}"))
    console.print(Text("  robots.txt: not checked (urltest does not fetch it; the crawl does)"))
    if not followed:
        raise typer.Exit(1)


@deadletter_cli.command("list")
def deadletter_list(
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
) -> None:
    """Print dead letters as JSON lines, newest first."""
    from workers.app import resources  # noqa: PLC0415

    for entry in resources().runs.dead_letters(limit):
        entry.pop("traceback", None)
        typer.echo(json.dumps(entry))


@deadletter_cli.command("replay")
def deadletter_replay(
    limit: Annotated[int, typer.Option(help="Replay at most this many, oldest first.")] = 100,
) -> None:
    """Send dead-lettered tasks again (outside any run), oldest first."""
    from workers.app import app, resources  # noqa: PLC0415

    runs = resources().runs
    replayed = 0
    while replayed < limit:
        entry = runs.pop_dead_letter()
        if entry is None:
            break
        kwargs = {**entry["kwargs"], "run_id": None, "attempt": 0}
        app.send_task(entry["task"], kwargs=kwargs)
        replayed += 1
    # Documents still waiting in the index buffer are written too.
    app.send_task("index.flush")
    typer.echo(json.dumps({"replayed": replayed}))


@kibana_cli.command("import")
def kibana_import(
    url: Annotated[
        str | None, typer.Option(help="Kibana's URL (default: KIBANA_URL).", show_default=False)
    ] = None,
    wait: Annotated[
        float, typer.Option(help="Seconds to wait for Kibana to come up first.", min=0)
    ] = 0,
) -> None:
    """Load the data views, saved searches and dashboard into Kibana (overwriting)."""
    from workers.kibana import for_prefix, import_objects, load_objects  # noqa: PLC0415
    from workers.settings import CONFIG_DIR, get_settings  # noqa: PLC0415

    settings = get_settings()
    target = url or settings.kibana_url
    try:
        objects = for_prefix(load_objects(CONFIG_DIR / "kibana"), settings.index_prefix)
        summary = import_objects(
            target,
            objects,
            api_key=_secret_value(settings.kibana_api_key),
            username=settings.kibana_username,
            password=_secret_value(settings.kibana_password),
            wait=wait,
        )
    except IngestError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(
        json.dumps(
            {
                "imported": summary.get("successCount", 0),
                "objects": len(objects),
                "index_prefix": settings.index_prefix,
            }
        )
    )


def _secret_value(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


def main() -> None:
    """Console-script entry point."""
    from workers.logconfig import configure_logging  # noqa: PLC0415
    from workers.settings import get_settings  # noqa: PLC0415

    settings = get_settings()
    # The CLI prints results on stdout; only warnings and errors go to stderr.
    configure_logging(settings.log_format, "WARNING")
    cli()


if __name__ == "__main__":
    main()
