"""Run the real `ingest` CLI inside the test process (typer's CliRunner), with its own
environment: a Python start per call is seconds on a busy 2-core machine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from typer.testing import CliRunner

import workers.app as app_module
from workers.cli import cli
from workers.logconfig import configure_logging
from workers.settings import get_settings


@dataclass
class Result:
    """What a CLI invocation printed and how it exited."""

    returncode: int
    stdout: str
    stderr: str


def _reset_settings() -> None:
    """Forget the settings and clients built from the previous environment."""
    get_settings.cache_clear()
    app_module._resources = None


def invoke(args: list[str], env: Mapping[str, str]) -> Result:
    """`ingest ARGS` with these environment variables set (and the settings re-read)."""
    # As the `ingest` script's main() does: log lines are warnings and up, on stderr, never
    # mixed into what the command prints (unconfigured, structlog prints to stdout).
    configure_logging("json", "WARNING")
    _reset_settings()
    try:
        outcome = CliRunner().invoke(cli, args, env=dict(env))
    finally:
        _reset_settings()
    if outcome.exception is not None and not isinstance(outcome.exception, SystemExit):
        raise outcome.exception
    return Result(outcome.exit_code, outcome.stdout, outcome.stderr)
