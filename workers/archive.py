"""The raw archive: every fetched page as WARC request/response records, one file per process.

Files are ``<prefix>-<UTC time>-<host>-<pid>-<seq>.warc.gz`` in one directory, rotated when
they pass a size. Each record is its own gzip member, so a record is read back from its
file and byte offset alone (the pointer the crawl stage hands to the parse stage). A writer
holds one lock around each request/response pair, so worker threads never interleave, and
after a fork the child opens a file of its own.

The response payload is the body as the parse stage saw it: transfer and content encodings
are undone by the fetcher, so ``Content-Encoding`` is dropped from the recorded headers and
``Content-Length`` gives the stored length.
"""

from __future__ import annotations

import io
import os
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from workers.errors import ExtractionError, StorageError

# Rotate a file once it passes this size (the customary WARC file size is about 1 GB).
DEFAULT_MAX_FILE_BYTES = 1024**3
# gzip level of each record: level 1 costs a fraction of level 6 (warcio's own writer uses
# 9) for files about a fifth larger, measured on the crawl benchmark's generated pages.
GZIP_LEVEL = 1
FILE_PREFIX = "ingest"
# Headers that describe the bytes on the wire, not the decoded payload we keep.
WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


@dataclass(frozen=True, slots=True)
class ArchiveRef:
    """Where one response record lives: a file name in the archive directory and an offset."""

    name: str
    offset: int

    def __str__(self) -> str:
        return f"{self.name}#{self.offset}"

    @classmethod
    def parse(cls, text: str) -> ArchiveRef:
        name, _, offset = text.rpartition("#")
        if not name or not offset.isdigit() or "/" in name or name.startswith("."):
            raise ValueError(f"not an archive pointer: {text!r}")
        return cls(name, int(offset))


@dataclass(frozen=True, slots=True)
class ArchivedResponse:
    """A response read back from the archive."""

    url: str
    status: int
    content_type: str
    body: bytes


def _gzip_member(data: bytes) -> bytes:
    return zlib.compress(data, GZIP_LEVEL, wbits=zlib.MAX_WBITS | 16)


class WarcArchive:
    """Appends WARC records under `directory`; reads any record back by its ArchiveRef."""

    def __init__(self, directory: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> None:
        self.directory = directory
        self.max_file_bytes = max_file_bytes
        self._builder = WARCWriter(io.BytesIO(), gzip=False, warc_version="1.1")
        self._hostname = socket.gethostname().replace("-", "_") or "host"
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._file: BinaryIO | None = None
        self._name = ""
        self._size = 0
        self._seq = 0

    # writing ----------------------------------------------------------------------------

    def write(
        self,
        url: str,
        status: int,
        headers: dict[str, str],
        body: bytes,
        request_headers: dict[str, str] | None = None,
    ) -> ArchiveRef:
        """Append a response record and its request record; returns the response's place.

        Raises StorageError (a Retryable) when the directory cannot be written.
        """
        response, request = self._records(url, status, headers, body, request_headers or {})
        if os.getpid() != self._pid:  # forked: the parent's file and lock are not ours
            self._pid = os.getpid()
            self._lock = threading.Lock()
            self._file = None
        with self._lock:
            try:
                out = self._current_file(len(response) + len(request))
                offset = self._size
                out.write(response + request)
                out.flush()
            except OSError as exc:
                self._file = None  # start a fresh file next time; this one may be torn
                raise StorageError(f"cannot write the WARC archive: {exc}", url) from exc
            self._size += len(response) + len(request)
            return ArchiveRef(self._name, offset)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def _records(
        self,
        url: str,
        status: int,
        headers: dict[str, str],
        body: bytes,
        request_headers: dict[str, str],
    ) -> tuple[bytes, bytes]:
        """Both records, each serialised and gzipped on its own."""
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Unknown"
        kept = [(k, v) for k, v in headers.items() if k.lower() not in WIRE_HEADERS]
        kept.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(f"{status} {phrase}", kept, protocol="HTTP/1.1")
        response = self._builder.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http_headers,
        )
        parts = url.split("/", 3)
        target = "/" + (parts[3] if len(parts) > 3 else "")
        host = parts[2] if len(parts) > 2 else ""
        request = self._builder.create_warc_record(
            url,
            "request",
            http_headers=StatusAndHeaders(
                f"GET {target} HTTP/1.1",
                [("Host", host), *request_headers.items()],
                is_http_request=True,
            ),
        )
        request.rec_headers.replace_header(
            "WARC-Date", response.rec_headers.get_header("WARC-Date")
        )
        request.rec_headers.add_header(
            "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
        )
        return _gzip_member(self._serialise(response)), _gzip_member(self._serialise(request))

    def _serialise(self, record: object) -> bytes:
        buffer = io.BytesIO()
        self._builder.out = buffer
        self._builder.write_record(record)
        return buffer.getvalue()

    def _current_file(self, incoming: int) -> BinaryIO:
        if self._file is not None and self._size + incoming <= self.max_file_bytes:
            return self._file
        if self._file is not None:
            self._file.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._seq += 1
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        self._name = f"{FILE_PREFIX}-{stamp}-{self._hostname}-{self._pid}-{self._seq:05d}.warc.gz"
        # "xb": never append to a file another process (or an earlier run) owns.
        self._file = (self.directory / self._name).open("xb")
        info = self._builder.create_warcinfo_record(
            self._name, {"software": "news-ingest", "format": "WARC File Format 1.1"}
        )
        header = _gzip_member(self._serialise(info))
        self._file.write(header)
        self._size = len(header)
        return self._file

    # reading ----------------------------------------------------------------------------

    def read(self, ref: ArchiveRef, url: str | None = None) -> ArchivedResponse:
        """The response record at `ref`; ExtractionError when it is missing or unreadable."""
        path = self.directory / ref.name
        try:
            with path.open("rb") as stream:
                stream.seek(ref.offset)
                for record in ArchiveIterator(stream):
                    if record.rec_type != "response":
                        break
                    http = record.http_headers
                    if http is None:  # an offset into another record can parse as one
                        break
                    body = record.content_stream().read()
                    return ArchivedResponse(
                        url=record.rec_headers.get_header("WARC-Target-URI"),
                        status=int(http.get_statuscode() or 0),
                        content_type=http.get_header("Content-Type") or "",
                        body=body,
                    )
        except OSError as exc:
            raise ExtractionError(f"archived page unreadable at {ref}: {exc}", url) from exc
        except (ArchiveLoadFailed, zlib.error, EOFError, ValueError) as exc:
            raise ExtractionError(f"archived page corrupt at {ref}: {exc}", url) from exc
        raise ExtractionError(f"no response record at {ref}", url)
