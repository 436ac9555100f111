"""structlog setup: JSON lines (console on a TTY), stdlib and Celery logs routed through it."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from structlog.types import Processor

from workers.redact import redact_event

_configured = False
# Celery's own line per task received and per task succeeded (or retried): two lines a task,
# three tasks a page, each rendered as JSON (~40 us a line, measured). The project logs its
# own event per stage (page_fetched, page_parsed, documents_buffered) and failures come at
# WARNING or above, so at INFO these two loggers keep only their warnings; DEBUG shows all.
PER_TASK_LOGGERS = ("celery.worker.strategy", "celery.app.trace")


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.stdlib.ExtraAdder(),
        redact_event,
    ]


def configure_logging(log_format: str = "auto", level: str = "INFO", force: bool = False) -> None:
    """Configure structlog and the stdlib root logger once per process.

    `log_format` is "json", "console", or "auto" (console when stderr is a terminal).
    Celery's and libraries' own log lines go through the same processors, so every line
    carries the task context bound in contextvars.
    """
    global _configured  # noqa: PLW0603 -- logging is process-wide state by nature
    if _configured and not force:
        return
    use_console = log_format == "console" or (log_format == "auto" and sys.stderr.isatty())
    renderer: Processor = (
        structlog.dev.ConsoleRenderer(colors=True)
        if use_console
        else structlog.processors.JSONRenderer()
    )
    shared = _shared_processors()
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *([] if use_console else [structlog.processors.format_exc_info]),
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("elastic_transport", "httpx", "httpcore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for chatty in PER_TASK_LOGGERS:
        logging.getLogger(chatty).setLevel(
            logging.NOTSET if root.level <= logging.DEBUG else max(root.level, logging.WARNING)
        )
    _configured = True


def bind_task_context(**values: Any) -> None:
    """Start a task's log context afresh: nothing from the previous task leaks in."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(**values)
