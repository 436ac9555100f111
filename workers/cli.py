"""The `ingest` command: trigger crawls, search, and look after the running system."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from workers.errors import IngestError

cli = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
deadletter_cli = typer.Typer(
    no_args_is_help=True, help="List and replay tasks that failed for good."
)
cli.add_typer(deadletter_cli, name="deadletter")
console = Console()
errors = Console(stderr=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


@cli.command()
def crawl(
    source: Annotated[str, typer.Argument(help="Source name from sources.yaml.")],
    wait: Annotated[bool, typer.Option(help="Block until every task of the run finished.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait at most (with --wait).")] = 600,
) -> None:
    """Enqueue a crawl of SOURCE now; with --wait, print the run's figures as JSON."""
    from workers.tasks import start_crawl  # noqa: PLC0415 -- keep `ingest --help` fast

    try:
        run_id = start_crawl(source)
    except IngestError as exc:
        raise _fail(str(exc)) from exc
    if not wait:
        typer.echo(json.dumps({"run_id": run_id, "source": source, "queued": True}))
        return
    _wait_and_report(run_id, timeout)


def _wait_and_report(run_id: str, timeout: float) -> None:
    """Poll the run until no task of it is open, then print its figures as JSON."""
    from workers.app import resources  # noqa: PLC0415

    runs = resources().runs
    deadline = time.monotonic() + timeout
    while True:
        summary = runs.summary(run_id)
        if summary is not None and summary.open_tasks == 0:
            break
        if time.monotonic() > deadline:
            typer.echo(json.dumps(summary.as_dict() if summary else {"run_id": run_id}))
            raise _fail(f"run {run_id} still has open tasks after {timeout}s", code=2)
        time.sleep(0.25)
    typer.echo(json.dumps(summary.as_dict()))


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
    kind: Annotated[str, typer.Option(help="articles, teasers or all.")] = "all",
    keep_old: Annotated[bool, typer.Option(help="Keep the previous index version.")] = False,
) -> None:
    """Rebuild indices from the current templates behind the aliases, with no downtime."""
    from workers.app import resources  # noqa: PLC0415
    from workers.index import DOC_KINDS  # noqa: PLC0415

    kinds = DOC_KINDS if kind == "all" else tuple(k for k in DOC_KINDS if k == kind)
    if not kinds:
        raise _fail(f"unknown kind {kind!r}: use articles, teasers or all", code=2)
    index = resources().index
    try:
        reports = [index.reindex(k, keep_old=keep_old) for k in kinds]
    except IngestError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(json.dumps(reports))


@cli.command()
def search(
    query: Annotated[str, typer.Argument(help='Words to find; quote a phrase with "...".')],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array of hits.")] = False,
    size: Annotated[int, typer.Option(help="Number of hits.", min=1, max=1000)] = 10,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    kind: Annotated[
        str, typer.Option(help="articles, teasers or all.", case_sensitive=False)
    ] = "all",
) -> None:
    """Full-text search over indexed articles and teasers, with highlights."""
    from workers.app import resources  # noqa: PLC0415
    from workers.index import DOC_KINDS  # noqa: PLC0415
    from workers.search import search as run_search  # noqa: PLC0415

    kinds = DOC_KINDS if kind == "all" else tuple(k for k in DOC_KINDS if k == kind)
    if not kinds:
        raise _fail(f"unknown kind {kind!r}: use articles, teasers or all", code=2)
    try:
        hits = run_search(resources().index, query, size=size, source=source, kinds=kinds)
    except IngestError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps([hit.as_dict() for hit in hits], ensure_ascii=False))
        return
    if not hits:
        console.print("no hits")
        return
    for hit in hits:
        console.print(
            f"[bold]{hit.title}[/bold]  [dim]{hit.kind} · {hit.source} · {hit.score:.2f}[/dim]"
        )
        console.print(f"  {hit.url}", style="cyan", highlight=False)
        for fragment in hit.highlights[:2]:
            console.print(f"  … {fragment} …", highlight=False)


@cli.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Queue depths, document counts and reachable services; exit 0 only when all answer."""
    from workers.app import QUEUES, app, resources  # noqa: PLC0415

    res = resources()
    report: dict[str, Any] = {"redis": False, "elasticsearch": None, "queues": {}, "workers": {}}
    try:
        res.redis.ping()
        report["redis"] = True
        for queue in QUEUES:
            report["queues"][queue] = int(res.redis.llen(queue))
        report["deadletters"] = int(res.redis.llen("deadletter"))
    except Exception as exc:  # noqa: BLE001 -- any failure here means "not reachable"
        report["redis_error"] = str(exc)
    try:
        report["elasticsearch"] = res.index.health()
        report["documents"] = res.index.counts()
        report["reindex_due"] = res.index.reindex_due()
    except IngestError as exc:
        report["elasticsearch_error"] = str(exc)
    if report["redis"]:
        replies = app.control.inspect(timeout=2.0).active_queues() or {}
        for queue in QUEUES:
            report["workers"][queue] = sorted(
                worker
                for worker, queues in replies.items()
                if any(q.get("name") == queue for q in queues)
            )
    healthy = (
        report["redis"]
        and report["elasticsearch"] in ("green", "yellow")
        and all(report["workers"].get(queue) for queue in QUEUES)
    )
    report["healthy"] = bool(healthy)
    if as_json:
        typer.echo(json.dumps(report))
    else:
        _print_status(report, QUEUES)
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
    if report.get("reindex_due"):
        due = ", ".join(report["reindex_due"])
        table.add_row("templates changed", f"{due}: run `ingest reindex`")
    console.print(table)


@cli.command()
def run(run_id: Annotated[str, typer.Argument(help="Run id printed by `ingest crawl`.")]) -> None:
    """Figures of one crawl run, and its errors, as JSON."""
    from workers.app import resources  # noqa: PLC0415

    runs = resources().runs
    summary = runs.summary(run_id)
    if summary is None:
        raise _fail(f"no run {run_id!r} (runs are kept for 7 days)")
    typer.echo(json.dumps({**summary.as_dict(), "error_urls": runs.errors(run_id)}, indent=2))


@cli.command()
def sources() -> None:
    """The configured sources."""
    from workers.app import resources  # noqa: PLC0415

    try:
        catalog = resources().sources.all()
    except IngestError as exc:
        raise _fail(str(exc)) from exc
    table = Table("name", "seeds", "domains", "depth", "interval s")
    for source in catalog.values():
        table.add_row(
            source.name,
            "\n".join(source.seeds),
            ", ".join(source.allowed_domains),
            str(source.max_depth),
            str(source.interval),
        )
    console.print(table)


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
    typer.echo(json.dumps({"replayed": replayed}))


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
