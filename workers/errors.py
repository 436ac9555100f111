"""The error tree: typed failures that tell a task whether to retry, drop or dead-letter.

```
IngestError(message, url)
├── ConfigError                      a source or setting is invalid
├── RunInProgress                    a crawl of this source is running; a second would overlap
├── ReindexInProgress                another `ingest reindex` holds the prefix's reindex lock
├── QueryError                       a search query or option that cannot be run as given
├── KibanaError                      Kibana could not be reached or refused saved objects
├── FetchError
│   ├── FetchTimeout*                connect/read timeout, or the whole fetch ran too long
│   ├── UpstreamUnavailable*         5xx, 429, connection refused or reset; may carry retry_after
│   └── PageRejected                 we will not fetch or keep this page
│       ├── RobotsDisallowed         robots.txt says no
│       ├── BlockedAddress           resolves to a private/loopback address the source may not reach
│       ├── TooLarge                 body larger than the limit (after decompression)
│       ├── UnsupportedContent       not HTML, XML or a feed
│       ├── TooManyRedirects         redirect chain too long, or a redirect loop
│       └── HttpStatusError          a 4xx that retrying will not fix (404, 410, 403...)
├── StorageError*                    Redis (page store, frontier) did not answer
├── ExtractionError                  the page could not be read at all
└── IndexingError
    ├── SearchUnavailable*           Elasticsearch unreachable, 429 or 5xx
    └── DocumentRejected             Elasticsearch refused a document (mapping, size)

* also a Retryable: the task retries with backoff, then dead-letters.
```

Every constructor passes its arguments to ``super().__init__`` positionally, so Celery can
rebuild the exception from its ``args`` when results or retries cross a process boundary.
"""

from __future__ import annotations


class IngestError(Exception):
    """Base of every error this project raises on purpose."""

    def __init__(self, message: str, url: str | None = None) -> None:
        super().__init__(message, url)
        self.message = message
        self.url = url

    def __str__(self) -> str:
        return f"{self.message} ({self.url})" if self.url else self.message


class Retryable(IngestError):
    """A failure that may go away by itself: retry later, with backoff."""

    def __init__(
        self, message: str, url: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, url)
        self.args = (message, url, retry_after)
        self.retry_after = retry_after


class ConfigError(IngestError):
    """A source definition or setting is invalid."""


class RunInProgress(IngestError):
    """A crawl run of the source holds its lock: another run would overlap it."""

    def __init__(self, message: str, url: str | None = None, run_id: str = "") -> None:
        super().__init__(message, url)
        self.args = (message, url, run_id)
        self.run_id = run_id


class ReindexInProgress(IngestError):
    """Another reindex of the same index prefix holds its lock (workers.reindex)."""


class QueryError(IngestError):
    """A search query or search option that cannot be run as given (the user can fix it)."""


class KibanaError(IngestError):
    """Kibana could not be reached, or refused some of the saved objects we sent it."""


class FetchError(IngestError):
    """Fetching a URL failed."""


class FetchTimeout(FetchError, Retryable):
    """The server did not answer, or did not finish answering, in time."""


class UpstreamUnavailable(FetchError, Retryable):
    """The server is overloaded, failing, or unreachable (5xx, 429, refused)."""


class PageRejected(FetchError):
    """The page will not be fetched or kept; retrying will not change that."""


class RobotsDisallowed(PageRejected):
    """robots.txt disallows the URL for our user agent."""


class BlockedAddress(PageRejected):
    """The host resolves to an address the source is not allowed to reach."""


class TooLarge(PageRejected):
    """The body is larger than the configured limit."""


class UnsupportedContent(PageRejected):
    """The response is not HTML, XML or a feed."""


class TooManyRedirects(PageRejected):
    """The redirect chain is too long or loops."""


class HttpStatusError(PageRejected):
    """A client error status that retrying will not fix."""

    def __init__(self, message: str, url: str | None = None, status: int = 0) -> None:
        super().__init__(message, url)
        self.args = (message, url, status)
        self.status = status


class StorageError(Retryable):
    """Redis, which holds the page store and the frontier, did not answer."""


class ExtractionError(IngestError):
    """The page could not be read at all."""


class IndexingError(IngestError):
    """Writing to Elasticsearch failed."""


class SearchUnavailable(IndexingError, Retryable):
    """Elasticsearch is unreachable, overloaded (429) or failing (5xx)."""


class DocumentRejected(IndexingError):
    """Elasticsearch refused a document; retrying the same document will not help."""
