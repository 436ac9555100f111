"""Credentials never reach logs or error messages."""

from __future__ import annotations

import elasticsearch
import pytest
import structlog
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig

from workers.errors import IndexingError, SearchUnavailable
from workers.index import es_errors, make_client
from workers.redact import redact, redact_event


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://elastic:s3cr3t@es.example:9200/", "https://elastic:***@es.example:9200/"),
        ("see http://u:p%40ss@h/x and https://a:b@c", "see http://u:***@h/x and https://a:***@c"),
        (
            "redis://:hunter2@127.0.0.1:6379/0",
            "redis://:***@127.0.0.1:6379/0",
        ),
        ("http://token@host/", "http://token:***@host/"),
        ("no credentials at http://host:9200/", "no credentials at http://host:9200/"),
        ("{'authorization': 'ApiKey abc123=='}", "{'authorization': 'ApiKey ***'}"),
        ("Authorization: Basic ZWxhc3RpYzpzZWNyZXQ=", "Authorization: Basic ***"),
    ],
)
def test_redact_masks_passwords_in_urls_and_headers(text: str, expected: str) -> None:
    """The user name stays (it helps debugging), the secret goes."""
    assert redact(text) == expected
    assert "s3cr3t" not in redact(text)


def test_log_events_are_redacted() -> None:
    """Every string field of a log event passes through redact()."""
    with structlog.testing.capture_logs(processors=[redact_event]) as logs:
        structlog.get_logger().warning("es_down", url="https://elastic:pw@h:9200", n=3)
    assert logs[0]["url"] == "https://elastic:***@h:9200"
    assert logs[0]["n"] == 3


def test_client_errors_are_redacted() -> None:
    """A connection error quoting the URL with its password comes out masked."""
    with pytest.raises(SearchUnavailable) as caught, es_errors("searching"):
        raise elasticsearch.ConnectionError(
            "Connection error", errors=(OSError("https://elastic:topsecret@es:9200 refused"),)
        )
    assert "topsecret" not in str(caught.value)
    assert "elastic:***@es:9200" in str(caught.value)
    meta = ApiResponseMeta(400, "1.1", HttpHeaders(), 0.0, NodeConfig("https", "es", 9200))
    with pytest.raises(IndexingError) as refused, es_errors("indexing"):
        raise elasticsearch.BadRequestError("bad https://u:pw2@es/", meta, {"error": "x"})
    assert "pw2" not in str(refused.value)


def test_https_client_uses_the_ca_file_and_credentials(tmp_path: pytest.TempPathFactory) -> None:
    """An https URL with a CA file and an API key builds a verifying client with both."""
    client = make_client("https://es.example:9200", api_key="key-id:key-secret", ca_certs=None)
    node = client.transport.node_pool.get()
    assert node.config.scheme == "https"
    assert node.config.verify_certs is True
    assert client._headers["authorization"].startswith("ApiKey ")
    plain = make_client("http://es.example:9200", username="elastic", password="pw")
    assert plain._headers["authorization"].startswith("Basic ")
