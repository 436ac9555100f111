"""`ingest kibana import` against a local stub of Kibana's saved objects API.

Kibana cannot run here; the stub records what the command sends (the multipart upload to
`/api/saved_objects/_import?overwrite=true`) and answers as Kibana's API documents it.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from workers.kibana import for_prefix, load_objects
from workers.settings import CONFIG_DIR

from .conftest import BIN
from .inprocess import invoke

pytestmark = pytest.mark.integration


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class StubKibana:
    url: str
    requests: list[Recorded] = field(default_factory=list)
    # What the import endpoint answers: (status, JSON body); None means success for all.
    reply: tuple[int, dict[str, Any]] | None = None
    # How many /api/status requests answer 503 before Kibana "comes up".
    starting: int = 0

    def imports(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/api/saved_objects/_import"]


def _upload(request: Recorded) -> tuple[str, str, list[dict[str, Any]]]:
    """(form field name, file name, saved objects) of the multipart upload."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    (part,) = list(message.iter_parts())
    payload = part.get_payload(decode=True)
    objects = [json.loads(line) for line in payload.decode().splitlines() if line.strip()]
    name = part.get_param("name", header="content-disposition")
    return str(name), str(part.get_filename()), objects


@pytest.fixture
def kibana() -> Iterator[StubKibana]:
    stub = StubKibana(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _record(self) -> Recorded:
            length = int(self.headers.get("content-length") or 0)
            parts = urlsplit(self.path)
            recorded = Recorded(
                self.command,
                parts.path,
                parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
            )
            stub.requests.append(recorded)
            return recorded

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._record()
            if stub.starting > 0:
                stub.starting -= 1
                self._json(503, {"status": {"overall": {"level": "unavailable"}}})
            else:
                self._json(200, {"status": {"overall": {"level": "available"}}})

        def do_POST(self) -> None:
            recorded = self._record()
            if stub.reply is not None:
                self._json(*stub.reply)
                return
            _name, _file, objects = _upload(recorded)
            results = [{"type": o["type"], "id": o["id"]} for o in objects]
            self._json(
                200, {"success": True, "successCount": len(objects), "successResults": results}
            )

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


def test_import_uploads_every_object_with_overwrite(kibana: StubKibana) -> None:
    """The installed command waits for Kibana, then posts the NDJSON as a multipart file."""
    kibana.starting = 1
    env = {
        **os.environ,
        "KIBANA_URL": kibana.url,
        "KIBANA_USERNAME": "elastic",
        "KIBANA_PASSWORD": "s3cret",
        "INGEST_INDEX_PREFIX": "staging",
    }
    env.pop("KIBANA_API_KEY", None)
    result = subprocess.run(
        [str(BIN / "ingest"), "kibana", "import", "--wait", "30"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    expected = for_prefix(load_objects(CONFIG_DIR / "kibana"), "staging")
    assert json.loads(result.stdout) == {
        "imported": len(expected),
        "objects": len(expected),
        "index_prefix": "staging",
    }
    assert [r.path for r in kibana.requests if r.method == "GET"] == ["/api/status"] * 2
    (upload,) = kibana.imports()
    assert upload.method == "POST"
    assert upload.query == {"overwrite": ["true"]}
    assert upload.headers["kbn-xsrf"]
    assert (
        upload.headers["authorization"] == "Basic " + base64.b64encode(b"elastic:s3cret").decode()
    )
    name, filename, objects = _upload(upload)
    assert name == "file"
    assert filename.endswith(".ndjson")
    assert objects == expected
    views = {o["attributes"]["title"] for o in objects if o["type"] == "index-pattern"}
    assert views == {"staging-articles", "staging-teasers"}


def test_refused_objects_are_a_one_line_error(kibana: StubKibana) -> None:
    """When Kibana reports objects it could not import, the command says which and exits 1."""
    kibana.reply = (
        200,
        {
            "success": False,
            "successCount": 8,
            "errors": [
                {
                    "type": "lens",
                    "id": "news-ingest-languages",
                    "error": {"type": "missing_references"},
                }
            ],
        },
    )
    result = invoke(["kibana", "import"], {"KIBANA_URL": kibana.url, "KIBANA_API_KEY": "k3y"})

    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "imported 8 of 9 objects" in line
    assert "lens/news-ingest-languages (missing_references)" in line
    (upload,) = kibana.imports()
    assert upload.headers["authorization"] == "ApiKey k3y"


def test_unreachable_kibana_is_a_clear_error() -> None:
    """No Kibana on the port: one line naming the URL (without credentials), exit 1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = invoke(
        ["kibana", "import", "--url", f"http://user:pw@127.0.0.1:{port}"],
        {"KIBANA_URL": "http://unused.invalid"},
    )
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert f"cannot reach Kibana at http://127.0.0.1:{port}" in line
    assert "pw" not in line
