"""Search: the queries behind `ingest search`, built apart from indexing (workers/index.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workers.index import DOC_KINDS, DocKind, SearchIndex, es_errors

SEARCH_FIELDS = ["title^3", "headline^3", "subtitle^2", "summary^2", "body", "authors^2"]
HIGHLIGHT_FIELDS = ("body", "summary", "subtitle", "title", "headline")


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result, whatever kind of document it is."""

    kind: str
    url: str
    title: str
    source: str
    score: float
    published_at: str | None
    highlights: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "url": self.url,
            "title": self.title,
            "source": self.source,
            "score": self.score,
            "published_at": self.published_at,
            "highlights": self.highlights,
        }


def build_query(query: str, *, source: str | None = None) -> dict[str, Any]:
    """The bool query: every word must match one of the text fields, filters narrow it."""
    filters: list[dict[str, Any]] = []
    if source:
        filters.append({"term": {"source": source}})
    return {
        "bool": {
            "must": [
                {
                    "simple_query_string": {
                        "query": query,
                        "fields": SEARCH_FIELDS,
                        "default_operator": "and",
                    }
                }
            ],
            "filter": filters,
        }
    }


def search(
    index: SearchIndex,
    query: str,
    *,
    size: int = 10,
    source: str | None = None,
    kinds: Sequence[DocKind] = DOC_KINDS,
) -> list[Hit]:
    """Full-text search over articles and teasers, best first, with highlights."""
    with es_errors("searching"):
        response = index.client.search(
            index=",".join(index.alias(kind) for kind in kinds),
            query=build_query(query, source=source),
            highlight={
                "fields": {name: {} for name in HIGHLIGHT_FIELDS},
                "pre_tags": ["«"],
                "post_tags": ["»"],
                "fragment_size": 160,
                "number_of_fragments": 2,
            },
            source_includes=["kind", "url", "title", "headline", "source", "published_at"],
            size=size,
            ignore_unavailable=True,
        )
    hits = []
    for raw in response["hits"]["hits"]:
        doc = raw.get("_source", {})
        highlights = [frag for frags in raw.get("highlight", {}).values() for frag in frags]
        hits.append(
            Hit(
                kind=doc.get("kind", ""),
                url=doc.get("url", ""),
                title=doc.get("title") or doc.get("headline") or "",
                source=doc.get("source", ""),
                score=float(raw.get("_score") or 0.0),
                published_at=doc.get("published_at"),
                highlights=highlights,
            )
        )
    return hits
