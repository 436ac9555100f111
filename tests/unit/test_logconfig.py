"""Logging setup: which lines a worker writes at each level."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from workers.logconfig import PER_TASK_LOGGERS, configure_logging


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in PER_TASK_LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)


@pytest.mark.usefixtures("restore_logging")
def test_celery_per_task_lines_are_quiet_at_info_but_keep_failures() -> None:
    """At INFO, Celery's "received" and "succeeded" lines are not written (the stages log
    their own events); its warnings and errors (a task that raised) still are."""
    configure_logging("json", "INFO", force=True)
    for name in PER_TASK_LOGGERS:
        logger = logging.getLogger(name)
        assert not logger.isEnabledFor(logging.INFO)
        assert logger.isEnabledFor(logging.WARNING)
        assert logger.isEnabledFor(logging.ERROR)
    assert logging.getLogger("workers.tasks").isEnabledFor(logging.INFO)


@pytest.mark.usefixtures("restore_logging")
def test_debug_shows_celery_per_task_lines() -> None:
    """At DEBUG every line comes out, Celery's per-task ones included."""
    configure_logging("json", "DEBUG", force=True)
    for name in PER_TASK_LOGGERS:
        assert logging.getLogger(name).isEnabledFor(logging.INFO)
