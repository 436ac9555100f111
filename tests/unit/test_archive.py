"""The WARC archive: records written by many threads (and processes) read back intact."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from workers.archive import ArchiveRef, WarcArchive
from workers.errors import ExtractionError

HEADERS = {"content-type": "text/html; charset=utf-8", "etag": '"v1"'}


def _body(n: int) -> bytes:
    return (
        f"<html><body><h1>Story {n}</h1>{'<p>words and more words</p>' * n}</body></html>".encode()
    )


def _records(directory: Path) -> list[tuple[str, str, bytes, dict[str, str]]]:
    """(type, target URI, payload, WARC headers) of every record in every file, in order."""
    found = []
    for path in sorted(directory.glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                headers = dict(record.rec_headers.headers)
                payload = record.content_stream().read()
                found.append(
                    (record.rec_type, headers.get("WARC-Target-URI", ""), payload, headers)
                )
    return found


def test_response_and_request_records_read_back_with_warcio(tmp_path: Path) -> None:
    """A write leaves a warcinfo, then the response (status, headers, body) and its request."""
    archive = WarcArchive(tmp_path)
    body = _body(3)
    ref = archive.write(
        "https://news.example/a?id=1",
        200,
        {**HEADERS, "content-encoding": "gzip", "content-length": "12"},
        body,
        {"User-Agent": "news-ingest/0.1"},
    )
    archive.close()

    records = _records(tmp_path)
    assert [r[0] for r in records] == ["warcinfo", "response", "request"]
    _, uri, payload, response_headers = records[1]
    assert uri == "https://news.example/a?id=1"
    assert payload == body
    _, _, request_payload, request_headers = records[2]
    assert request_headers["WARC-Concurrent-To"] == response_headers["WARC-Record-ID"]
    assert request_payload == b""
    back = archive.read(ArchiveRef.parse(str(ref)))
    assert (back.url, back.status, back.body) == ("https://news.example/a?id=1", 200, body)
    assert back.content_type == HEADERS["content-type"]
    with (tmp_path / ref.name).open("rb") as stream:
        stream.seek(ref.offset)
        record = next(iter(ArchiveIterator(stream)))
        # The payload is stored decoded: wire encodings are not claimed for it.
        assert record.http_headers.get_header("Content-Encoding") is None
        assert record.http_headers.get_header("Content-Length") == str(len(body))
        assert record.http_headers.get_header("ETag") == '"v1"'


def test_concurrent_threads_never_interleave_records(tmp_path: Path) -> None:
    """Eight threads writing at once leave whole records, each pointer naming its own page."""
    archive = WarcArchive(tmp_path)
    refs: dict[int, ArchiveRef] = {}

    def worker(start: int) -> None:
        for n in range(start, start + 25):
            refs[n] = archive.write(f"https://news.example/{n}", 200, HEADERS, _body(n))

    threads = [threading.Thread(target=worker, args=(i * 25,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    archive.close()

    assert len(refs) == 200
    for n, ref in refs.items():
        page = archive.read(ref)
        assert (page.url, page.body) == (f"https://news.example/{n}", _body(n))
    records = _records(tmp_path)
    kinds = [r[0] for r in records if r[0] != "warcinfo"]
    assert kinds == ["response", "request"] * 200
    responses = [r for r in records if r[0] == "response"]
    requests = [r for r in records if r[0] == "request"]
    for response, request in zip(responses, requests, strict=True):
        assert request[1] == response[1]
        assert request[3]["WARC-Concurrent-To"] == response[3]["WARC-Record-ID"]


def test_files_rotate_by_size(tmp_path: Path) -> None:
    """Past the size limit a new file starts; no file grows much beyond it."""
    archive = WarcArchive(tmp_path, max_file_bytes=4096)
    refs = [archive.write(f"https://news.example/{n}", 200, HEADERS, _body(40)) for n in range(30)]
    archive.close()

    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) > 3
    assert len({ref.name for ref in refs}) == len(files)
    record_size = max(path.stat().st_size for path in files)
    assert record_size < 4096 + 2048
    assert all(archive.read(ref).body == _body(40) for ref in refs)


def _child_write(directory: str, queue: multiprocessing.Queue[str]) -> None:
    archive = _shared[0]
    ref = archive.write("https://news.example/child", 200, HEADERS, _body(2))
    queue.put(str(ref))
    archive.close()


_shared: list[WarcArchive] = []


def test_a_forked_process_writes_its_own_file(tmp_path: Path) -> None:
    """A writer inherited through fork opens a new file instead of sharing the parent's."""
    archive = WarcArchive(tmp_path)
    parent_ref = archive.write("https://news.example/parent", 200, HEADERS, _body(1))
    _shared[:] = [archive]
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[str] = context.Queue()
    child = context.Process(target=_child_write, args=(str(tmp_path), queue))
    child.start()
    child_ref = ArchiveRef.parse(queue.get(timeout=30))
    child.join(timeout=30)
    after_ref = archive.write("https://news.example/parent-2", 200, HEADERS, _body(3))
    archive.close()

    assert child_ref.name != parent_ref.name
    assert after_ref.name == parent_ref.name
    assert archive.read(child_ref).url == "https://news.example/child"
    assert archive.read(after_ref).url == "https://news.example/parent-2"
    assert [r[0] for r in _records(tmp_path)].count("response") == 3


@pytest.mark.parametrize("text", ["nofile", "a.warc.gz#x", "../etc/passwd#0", "#12"])
def test_malformed_pointers_are_refused(text: str) -> None:
    """A pointer that is not `file#offset` inside the archive directory is a ValueError."""
    with pytest.raises(ValueError, match="archive pointer"):
        ArchiveRef.parse(text)


def test_missing_file_or_wrong_offset_is_an_extraction_error(tmp_path: Path) -> None:
    """A pointer to a missing file, or into the middle of a record, is an ExtractionError."""
    archive = WarcArchive(tmp_path)
    ref = archive.write("https://news.example/a", 200, HEADERS, _body(5))
    with pytest.raises(ExtractionError, match="unreadable"):
        archive.read(ArchiveRef("gone.warc.gz", 0))
    with pytest.raises(ExtractionError):
        archive.read(ArchiveRef(ref.name, ref.offset + 7))
