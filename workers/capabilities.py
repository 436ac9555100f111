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
