"""Template analysis chosen from the cluster's reported modules, for both kinds of cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workers.capabilities import Capabilities, analysis_mode, apply_analysis, language_code
from workers.history import word_diff
from workers.index import load_template

TEMPLATES = Path(__file__).resolve().parents[2] / "config" / "elasticsearch"


def _nodes(*module_lists: list[str]) -> dict[str, Any]:
    return {
        "nodes": {
            f"n{i}": {"modules": [{"name": m} for m in modules], "plugins": []}
            for i, modules in enumerate(module_lists)
        }
    }


def test_a_module_counts_only_when_every_node_has_it() -> None:
    """One node without analysis-common means no language analyzers for the cluster."""
    full = Capabilities.from_nodes_info(_nodes(["analysis-common", "reindex"]))
    mixed = Capabilities.from_nodes_info(_nodes(["analysis-common", "reindex"], ["reindex"]))
    bare = Capabilities.from_nodes_info(_nodes(["x-pack-core"]))
    assert full.language_analyzers and full.server_reindex
    assert not mixed.language_analyzers and mixed.server_reindex
    assert not bare.language_analyzers and not bare.server_reindex


def test_language_mapping_adds_one_subfield_per_language() -> None:
    """With analysis-common: title/subtitle/body get english and german sub-fields."""
    caps = Capabilities(frozenset({"analysis-common"}))
    mode = analysis_mode(caps, ("en", "de", "xx"))
    template = load_template(TEMPLATES, "articles")
    apply_analysis(template, "articles", mode)
    props = template["mappings"]["properties"]
    assert mode == {"analysis": "language", "analyzers": ["english", "german"]}
    for name in ("title", "subtitle", "body"):
        assert props[name]["fields"]["english"] == {"type": "text", "analyzer": "english"}
        assert props[name]["fields"]["german"]["analyzer"] == "german"
    assert props["title"]["fields"]["keyword"]["type"] == "keyword"  # Kibana's terms
    assert "fields" not in props["authors"] or "english" not in props["authors"]["fields"]
    teasers = load_template(TEMPLATES, "teasers")
    apply_analysis(teasers, "teasers", mode)
    assert teasers["mappings"]["properties"]["headline"]["fields"]["english"]["type"] == "text"


def test_standard_mapping_has_no_language_subfields() -> None:
    """Without the module (the test cluster): the shipped template as it is, standard only."""
    mode = analysis_mode(Capabilities(frozenset({"x-pack-core"})), ("en", "de"))
    template = load_template(TEMPLATES, "articles")
    apply_analysis(template, "articles", mode)
    assert mode == {"analysis": "standard", "analyzers": []}
    assert template == load_template(TEMPLATES, "articles")
    assert "fields" not in template["mappings"]["properties"]["body"]


def test_language_codes_map_to_analyzers() -> None:
    """Region and script subtags fall away; unknown languages have no analyzer."""
    assert language_code("en-GB") == "en"
    assert language_code("pt_BR") == "pt"
    assert language_code("tlh") is None
    assert language_code(None) is None


def test_word_diff_marks_removed_and_added_words() -> None:
    """Changed words in brackets, long unchanged stretches shortened with an ellipsis."""
    old = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    new = old.replace("two", "2") + " fifteen"
    diff = word_diff(old, new, context=2)
    assert diff.startswith("one [-two-] {+2+} three four …")
    assert diff.endswith("thirteen fourteen {+fifteen+}")
    assert word_diff("same words", "same words") == "same words"
