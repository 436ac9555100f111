"""Search: the queries behind `ingest search`, built apart from indexing (workers/index.py).

A search is one request per document kind (an `_msearch`), merged here: articles and teasers
keep their dates in different fields (`published_at`, `last_seen`) and teasers are collapsed
per story, which only their index can do. The query text goes to `simple_query_string`
(`"phrases"`, `-exclusions`, `a | b`), over the text fields and every text sub-field the live
mapping has (the language-analysed ones among them), so stemming works wherever the index
templates provide it. `field:words` terms are lifted out and searched in that field only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import elasticsearch

from workers.errors import QueryError
from workers.index import DOC_KINDS, DocKind, SearchIndex, es_errors

SortOrder = Literal["relevance", "newest"]
SORT_ORDERS: tuple[SortOrder, ...] = ("relevance", "newest")

# Text fields searched per kind, with their boosts; sub-fields found in the mapping inherit them.
TEXT_FIELDS: dict[DocKind, dict[str, int]] = {
    "articles": {"title": 3, "subtitle": 2, "body": 1, "authors": 2, "image.caption": 1},
    "teasers": {"headline": 3, "summary": 2, "image.caption": 1},
}
HIGHLIGHT_FIELDS: dict[DocKind, tuple[str, ...]] = {
    "articles": ("body", "subtitle", "title"),
    "teasers": ("summary", "headline"),
}
# `name:words` in a query: the name a user types -> the fields it means, per kind.
QUERY_FIELDS: dict[str, dict[DocKind, tuple[str, ...]]] = {
    "title": {"articles": ("title",), "teasers": ("headline",)},
    "subtitle": {"articles": ("subtitle",), "teasers": ("summary",)},
    "body": {"articles": ("body",), "teasers": ("summary",)},
    "author": {"articles": ("authors",)},
    "caption": {"articles": ("image.caption",), "teasers": ("image.caption",)},
}
QUERY_FIELD_ALIASES = {
    "headline": "title",
    "summary": "subtitle",
    "standfirst": "subtitle",
    "text": "body",
    "authors": "author",
    "byline": "author",
}
# Keyword filters: option name -> field, per kind (a kind without the field cannot match).
FILTER_FIELDS: dict[str, dict[DocKind, str]] = {
    "source": {"articles": "source", "teasers": "source"},
    "section": {"articles": "section"},
    "agency": {"articles": "agency"},
    "lang": {"articles": "language"},
}
# How many placements (page, block, position) a collapsed teaser hit lists at most.
MAX_PLACEMENTS = 10
# Highlighted words are wrapped in two private-use characters, which page text does not
# contain, so they can be told from a « or » the page itself prints; `--json` shows «».
MARK_START, MARK_END = "\ue000", "\ue001"
HIGHLIGHT = {
    "pre_tags": [MARK_START],
    "post_tags": [MARK_END],
    "fragment_size": 160,
    "number_of_fragments": 2,
}
SOURCE_FIELDS = [
    "kind",
    "url",
    "title",
    "headline",
    "source",
    "published_at",
    "fetched_at",
    "section",
    "agency",
    "language",
    "seen_on",
    "block",
    "position",
    "first_seen",
    "last_seen",
    "gone_at",
]
PLACEMENT_FIELDS = ["seen_on", "block", "position", "first_seen", "last_seen"]

_AGE = re.compile(r"(\d+)\s*(s|m|min|h|d|w)", re.IGNORECASE)
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_AGE_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_FIELD_TERM = re.compile(r"([+-]?)([A-Za-z][A-Za-z_]*):(.*)", re.DOTALL)
# What simple_query_string reads as operators; a query of nothing else searches nothing.
_OPERATORS = re.compile(r'[\s+\-|"()~*]+')


@dataclass(frozen=True, slots=True)
class FieldTerm:
    """One `name:words` term of a query: words to find in that field only (or not at all)."""

    name: str
    words: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query split into free text (for every field) and field terms."""

    text: str
    terms: tuple[FieldTerm, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """Everything `ingest search` can ask for."""

    query: str
    size: int = 10
    kinds: tuple[DocKind, ...] = DOC_KINDS
    source: str | None = None
    section: str | None = None
    agency: str | None = None
    lang: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    sort: SortOrder = "relevance"
    include_gone: bool = False
    collapse: bool = True

    def filters(self) -> dict[str, str]:
        """The keyword filters that are set: option name -> value."""
        values = {
            "source": self.source,
            "section": self.section,
            "agency": self.agency,
            "lang": self.lang,
        }
        return {name: value for name, value in values.items() if value}


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: an article, or a story's teasers collapsed into one hit."""

    id: str
    kind: str
    url: str
    title: str
    source: str
    score: float
    published_at: str | None
    # Fragments with the matched words between MARK_START and MARK_END.
    highlights: list[str]
    # The date `--sort newest` orders by: publication for an article (None when undated),
    # the last sighting for a teaser.
    date: str | None = None
    section: str | None = None
    agency: str | None = None
    language: str | None = None
    gone_at: str | None = None
    # Teasers: the page of the top sighting, how many sightings the story has, and the
    # pages (newest first, at most MAX_PLACEMENTS) that showed it.
    seen_on: str | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    placement_count: int = 0
    placements: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "url": self.url,
            "title": self.title,
            "source": self.source,
            "score": self.score,
            "date": self.date,
            "published_at": self.published_at,
            "section": self.section,
            "agency": self.agency,
            "language": self.language,
            "gone_at": self.gone_at,
            "seen_on": self.seen_on,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "placement_count": self.placement_count,
            "placements": self.placements,
            "highlights": [
                fragment.replace(MARK_START, "«").replace(MARK_END, "»")
                for fragment in self.highlights
            ],
        }


# parsing ------------------------------------------------------------------------------------


def parse_when(value: str, *, now: datetime | None = None, option: str = "--since") -> datetime:
    """An ISO date or datetime (UTC unless it says otherwise), or an age such as `2h`, `3d`.

    A bare date given to `--until` means the end of that day, so `--until 2026-11-30`
    includes the 30th.
    """
    text = value.strip()
    now = now or datetime.now(UTC)
    if match := _AGE.fullmatch(text):
        return now - timedelta(seconds=int(match.group(1)) * _AGE_UNITS[match.group(2).lower()])
    try:
        when = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise QueryError(
            f"cannot read {option} {value!r}: give an ISO date or time (2026-11-30, "
            "2026-11-30T08:00Z) or an age (90m, 2h, 3d, 1w)"
        ) from None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    if option == "--until" and _DATE_ONLY.fullmatch(text):
        when += timedelta(days=1) - timedelta(milliseconds=1)
    return when


def _tokens(query: str) -> Iterable[str]:
    """Whitespace-separated tokens; a double-quoted stretch (even mid-token) stays whole."""
    token: list[str] = []
    quoted = False
    for char in query:
        if char == '"':
            quoted = not quoted
        if char.isspace() and not quoted:
            if token:
                yield "".join(token)
                token = []
            continue
        token.append(char)
    if token:
        yield "".join(token)


def parse_query(query: str) -> ParsedQuery:
    """Split `name:words` terms from the free text; refuse what cannot be searched.

    Raises QueryError for an empty query (nothing but spaces or operators), an unknown field
    name, or a field term without words. A query of exclusions only (`-permit`) is valid: it
    matches everything else the filters let through. A term in double quotes is never a field
    term, so `"10:30"` or `"https://..."` search as text.
    """
    free: list[str] = []
    terms: list[FieldTerm] = []
    for token in _tokens(query):
        match = _FIELD_TERM.fullmatch(token)
        if match is None:
            free.append(token)
            continue
        sign, raw_name, words = match.groups()
        name = QUERY_FIELD_ALIASES.get(raw_name.lower(), raw_name.lower())
        if name not in QUERY_FIELDS:
            known = ", ".join(QUERY_FIELDS)
            raise QueryError(
                f"unknown field {raw_name!r} in {token!r}: fields are {known} "
                "(use --source, --section, --agency, --lang for the others, "
                'or put the term in double quotes to search it as text: "' + token + '")'
            )
        if not _OPERATORS.sub("", words):
            raise QueryError(f"nothing to search for in {token!r}: write {raw_name}:words")
        terms.append(FieldTerm(name, words, negated=sign == "-"))
    text = " ".join(free)
    if not _OPERATORS.sub("", text) and not terms:
        raise QueryError("empty query: give at least one word to search for")
    return ParsedQuery(text, tuple(terms))


# mappings -----------------------------------------------------------------------------------


def field_types(mappings: Mapping[str, Any]) -> dict[str, str]:
    """Every field path of a get-mapping response, with its type (sub-fields included).

    Paths look like `title`, `title.raw` (a sub-field) or `image.caption` (an object's
    property). Indices behind one alias are merged.
    """
    found: dict[str, str] = {}

    def walk(properties: Mapping[str, Any], prefix: str) -> None:
        for name, spec in properties.items():
            path = f"{prefix}{name}"
            if "properties" in spec:
                walk(spec["properties"], f"{path}.")
                continue
            found[path] = spec.get("type", "object")
            for sub, sub_spec in spec.get("fields", {}).items():
                found[f"{path}.{sub}"] = sub_spec.get("type", "object")

    for body in mappings.values():
        walk(body.get("mappings", {}).get("properties", {}), "")
    return found


def with_text_subfields(name: str, types: Mapping[str, str]) -> list[str]:
    """A text field and its text sub-fields (`body`, `body.english`, ...) that exist."""
    if types.get(name) != "text":
        return []
    subs = sorted(
        path
        for path, kind in types.items()
        if kind == "text" and path.startswith(name + ".") and "." not in path[len(name) + 1 :]
    )
    return [name, *subs]


# building -----------------------------------------------------------------------------------


def _date_range(field_name: str, gte: datetime | None, lte: datetime | None) -> dict[str, Any]:
    bounds = {}
    if gte is not None:
        bounds["gte"] = gte.isoformat()
    if lte is not None:
        bounds["lte"] = lte.isoformat()
    return {"range": {field_name: bounds}}


def _keyword(field_name: str, value: str, *, prefix_subtags: bool = False) -> dict[str, Any]:
    """A case-insensitive exact match; for languages, `en` also matches `en-GB`."""
    term = {"term": {field_name: {"value": value, "case_insensitive": True}}}
    if not prefix_subtags:
        return term
    subtag = {"prefix": {field_name: {"value": f"{value}-", "case_insensitive": True}}}
    return {"bool": {"should": [term, subtag], "minimum_should_match": 1}}


def _time_filter(kind: DocKind, request: SearchRequest) -> list[dict[str, Any]]:
    """Articles by publication (fetch time when undated); teasers by the time they were shown."""
    if request.since is None and request.until is None:
        return []
    if kind == "teasers":
        clauses = []
        if request.since is not None:
            clauses.append(_date_range("last_seen", request.since, None))
        if request.until is not None:
            clauses.append(_date_range("first_seen", None, request.until))
        return clauses
    undated = {
        "bool": {
            "must_not": [{"exists": {"field": "published_at"}}],
            "filter": [_date_range("fetched_at", request.since, request.until)],
        }
    }
    published = _date_range("published_at", request.since, request.until)
    return [{"bool": {"should": [published, undated], "minimum_should_match": 1}}]


def _text_clause(text: str, fields: Sequence[str], boosts: Mapping[str, int]) -> dict[str, Any]:
    def boosted(path: str) -> str:
        base = next((b for b in boosts if path == b or path.startswith(b + ".")), path)
        boost = boosts.get(base, 1)
        return f"{path}^{boost}" if boost != 1 else path

    return {
        "simple_query_string": {
            "query": text,
            "fields": [boosted(path) for path in fields],
            "default_operator": "and",
        }
    }


def build_body(
    kind: DocKind, parsed: ParsedQuery, request: SearchRequest, types: Mapping[str, str]
) -> dict[str, Any] | None:
    """The search body for one kind, or None when this kind cannot match the request.

    `types` is the kind's live mapping (see field_types): only fields it has are searched,
    and a filter on a field the kind lacks (teasers have no `section`) rules the kind out.
    """
    boosts = TEXT_FIELDS[kind]
    search_fields = [path for base in boosts for path in with_text_subfields(base, types)]
    if not search_fields:
        return None
    must: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    if _OPERATORS.sub("", parsed.text):
        must.append(_text_clause(parsed.text, search_fields, boosts))
    for term in parsed.terms:
        names = QUERY_FIELDS[term.name].get(kind, ())
        fields = [path for base in names for path in with_text_subfields(base, types)]
        if not fields:
            if term.negated:
                continue
            return None
        clause = _text_clause(term.words, fields, boosts)
        (must_not if term.negated else must).append(clause)
    filters: list[dict[str, Any]] = []
    for option, value in request.filters().items():
        field_name = FILTER_FIELDS[option].get(kind)
        if field_name is None or field_name not in types:
            return None
        filters.append(_keyword(field_name, value, prefix_subtags=option == "lang"))
    filters.extend(_time_filter(kind, request))
    if not request.include_gone:
        must_not.append({"exists": {"field": "gone_at"}})
    body: dict[str, Any] = {
        "query": {"bool": {"must": must, "must_not": must_not, "filter": filters}},
        "size": request.size,
        "_source": SOURCE_FIELDS,
        "track_total_hits": False,
        "track_scores": True,
        "highlight": {
            **HIGHLIGHT,
            "fields": {
                path: {}
                for base in HIGHLIGHT_FIELDS[kind]
                for path in with_text_subfields(base, types)
            },
        },
        "sort": _sort(kind, request.sort),
    }
    if kind == "teasers" and request.collapse:
        body["collapse"] = {
            "field": "url",
            "inner_hits": {
                "name": "placements",
                "size": MAX_PLACEMENTS,
                "_source": PLACEMENT_FIELDS,
                "sort": [{"last_seen": {"order": "desc", "unmapped_type": "date"}}],
            },
        }
    return body


def _sort(kind: DocKind, order: SortOrder) -> list[Any]:
    dates: list[Any]
    if kind == "teasers":
        dates = [{"last_seen": {"order": "desc", "missing": "_last", "unmapped_type": "date"}}]
    else:
        dates = [
            {"published_at": {"order": "desc", "missing": "_last", "unmapped_type": "date"}},
            {"fetched_at": {"order": "desc", "missing": "_last", "unmapped_type": "date"}},
        ]
    return [*dates, "_score"] if order == "newest" else ["_score", *dates]


# running ------------------------------------------------------------------------------------


def live_field_types(index: SearchIndex, kind: DocKind) -> dict[str, str]:
    """The fields a kind's read alias has now ({} when it does not exist yet)."""
    with es_errors("reading mappings"):
        try:
            mappings = index.client.indices.get_mapping(index=index.alias(kind))
        except elasticsearch.NotFoundError:
            return {}
    return field_types(mappings.body)


def check_applicable(request: SearchRequest) -> None:
    """Refuse a filter that none of the requested kinds has (`--lang` with teasers only)."""
    for option in request.filters():
        if not any(kind in FILTER_FIELDS[option] for kind in request.kinds):
            kinds = " and ".join(request.kinds)
            raise QueryError(f"--{option} does not apply to {kinds}: they have no such field")


def search(index: SearchIndex, request: SearchRequest) -> list[Hit]:
    """Run a search over the requested kinds; the best (or newest) `size` hits, merged."""
    parsed = parse_query(request.query)
    check_applicable(request)
    if request.since and request.until and request.since > request.until:
        raise QueryError("--since is later than --until: nothing can match")
    plan: list[tuple[DocKind, dict[str, Any]]] = []
    for kind in request.kinds:
        body = build_body(kind, parsed, request, live_field_types(index, kind))
        if body is not None:
            plan.append((kind, body))
    if not plan:
        return []
    searches: list[dict[str, Any]] = []
    for kind, body in plan:
        searches += [{"index": index.alias(kind), "ignore_unavailable": True}, body]
    with es_errors("searching"):
        response = index.client.msearch(searches=searches)
    hits: list[Hit] = []
    for (kind, _body), answer in zip(plan, response["responses"], strict=True):
        if "error" in answer:
            reason = answer["error"].get("reason") or answer["error"].get("type")
            raise QueryError(f"elasticsearch could not run the {kind} query: {reason}")
        hits += [_hit(kind, raw) for raw in answer["hits"]["hits"]]
    if request.sort == "newest":
        hits.sort(key=lambda hit: (hit.date is not None, hit.date or "", hit.score), reverse=True)
    else:
        hits.sort(key=lambda hit: (hit.score, hit.date or ""), reverse=True)
    return hits[: request.size]


def _highlights(raw: Mapping[str, Any]) -> list[str]:
    """Fragments in field order, a fragment the stemmed sub-field repeats given once."""
    seen: set[str] = set()
    fragments = []
    for frags in raw.get("highlight", {}).values():
        for fragment in frags:
            plain = fragment.replace(MARK_START, "").replace(MARK_END, "")
            if plain not in seen:
                seen.add(plain)
                fragments.append(fragment)
    return fragments


def _iso(value: Any) -> str | None:
    """Dates from the index normalised to UTC ISO strings, so they sort as text."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat()


def _hit(kind: DocKind, raw: Mapping[str, Any]) -> Hit:
    doc = raw.get("_source", {})
    score = float(raw.get("_score") or 0.0)
    common = {
        "id": str(raw.get("_id", "")),
        "kind": doc.get("kind", kind.rstrip("s")),
        "url": doc.get("url", ""),
        "title": doc.get("title") or doc.get("headline") or "",
        "source": doc.get("source", ""),
        "score": score,
        "published_at": doc.get("published_at"),
        "highlights": _highlights(raw),
        "gone_at": doc.get("gone_at"),
    }
    if kind == "articles":
        return Hit(
            **common,
            date=_iso(doc.get("published_at")),
            section=doc.get("section"),
            agency=doc.get("agency"),
            language=doc.get("language"),
        )
    inner = raw.get("inner_hits", {}).get("placements", {}).get("hits", {})
    placements = [
        {name: hit.get("_source", {}).get(name) for name in PLACEMENT_FIELDS}
        for hit in inner.get("hits", [])
    ] or [{name: doc.get(name) for name in PLACEMENT_FIELDS}]
    total = inner.get("total", {})
    count = int(total.get("value", len(placements))) if isinstance(total, dict) else len(placements)
    return Hit(
        **common,
        date=_iso(doc.get("last_seen")),
        seen_on=doc.get("seen_on"),
        first_seen=doc.get("first_seen"),
        last_seen=doc.get("last_seen"),
        placement_count=max(count, 1),
        placements=placements,
    )
