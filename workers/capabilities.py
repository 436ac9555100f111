"""What the Elasticsearch cluster can do: server-side `_reindex`, language analyzers.

The production image ships the `reindex` and `analysis-common` modules; the minimal
integ-test distribution the tests run has neither. Code that needs them asks here first and
takes the plain path (scroll + bulk, the `standard` analyzer) when a node lacks them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch

# Module names as `GET _nodes/plugins` reports them.
REINDEX_MODULE = "reindex"
ANALYSIS_MODULE = "analysis-common"  # holds the language analyzers (english, german, ...)

# Primary language subtag -> the built-in analyzer of that language (analysis-common).
LANGUAGE_ANALYZERS: dict[str, str] = {
    "ar": "arabic",
    "bg": "bulgarian",
    "bn": "bengali",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "gl": "galician",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "lv": "latvian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "th": "thai",
    "tr": "turkish",
}


@dataclass(frozen=True, slots=True)
class Capabilities:
    """Modules present on every node (a feature counts only when all nodes have it)."""

    modules: frozenset[str]

    @property
    def server_reindex(self) -> bool:
        return REINDEX_MODULE in self.modules

    @property
    def language_analyzers(self) -> bool:
        return ANALYSIS_MODULE in self.modules

    @classmethod
    def from_nodes_info(cls, info: Mapping[str, Any]) -> Capabilities:
        """Read `GET _nodes/plugins`: the modules and plugins common to all nodes."""
        common: set[str] | None = None
        for node in info.get("nodes", {}).values():
            names = {m["name"] for m in node.get("modules", [])}
            names |= {p["name"] for p in node.get("plugins", [])}
            common = names if common is None else common & names
        return cls(frozenset(common or ()))


def probe(client: Elasticsearch) -> Capabilities:
    """Ask the cluster which modules its nodes run."""
    return Capabilities.from_nodes_info(client.nodes.info(metric="plugins").body)


def language_code(language: str | None) -> str | None:
    """The primary subtag of a language tag we have an analyzer for ("en-GB" -> "en")."""
    if not language:
        return None
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGE_ANALYZERS else None


# Text fields analysed per language, per kind (the rest keep the standard analyzer).
LANGUAGE_FIELDS: dict[str, tuple[str, ...]] = {
    "articles": ("title", "subtitle", "body"),
    "teasers": ("headline", "summary"),
}
DEFAULT_LANGUAGES = ("en", "de", "fr", "es")


def analysis_mode(caps: Capabilities, languages: tuple[str, ...]) -> dict[str, Any]:
    """Which analyzers the templates use on this cluster: `{"analysis": ..., "analyzers"}`.

    `language` when every node has the language analyzers: each configured language gets a
    multi-field (`body.english`) beside the standard-analysed field, which search queries
    together, so a document matches stemmed in its own language and exactly in any.
    `standard` otherwise (the minimal distribution): no stemming, and `ingest status` says so.
    """
    analyzers = [LANGUAGE_ANALYZERS[c] for c in languages if c in LANGUAGE_ANALYZERS]
    if caps.language_analyzers and analyzers:
        return {"analysis": "language", "analyzers": analyzers}
    return {"analysis": "standard", "analyzers": []}


def apply_analysis(template: dict[str, Any], kind: str, mode: Mapping[str, Any]) -> None:
    """Add one sub-field per language analyzer to the kind's text fields, in place."""
    if not mode["analyzers"]:
        return
    properties = template.get("mappings", {}).get("properties", {})
    for name in LANGUAGE_FIELDS.get(kind, ()):
        spec = properties.get(name)
        if spec is None:
            continue
        sub = spec.setdefault("fields", {})
        for analyzer in mode["analyzers"]:
            sub[analyzer] = {"type": "text", "analyzer": analyzer}
