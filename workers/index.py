"""Elasticsearch: templates, versioned indices behind aliases, bulk writes, reindex.

Queries live in workers/search.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import elasticsearch
import orjson
from elasticsearch import Elasticsearch

from workers.capabilities import DEFAULT_LANGUAGES, analysis_mode, apply_analysis, probe
from workers.errors import IndexingError, SearchUnavailable
from workers.models import Article, Teaser
from workers.redact import redact
from workers.urls import host_of, normalize_url, url_id

DocKind = Literal["articles", "teasers"]
DOC_KINDS: tuple[DocKind, ...] = ("articles", "teasers")
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Items a bulk request refused for now (429/503) are sent again this often, pausing
# ITEM_BACKOFF seconds and doubling, before the batch as a whole is retried later.
ITEM_RETRIES = 3
ITEM_BACKOFF = 0.5
# What a bulk response is cut down to: items stay in request order, each with its status and
# (when refused) error; the rest of each item (index, id, version, shards, seq_no) is not read.
BULK_RESPONSE_FIELDS = ["items.*.status", "items.*.error"]


@dataclass(frozen=True, slots=True)
class Action:
    """One bulk operation: index a whole document, or upsert a teaser sighting."""

    kind: DocKind
    doc_id: str
    doc: dict[str, Any]
    # For teasers: fields written only the first time the document is created.
    on_create: dict[str, Any] = field(default_factory=dict)
    # For articles: the fetch time in milliseconds, an external version, so an older fetch
    # indexed late never overwrites a newer one (a re-parse of the same fetch may).
    version: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "doc_id": self.doc_id,
            "doc": self.doc,
            "on_create": self.on_create,
            "version": self.version,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Action:
        return cls(
            data["kind"],
            data["doc_id"],
            dict(data["doc"]),
            dict(data.get("on_create", {})),
            data.get("version"),
        )


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    """What a bulk request did: ids written, and the documents Elasticsearch refused."""

    written: list[tuple[DocKind, str]]
    rejected: list[tuple[DocKind, str, str]]


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def article_action(
    article: Article, source: str, content_key: str | None, fetched_at: float | None = None
) -> Action:
    """The index operation for an article: its id is the hash of its canonical URL.

    `fetched_at` (epoch seconds) is when the page was fetched, not when it was parsed: a
    re-parse keeps it, and it is the document's external version.
    """
    fetched = time.time() if fetched_at is None else fetched_at
    doc = article.to_dict()
    doc.update(
        kind="article",
        source=source,
        host=host_of(article.canonical_url),
        fetched_at=datetime.fromtimestamp(fetched, UTC).isoformat(),
        indexed_at=now_iso(),
        content_hash=content_key,
    )
    return Action("articles", url_id(article.canonical_url), doc, version=int(fetched * 1000))


def teaser_action(teaser: Teaser, source: str, seen_at: float | None = None) -> Action:
    """The upsert for a teaser sighting: one document per (page, story) pair.

    `article_id` is the id the promoted story's article has (the same url_id of its URL);
    `seen_at` is when the page showing it was fetched (a re-parse keeps it).
    """
    seen_on = normalize_url(teaser.seen_on) or teaser.seen_on
    target = normalize_url(teaser.url) or teaser.url
    doc_id = hashlib.sha256(f"{seen_on}|{target}".encode()).hexdigest()
    doc = teaser.to_dict()
    seen = now_iso() if seen_at is None else datetime.fromtimestamp(seen_at, UTC).isoformat()
    doc.update(
        kind="teaser",
        source=source,
        host=host_of(target),
        article_id=url_id(target),
        last_seen=seen,
        gone_at=None,
    )
    return Action("teasers", doc_id, doc, on_create={"first_seen": seen})


@contextmanager
def es_errors(action: str) -> Iterator[None]:
    """Translate client errors: unreachable or overloaded is retryable, the rest is not.

    Messages are redacted: a client error may quote the URL with its credentials.
    """
    try:
        yield
    except (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout) as exc:
        raise SearchUnavailable(redact(f"elasticsearch unreachable while {action}: {exc}")) from exc
    except elasticsearch.ApiError as exc:
        if exc.status_code in RETRY_STATUSES:
            raise SearchUnavailable(f"elasticsearch {exc.status_code} while {action}") from exc
        raise IndexingError(redact(f"elasticsearch refused {action}: {exc}")) from exc
    except elasticsearch.TransportError as exc:
        message = f"elasticsearch transport error while {action}: {exc}"
        raise SearchUnavailable(redact(message)) from exc


def make_client(
    url: str,
    *,
    api_key: str | None = None,
    username: str | None = None,
    password: str | None = None,
    ca_certs: str | None = None,
    verify_certs: bool = True,
    timeout: float = 30.0,
) -> Elasticsearch:
    """A client with explicit timeouts; retries are the task layer's job, not the client's.

    Over HTTPS, `ca_certs` names the CA file that signed the cluster's certificate (the
    system store is used without it); `verify_certs=False` is for throwaway clusters only.
    """
    options: dict[str, Any] = {}
    if api_key:
        options["api_key"] = api_key
    elif username:
        options["basic_auth"] = (username, password or "")
    if url.lower().startswith("https://"):
        options["verify_certs"] = verify_certs
        if ca_certs:
            options["ca_certs"] = ca_certs
        if not verify_certs:
            options["ssl_show_warn"] = False
    return Elasticsearch(
        url, request_timeout=timeout, max_retries=0, retry_on_timeout=False, **options
    )


def load_template(template_dir: Path, kind: DocKind) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((template_dir / f"{kind}.json").read_text("utf-8"))
    data.pop("_comment", None)
    return data


def template_revision(body: Mapping[str, Any]) -> str:
    """A short hash of a template body; a changed template means a reindex is due."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


class SearchIndex:
    """The project's indices under one prefix: `<prefix>-articles`, `<prefix>-teasers`.

    Each kind is a versioned index (`<prefix>-articles-v3`) behind two aliases: the read
    alias `<prefix>-articles` that search and Kibana use, and the write alias
    `<prefix>-articles-write` that indexing uses. A reindex builds the next version and
    moves both aliases, so neither searching nor indexing stops.
    """

    def __init__(
        self,
        client: Elasticsearch,
        prefix: str,
        template_dir: Path,
        languages: tuple[str, ...] = DEFAULT_LANGUAGES,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.template_dir = template_dir
        self.languages = languages
        self._ready = False
        self._analysis: dict[str, Any] | None = None

    def analysis(self) -> dict[str, Any]:
        """The analysis the templates get on this cluster (probed once; see capabilities)."""
        if self._analysis is None:
            with es_errors("reading the cluster's modules"):
                caps = probe(self.client)
            self._analysis = analysis_mode(caps, self.languages)
        return self._analysis

    def alias(self, kind: DocKind) -> str:
        return f"{self.prefix}-{kind}"

    def write_alias(self, kind: DocKind) -> str:
        return f"{self.prefix}-{kind}-write"

    def versioned(self, kind: DocKind, version: int) -> str:
        return f"{self.prefix}-{kind}-v{version}"

    # setup ------------------------------------------------------------------------------

    def template_body(self, kind: DocKind) -> dict[str, Any]:
        """The index template; its revision is also stamped into each index's mapping."""
        template = load_template(self.template_dir, kind)
        mode = self.analysis()
        apply_analysis(template, kind, mode)
        revision = template_revision(template)
        template.setdefault("mappings", {})["_meta"] = {"revision": revision, **mode}
        return {
            "index_patterns": [f"{self.prefix}-{kind}-v*"],
            "priority": 200,
            "template": template,
            "_meta": {"revision": revision, "project": "news-ingest"},
        }

    def live_analysis(self) -> dict[str, Any]:
        """How the live articles index analyses text, from its mapping's `_meta`."""
        with es_errors("reading mappings"):
            if not self.client.indices.exists_alias(name=self.alias("articles")):
                return self.analysis()
            mappings = self.client.indices.get_mapping(index=self.alias("articles"))
        for body in mappings.values():
            meta = body.get("mappings", {}).get("_meta", {})
            if "analysis" in meta:
                return {"analysis": meta["analysis"], "analyzers": meta.get("analyzers", [])}
        return {"analysis": "standard", "analyzers": []}

    def reindex_due(self) -> list[DocKind]:
        """Kinds whose live index was built from an older template than config/ holds."""
        due: list[DocKind] = []
        with es_errors("reading mappings"):
            for kind in DOC_KINDS:
                if not self.client.indices.exists_alias(name=self.write_alias(kind)):
                    continue
                current = self.template_body(kind)["_meta"]["revision"]
                mappings = self.client.indices.get_mapping(index=self.write_alias(kind))
                live = {
                    body.get("mappings", {}).get("_meta", {}).get("revision")
                    for body in mappings.values()
                }
                if live != {current}:
                    due.append(kind)
        return due

    def ensure(self) -> None:
        """Install templates and create the first versioned indices with their aliases.

        Safe to call from many workers at once: every step tolerates "already exists".
        """
        if self._ready:
            return
        with es_errors("preparing indices"):
            for kind in DOC_KINDS:
                body = self.template_body(kind)
                self.client.indices.put_index_template(name=f"{self.prefix}-{kind}", **body)
                if self.client.indices.exists_alias(name=self.write_alias(kind)):
                    continue
                try:
                    self.client.indices.create(
                        index=self.versioned(kind, 1),
                        aliases={
                            self.alias(kind): {},
                            self.write_alias(kind): {"is_write_index": True},
                        },
                    )
                except elasticsearch.BadRequestError as exc:
                    if exc.error != "resource_already_exists_exception":
                        raise
            self._ensure_versions()
        self._ready = True

    @property
    def versions_index(self) -> str:
        """Earlier versions of changed articles (workers.history)."""
        return f"{self.prefix}-versions"

    def _ensure_versions(self) -> None:
        if self.client.indices.exists(index=self.versions_index):
            return
        body = json.loads((self.template_dir / "versions.json").read_text("utf-8"))
        body.pop("_comment", None)
        try:
            self.client.indices.create(index=self.versions_index, **body)
        except elasticsearch.BadRequestError as exc:
            if exc.error != "resource_already_exists_exception":
                raise

    # writing ----------------------------------------------------------------------------

    def bulk(
        self,
        actions: Sequence[Action],
        refresh: bool = False,
        *,
        item_retries: int = ITEM_RETRIES,
        item_backoff: float = ITEM_BACKOFF,
    ) -> BulkOutcome:
        """Write documents in one request. Ids make this idempotent: a rerun overwrites.

        Items the cluster refuses for now (429, 503...) are sent again, up to `item_retries`
        times with a doubling pause; if some still are, raises SearchUnavailable (the whole
        batch may be sent again: that is idempotent). Items refused for good (mapping errors)
        come back in `rejected` with the reason, so the caller can dead-letter them without
        losing the rest. A versioned write that finds a newer fetch (409) counts as written.
        """
        if not actions:
            return BulkOutcome([], [])
        self.ensure()
        written: list[tuple[DocKind, str]] = []
        rejected: list[tuple[DocKind, str, str]] = []
        pending = list(actions)
        for attempt in range(item_retries + 1):
            if attempt:
                time.sleep(item_backoff * 2 ** (attempt - 1))
            with es_errors("bulk indexing"):
                # A ready NDJSON body: the client's serialiser passes bytes through as sent.
                body: Any = b"\n".join(self._operations(pending)) + b"\n"
                response = self.client.bulk(
                    operations=body, refresh=refresh, filter_path=BULK_RESPONSE_FIELDS
                )
            later: list[Action] = []
            conflicts: list[Action] = []
            for action, item in zip(pending, response["items"], strict=True):
                result = next(iter(item.values()))
                status = int(result.get("status", 500))
                if status == 409 and action.version is not None:
                    conflicts.append(action)
                elif status < 300:
                    written.append((action.kind, action.doc_id))
                elif status in RETRY_STATUSES:
                    later.append(action)
                else:
                    reason = json.dumps(result.get("error", {}))[:300]
                    rejected.append((action.kind, action.doc_id, reason))
            later += self._deleted_since(conflicts, written)
            if not later:
                return BulkOutcome(written, rejected)
            pending = later
        raise SearchUnavailable(
            f"{len(pending)} of {len(actions)} documents still refused for now after "
            f"{item_retries} retries"
        )

    def _deleted_since(
        self, conflicts: list[Action], written: list[tuple[DocKind, str]]
    ) -> list[Action]:
        """Of versioned writes that met a newer version (409), those whose document is not
        there: it was deleted, and its tombstone carries the version. They are written again
        without a version (a re-parse restores a deleted article); the rest lost to a newer
        fetch and count as written."""
        if not conflicts:
            return []
        with es_errors("checking version conflicts"):
            found = self.client.mget(
                index=self.write_alias("articles"),
                ids=[a.doc_id for a in conflicts],
                source=False,
            )["docs"]
        again: list[Action] = []
        for action, doc in zip(conflicts, found, strict=True):
            if doc.get("found") or action.kind != "articles":
                written.append((action.kind, action.doc_id))
            else:
                again.append(dataclasses.replace(action, version=None))
        return again

    def _operations(self, actions: Sequence[Action]) -> list[bytes]:
        """The bulk body's lines, serialised here with orjson (the client passes bytes lines
        through as they are; its own stdlib serialisation was most of a batch's CPU)."""
        operations: list[bytes] = []
        for action in actions:
            target = self.write_alias(action.kind)
            if action.on_create:
                meta_line = {"update": {"_index": target, "_id": action.doc_id}}
                operations.append(orjson.dumps(meta_line))
                upsert = {**action.doc, **action.on_create}
                operations.append(orjson.dumps({"doc": action.doc, "upsert": upsert}))
            else:
                meta: dict[str, Any] = {"_index": target, "_id": action.doc_id}
                if action.version is not None:
                    meta.update(version=action.version, version_type="external_gte")
                operations.append(orjson.dumps({"index": meta}))
                operations.append(orjson.dumps(action.doc))
        return operations

    # reading ----------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Documents per kind (0 when the alias does not exist yet)."""
        result: dict[str, int] = {}
        with es_errors("counting documents"):
            for kind in DOC_KINDS:
                if not self.client.indices.exists_alias(name=self.alias(kind)):
                    result[kind] = 0
                    continue
                result[kind] = int(self.client.count(index=self.alias(kind))["count"])
        return result

    def health(self) -> str:
        """Cluster status colour ("green", "yellow", "red")."""
        with es_errors("checking cluster health"):
            return str(self.client.cluster.health(timeout="5s")["status"])

    # reindex ----------------------------------------------------------------------------

    def versions(self, kind: DocKind) -> list[int]:
        """Versions of this kind's index that exist, ascending."""
        with es_errors("listing index versions"):
            names = self.client.indices.get(
                index=f"{self.prefix}-{kind}-v*", expand_wildcards="open"
            )
        return sorted(v for name in names if (v := self._version_of(kind, name)) is not None)

    def write_version(self, kind: DocKind) -> int | None:
        """The version the write alias points at (None before the first index exists)."""
        with es_errors("reading aliases"):
            try:
                aliases = self.client.indices.get_alias(name=self.write_alias(kind))
            except elasticsearch.NotFoundError:
                return None
        found = [v for name in aliases if (v := self._version_of(kind, name)) is not None]
        return max(found) if found else None

    def _version_of(self, kind: DocKind, name: str) -> int | None:
        match = re.fullmatch(rf"{re.escape(self.prefix)}-{kind}-v(\d+)", name)
        return int(match.group(1)) if match else None

    def reindex(self, kind: DocKind, *, keep_old: bool = False) -> dict[str, Any]:
        """Rebuild one kind's index from the current template (see workers.reindex)."""
        from workers.reindex import Reindexer  # noqa: PLC0415 -- reindex builds on this module

        return Reindexer(self).run(kind, keep_old=keep_old)
