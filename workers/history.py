"""Story history: earlier versions of changed articles, teaser placements, gone pages.

- Before a batch of articles is written, the live copies are read (title, body hash,
  revision, fetch time). An article whose title or body changed keeps its previous copy in
  `<prefix>-versions` (id `<article id>-<revision>`, so a re-sent batch writes the same
  version again) and goes on as revision + 1. A late, older fetch changes nothing.
- Teasers carry `article_id`, the id of the article they promote; `placements` lists them.
- A page that answers 404/410 on a revisit gets `gone_at` (its article, and the teasers
  seen on it); search leaves such documents out by default (workers.search).
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import elasticsearch

from workers.errors import IndexingError, SearchUnavailable
from workers.index import RETRY_STATUSES, Action, SearchIndex, es_errors
from workers.urls import normalize_url, url_id

# Fields of the live article read to decide whether a new fetch changed it.
_COMPARED = ["title", "body_hash", "revision", "fetched_at"]
_VERSION_FIELDS = ["url", "title", "subtitle", "body", "body_hash", "fetched_at", "revision"]
# Statuses that mean "this page is no more" on a revisit.
GONE_STATUSES = frozenset({404, 410})
# Words of unchanged text shown around each change in a word diff.
DIFF_CONTEXT = 6


def body_hash(body: str | None) -> str:
    return hashlib.sha256((body or "").encode("utf-8")).hexdigest()


def track_versions(index: SearchIndex, actions: Sequence[Action]) -> int:
    """Stamp body hashes and revisions on the articles of a batch, keeping changed articles'
    previous versions; returns how many versions were kept. Call before writing the batch."""
    articles = [a for a in actions if a.kind == "articles"]
    if not articles:
        return 0
    for action in articles:
        action.doc["body_hash"] = body_hash(action.doc.get("body"))
    ids = list(dict.fromkeys(a.doc_id for a in articles))
    with es_errors("reading articles before an update"):
        try:
            found = index.client.mget(
                index=index.alias("articles"), ids=ids, source_includes=_COMPARED
            )["docs"]
        except elasticsearch.NotFoundError:  # no articles index yet: every article is new
            found = []
    live = {doc["_id"]: doc["_source"] for doc in found if doc.get("found")}
    changed: dict[str, int] = {}
    for action in articles:
        current = live.get(action.doc_id)
        if current is None:
            action.doc["revision"] = 1
            continue
        revision = int(current.get("revision") or 1)
        same = (current.get("title"), current.get("body_hash")) == (
            action.doc.get("title"),
            action.doc["body_hash"],
        )
        older = str(current.get("fetched_at") or "") > str(action.doc.get("fetched_at") or "")
        if same or older:
            action.doc["revision"] = revision
        else:
            action.doc["revision"] = revision + 1
            changed[action.doc_id] = revision
    if not changed:
        return 0
    with es_errors("keeping earlier versions"):
        previous = index.client.mget(
            index=index.alias("articles"), ids=list(changed), source_includes=_VERSION_FIELDS
        )["docs"]
        operations: list[dict[str, Any]] = []
        for doc in previous:
            if not doc.get("found"):
                continue
            source = doc["_source"]
            version = changed[doc["_id"]]
            operations.append(
                {"index": {"_index": index.versions_index, "_id": f"{doc['_id']}-{version}"}}
            )
            operations.append(
                {
                    "article_id": doc["_id"],
                    "url": source.get("url"),
                    "version": version,
                    "fetched_at": source.get("fetched_at"),
                    "title": source.get("title"),
                    "subtitle": source.get("subtitle"),
                    "body_hash": source.get("body_hash") or body_hash(source.get("body")),
                    "body": source.get("body"),
                }
            )
        if operations:
            response = index.client.bulk(operations=operations)
    if operations and response["errors"]:
        # The batch must not go on with revision + 1 while the version it replaces is lost.
        failed = [next(iter(item.values())) for item in response["items"]]
        failed = [result for result in failed if int(result.get("status", 500)) >= 300]
        status = int(failed[0].get("status", 500))
        message = f"{len(failed)} earlier version(s) not kept: {failed[0].get('error')}"
        if status in RETRY_STATUSES:
            raise SearchUnavailable(message)
        raise IndexingError(message[:500])
    return len(operations) // 2


def find_article(index: SearchIndex, url: str) -> dict[str, Any] | None:
    """The live article for a URL: by id (its canonical URL), else by `url` or `canonical_url`."""
    with es_errors("finding an article"):
        try:
            doc = index.client.get(index=index.alias("articles"), id=url_id(url))
            return {"_id": doc["_id"], **doc["_source"]}
        except elasticsearch.NotFoundError:
            pass
        spelled = list(dict.fromkeys([url, normalize_url(url) or url]))
        response = index.client.search(
            index=index.alias("articles"),
            query={"bool": {"should": [{"terms": {"url": spelled}},
                                       {"terms": {"canonical_url": spelled}}]}},
            size=1,
            ignore_unavailable=True,
        )  # fmt: skip
    hits = response["hits"]["hits"]
    return {"_id": hits[0]["_id"], **hits[0]["_source"]} if hits else None


def versions(index: SearchIndex, url: str) -> list[dict[str, Any]]:
    """Every version of an article, oldest first; the last one is the live document."""
    article = find_article(index, url)
    if article is None:
        return []
    with es_errors("reading versions"):
        # Versions are kept without a refresh; make those of the last moments visible.
        with contextlib.suppress(elasticsearch.NotFoundError):
            index.client.indices.refresh(index=index.versions_index)
        response = index.client.search(
            index=index.versions_index,
            query={"term": {"article_id": article["_id"]}},
            sort=[{"version": "asc"}],
            size=1000,
            ignore_unavailable=True,
        )
    earlier = [hit["_source"] for hit in response["hits"]["hits"]]
    current = {
        "article_id": article["_id"],
        "url": article.get("url"),
        "version": int(article.get("revision") or len(earlier) + 1),
        "fetched_at": article.get("fetched_at"),
        "title": article.get("title"),
        "subtitle": article.get("subtitle"),
        "body_hash": article.get("body_hash") or body_hash(article.get("body")),
        "body": article.get("body"),
        "gone_at": article.get("gone_at"),
    }
    return [*earlier, current]


def word_diff(old: str, new: str, context: int = DIFF_CONTEXT) -> str:
    """`[-removed-]{+added+}` between two texts, word by word, with a little context."""
    a, b = (old or "").split(), (new or "").split()
    parts: list[str] = []
    opcodes = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    for number, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            same = a[i1:i2]
            if len(same) > 2 * context:
                head = same[:context] if number > 0 else []
                tail = same[-context:] if number < len(opcodes) - 1 else []
                parts.append(" ".join([*head, "…", *tail]))
            else:
                parts.append(" ".join(same))
            continue
        if i2 > i1:
            parts.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            parts.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(part for part in parts if part)


def placements(index: SearchIndex, url: str, size: int = 200) -> list[dict[str, Any]]:
    """Where and when the story at `url` was promoted: page, block, position, first and last
    seen; most recently seen first."""
    article = find_article(index, url)
    ids = list(dict.fromkeys([url_id(url), *([article["_id"]] if article else [])]))
    with es_errors("reading teaser placements"):
        response = index.client.search(
            index=index.alias("teasers"),
            query={"terms": {"article_id": ids}},
            sort=[{"last_seen": "desc"}],
            size=size,
            source_includes=["seen_on", "block", "position", "first_seen", "last_seen",
                             "headline", "gone_at"],
            ignore_unavailable=True,
        )  # fmt: skip
    return [hit["_source"] for hit in response["hits"]["hits"]]


def mark_gone(index: SearchIndex, url: str, when: datetime | None = None) -> int:
    """Stamp `gone_at` on the article at `url` and on the teasers seen on that page."""
    stamp = (when or datetime.now(UTC)).isoformat()
    spelled = list(dict.fromkeys([url, normalize_url(url) or url]))
    queries = {
        "articles": {"bool": {"should": [{"terms": {"url": spelled}},
                                         {"terms": {"canonical_url": spelled}},
                                         {"ids": {"values": [url_id(url)]}}]}},
        "teasers": {"terms": {"seen_on": spelled}},
    }  # fmt: skip
    operations: list[dict[str, Any]] = []
    index.ensure()
    with es_errors("marking a page gone"):
        for kind, query in queries.items():
            response = index.client.search(
                index=index.alias(kind),  # type: ignore[arg-type]  # keys are the two kinds
                query={"bool": {"filter": [query], "must_not": [{"exists": {"field": "gone_at"}}]}},
                size=1000,
                source=False,
            )
            for hit in response["hits"]["hits"]:
                operations.append({"update": {"_index": hit["_index"], "_id": hit["_id"]}})
                operations.append({"doc": {"gone_at": stamp}})
        if operations:
            index.client.bulk(operations=operations, refresh="wait_for")
    return len(operations) // 2
