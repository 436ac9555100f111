"""Kibana saved objects: the shipped data views, searches and dashboard, and loading them.

The objects live as NDJSON in config/kibana/ (Kibana's export format). They name the
default index prefix (`news-articles`, `news-teasers`); `for_prefix` points the data views
at another deployment's prefix. `import_objects` sends them to Kibana's saved objects
`_import` API with overwrite, so running it again updates rather than duplicates.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from workers.errors import ConfigError, KibanaError

DEFAULT_PREFIX = "news"
IMPORT_PATH = "/api/saved_objects/_import"
STATUS_PATH = "/api/status"
# Seconds between two looks at /api/status while waiting for Kibana to come up.
STATUS_POLL_SECONDS = 2.0


def load_objects(directory: Path) -> list[dict[str, Any]]:
    """Every saved object of every `*.ndjson` file in the directory, files in name order."""
    objects: list[dict[str, Any]] = []
    paths = sorted(directory.glob("*.ndjson"))
    if not paths:
        raise ConfigError(f"no saved objects (*.ndjson) in {directory}")
    for path in paths:
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError as exc:
                raise ConfigError(f"{path.name} line {number} is not JSON: {exc}") from exc
            if not isinstance(item, dict) or not {"id", "type", "attributes"} <= item.keys():
                raise ConfigError(f"{path.name} line {number} is not a saved object")
            objects.append(item)
    return objects


def for_prefix(objects: Sequence[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """The objects with every data view pointed at `<prefix>-...` instead of `news-...`."""
    result = []
    for item in objects:
        title = item.get("attributes", {}).get("title", "")
        if item["type"] == "index-pattern" and title.startswith(f"{DEFAULT_PREFIX}-"):
            renamed = f"{prefix}-{title[len(DEFAULT_PREFIX) + 1 :]}"
            result.append({**item, "attributes": {**item["attributes"], "title": renamed}})
        else:
            result.append(item)
    return result


def to_ndjson(objects: Sequence[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(item, separators=(",", ":")) + "\n" for item in objects).encode()


def _client(
    url: str, api_key: str | None, username: str | None, password: str | None, timeout: float
) -> httpx.Client:
    headers = {"kbn-xsrf": "news-ingest"}
    auth: httpx.BasicAuth | None = None
    if api_key:
        headers["Authorization"] = f"ApiKey {api_key}"
    elif username:
        auth = httpx.BasicAuth(username, password or "")
    return httpx.Client(base_url=url, headers=headers, auth=auth, timeout=timeout)


def _where(url: str) -> str:
    """The URL without credentials, for messages."""
    parsed = httpx.URL(url)
    return str(parsed.copy_with(username=None, password=None)) if parsed.userinfo else url


def wait_until_available(client: httpx.Client, wait: float) -> None:
    """Poll /api/status until Kibana answers 200, for at most `wait` seconds."""
    deadline = time.monotonic() + wait
    last = "no answer"
    while True:
        try:
            response = client.get(STATUS_PATH)
            if response.status_code == httpx.codes.OK:
                return
            last = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            last = str(exc) or type(exc).__name__
        if time.monotonic() + STATUS_POLL_SECONDS > deadline:
            raise KibanaError(f"Kibana at {_where(str(client.base_url))} not available: {last}")
        time.sleep(STATUS_POLL_SECONDS)


def import_objects(
    url: str,
    objects: Sequence[dict[str, Any]],
    *,
    api_key: str | None = None,
    username: str | None = None,
    password: str | None = None,
    timeout: float = 60.0,
    wait: float = 0.0,
) -> dict[str, Any]:
    """Upload the objects to Kibana's `_import` API (overwrite); returns Kibana's summary.

    Raises KibanaError when Kibana cannot be reached, refuses the request, or reports
    objects it could not import (with their type, id and reason).
    """
    with _client(url, api_key, username, password, timeout) as client:
        if wait > 0:
            wait_until_available(client, wait)
        files = {"file": ("news-ingest.ndjson", to_ndjson(objects), "application/ndjson")}
        try:
            response = client.post(IMPORT_PATH, params={"overwrite": "true"}, files=files)
        except httpx.HTTPError as exc:
            raise KibanaError(f"cannot reach Kibana at {_where(url)}: {exc}") from exc
    if response.status_code != httpx.codes.OK:
        raise KibanaError(
            f"Kibana at {_where(url)} refused the import: HTTP {response.status_code} "
            f"{response.text[:300]}"
        )
    try:
        summary: dict[str, Any] = response.json()
    except ValueError as exc:
        raise KibanaError(f"Kibana at {_where(url)} answered the import with non-JSON") from exc
    if not summary.get("success"):
        failed = [
            f"{error.get('type')}/{error.get('id')} ({error.get('error', {}).get('type')})"
            for error in summary.get("errors", [])
        ]
        raise KibanaError(
            f"Kibana imported {summary.get('successCount', 0)} of {len(objects)} objects; "
            f"refused: {', '.join(failed) or 'no reason given'}"
        )
    return summary
