"""The error tree survives a trip through pickle, as Celery sends exceptions between processes."""

from __future__ import annotations

import pickle

import pytest

from workers.errors import (
    FetchTimeout,
    HttpStatusError,
    IngestError,
    PageRejected,
    Retryable,
    SearchUnavailable,
    StorageError,
    UpstreamUnavailable,
)


@pytest.mark.parametrize(
    "error",
    [
        IngestError("boom", "https://e.com/"),
        UpstreamUnavailable("503", "https://e.com/", retry_after=7.0),
        FetchTimeout("slow", "https://e.com/"),
        HttpStatusError("404", "https://e.com/", 404),
        SearchUnavailable("down"),
        StorageError("redis down"),
    ],
)
def test_errors_rebuild_from_their_args(error: IngestError) -> None:
    """Pickling and rebuilding keeps the type, message, URL and extra fields."""
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.url == error.url
    assert getattr(copy, "retry_after", None) == getattr(error, "retry_after", None)
    assert getattr(copy, "status", None) == getattr(error, "status", None)


def test_retryable_and_final_errors_are_told_apart() -> None:
    """Timeouts, 5xx and outages retry; rejections do not."""
    assert isinstance(FetchTimeout("x"), Retryable)
    assert isinstance(UpstreamUnavailable("x"), Retryable)
    assert isinstance(SearchUnavailable("x"), Retryable)
    assert not isinstance(PageRejected("x"), Retryable)
    assert not isinstance(HttpStatusError("x", None, 404), Retryable)
