"""The raw archive: fetched pages land in WARC files, and re-parsing reads them back once
the hot copy in Redis has expired."""

from __future__ import annotations

from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from workers.demosite import NewsSite
from workers.urls import url_id

from .conftest import Stack

pytestmark = pytest.mark.integration


def _archived(directory: Path) -> dict[str, bytes]:
    """Target URI -> payload of every response record in the archive directory."""
    found = {}
    for path in directory.glob("*.warc.gz"):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    found[uri] = record.content_stream().read()
    return found


def _page_keys(stack: Stack, base: str, paths: list[str]) -> list[str]:
    keys = []
    for path in paths:
        key = stack.redis.hget(f"url:{url_id(base + path)}", "content_key")
        assert key, f"no fetch state for {path}"
        keys.append(key.decode())
    return keys


def test_every_fetched_page_is_archived_as_warc(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """Each page a crawl fetched is a response record whose payload is the bytes served."""
    site, base = news_site
    source = stack.add_source("warc", base)
    summary = stack.crawl(source)
    assert summary["errors"] == 0

    archived = _archived(Path(stack.env["INGEST_WARC_DIR"]))
    for story in site.stories():
        body = archived[base + story.path]
        assert story.marker.encode() in body
        assert story.headline.encode() in body
    ours = [uri for uri in archived if uri.startswith(base)]
    assert len(ours) == summary["pages_fetched"]


def test_reparse_after_hot_copy_expired_reads_the_archive(
    stack: Stack, news_site: tuple[NewsSite, str]
) -> None:
    """With the Redis hot copies gone, `ingest reparse` rebuilds articles from the WARC files."""
    site, base = news_site
    source = stack.add_source("warc-reparse", base)
    stack.crawl(source)
    paths = [story.path for story in site.stories()]
    keys = _page_keys(stack, base, paths)
    # Play the end of the hot window: the short TTL ran out for every page of this source.
    assert stack.redis.delete(*keys) == len(keys)
    doc_id = url_id(base + paths[0])
    stack.es.delete(index=f"{stack.prefix}-articles-write", id=doc_id, refresh=True)
    assert stack.count_source("articles", source) == 4
    hits_before = dict(site.hits)

    summary = stack.reparse(source)

    assert summary["errors"] == 0, stack.ingest("run", summary["run_id"]).stdout
    assert (summary["done"], stack.count_source("articles", source)) == (True, 5)
    assert site.hits == hits_before
    restored = stack.es.get(index=f"{stack.prefix}-articles", id=doc_id)["_source"]
    assert restored["title"] == site.stories()[0].headline
    assert restored["content_hash"] == keys[0]
    assert stack.redis.exists(*keys) == 0
