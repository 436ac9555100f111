"""The Kibana saved objects in config/kibana: they parse, their references resolve, and every
field they name exists in the index templates, with an aggregatable type where it aggregates.

Kibana cannot run here; these checks are what an import into Kibana would trip over first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from workers.errors import ConfigError
from workers.kibana import for_prefix, load_objects
from workers.search import field_types

REPO = Path(__file__).resolve().parents[2]
KIBANA_DIR = REPO / "config" / "kibana"
TEMPLATE_DIR = REPO / "config" / "elasticsearch"
AGGREGATABLE = {
    "keyword",
    "constant_keyword",
    "date",
    "date_nanos",
    "long",
    "integer",
    "short",
    "byte",
    "double",
    "float",
    "boolean",
    "ip",
}
# Lens columns whose operation reads no field.
RECORDS = "___records___"
# `field : value` terms in a KQL query.
KQL_FIELD = re.compile(r"([A-Za-z_][\w.]*)\s*:")


def _template_fields(kind: str) -> dict[str, str]:
    template = json.loads((TEMPLATE_DIR / f"{kind}.json").read_text())
    return field_types({kind: {"mappings": template["mappings"]}})


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return load_objects(KIBANA_DIR)


@pytest.fixture(scope="module")
def by_key(objects: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(item["type"], item["id"]): item for item in objects}


def _kind_of_view(view: dict[str, Any]) -> str:
    """The template a data view reads: `news-articles` -> articles."""
    title: str = view["attributes"]["title"]
    assert title.startswith("news-"), title
    kind = title.removeprefix("news-")
    assert (TEMPLATE_DIR / f"{kind}.json").exists(), f"data view {title} has no template"
    return kind


def _ref(item: dict[str, Any], name: str) -> dict[str, Any]:
    matches = [ref for ref in item["references"] if ref["name"] == name]
    assert len(matches) == 1, f"{item['type']}/{item['id']}: reference {name!r} missing"
    return matches[0]


def _view_fields(
    item: dict[str, Any], ref_name: str, by_key: dict[tuple[str, str], dict[str, Any]]
) -> dict[str, str]:
    ref = _ref(item, ref_name)
    assert ref["type"] == "index-pattern"
    return _template_fields(_kind_of_view(by_key[("index-pattern", ref["id"])]))


def _searches(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [item for item in objects if item["type"] == kind]


def test_every_line_is_a_saved_object_with_a_unique_id(objects: list[dict[str, Any]]) -> None:
    keys = [(item["type"], item["id"]) for item in objects]
    assert len(keys) == len(set(keys))
    assert {item["type"] for item in objects} == {"index-pattern", "search", "lens", "dashboard"}
    for item in objects:
        assert isinstance(item["references"], list)
        assert item["coreMigrationVersion"] and item["typeMigrationVersion"]


def test_references_resolve_to_objects_in_the_file(
    objects: list[dict[str, Any]], by_key: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """Every reference names an object shipped beside it, so an import needs nothing else."""
    for item in objects:
        for ref in item["references"]:
            assert (ref["type"], ref["id"]) in by_key, (item["id"], ref)


def test_data_views_use_the_time_fields_of_their_templates(
    by_key: dict[tuple[str, str], dict[str, Any]],
) -> None:
    """Articles by published_at, teasers by last_seen, both date fields in the templates."""
    articles = by_key[("index-pattern", "news-ingest-articles")]["attributes"]
    teasers = by_key[("index-pattern", "news-ingest-teasers")]["attributes"]
    assert (articles["title"], articles["timeFieldName"]) == ("news-articles", "published_at")
    assert (teasers["title"], teasers["timeFieldName"]) == ("news-teasers", "last_seen")
    assert _template_fields("articles")["published_at"] == "date"
    assert _template_fields("teasers")["last_seen"] == "date"


def test_saved_searches_name_existing_fields_and_sort_on_aggregatable_ones(
    objects: list[dict[str, Any]], by_key: dict[tuple[str, str], dict[str, Any]]
) -> None:
    for item in _searches(objects, "search"):
        attributes = item["attributes"]
        source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
        fields = _view_fields(item, source["indexRefName"], by_key)
        for column in attributes["columns"]:
            assert column in fields, (item["id"], column)
        for field, order in attributes["sort"]:
            assert fields.get(field) in AGGREGATABLE, (item["id"], field)
            assert order in ("asc", "desc")
        for name in KQL_FIELD.findall(source["query"]["query"]):
            assert name in fields, (item["id"], name)
        for flt in source["filter"]:
            assert fields.get(flt["meta"]["key"]) in AGGREGATABLE, (item["id"], flt["meta"])
            _view_fields(item, flt["meta"]["indexRefName"], by_key)


def test_lens_columns_name_aggregatable_fields_of_their_data_view(
    objects: list[dict[str, Any]], by_key: dict[tuple[str, str], dict[str, Any]]
) -> None:
    for item in _searches(objects, "lens"):
        state = item["attributes"]["state"]
        layers = state["datasourceStates"]["formBased"]["layers"]
        assert layers
        for layer_id, layer in layers.items():
            fields = _view_fields(item, f"indexpattern-datasource-layer-{layer_id}", by_key)
            assert set(layer["columnOrder"]) == set(layer["columns"])
            for column_id, column in layer["columns"].items():
                source = column["sourceField"]
                if source == RECORDS:
                    assert column["operationType"] == "count"
                    continue
                assert fields.get(source) in AGGREGATABLE, (item["id"], column_id, source)
        accessors = json.dumps(state["visualization"])
        for layer in layers.values():
            for column_id in layer["columns"]:
                assert f'"{column_id}"' in accessors, (item["id"], column_id)


def test_dashboard_panels_resolve_and_cover_the_four_views(
    by_key: dict[tuple[str, str], dict[str, Any]],
) -> None:
    """Articles per source per hour, top sections, languages, latest teaser placements."""
    dashboard = by_key[("dashboard", "news-ingest-overview")]
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    json.loads(dashboard["attributes"]["optionsJSON"])
    json.loads(dashboard["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    shown: list[dict[str, Any]] = []
    for panel in panels:
        ref = _ref(dashboard, f"{panel['panelIndex']}:{panel['panelRefName']}")
        assert ref["type"] == panel["type"]
        assert panel["gridData"]["i"] == panel["panelIndex"]
        shown.append(by_key[(ref["type"], ref["id"])])

    def lens_ops(item: dict[str, Any]) -> set[tuple[str, str]]:
        layers = item["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
        return {
            (column["operationType"], column["sourceField"])
            for layer in layers.values()
            for column in layer["columns"].values()
        }

    lens = [lens_ops(item) for item in shown if item["type"] == "lens"]
    assert {("date_histogram", "published_at"), ("terms", "source")} in [
        ops - {("count", RECORDS)} for ops in lens
    ]
    assert any(("terms", "section") in ops for ops in lens)
    assert any(("terms", "language") in ops for ops in lens)
    hourly = next(
        column
        for item in shown
        if item["type"] == "lens"
        for layer in item["attributes"]["state"]["datasourceStates"]["formBased"]["layers"].values()
        for column in layer["columns"].values()
        if column["operationType"] == "date_histogram"
    )
    assert hourly["params"]["interval"] == "1h"
    (placements,) = [item for item in shown if item["type"] == "search"]
    assert placements["attributes"]["sort"] == [["last_seen", "desc"]]
    assert {"seen_on", "block", "position"} <= set(placements["attributes"]["columns"])


def test_saved_searches_for_latest_articles_and_an_agency(
    by_key: dict[tuple[str, str], dict[str, Any]],
) -> None:
    latest = by_key[("search", "news-ingest-latest-articles")]["attributes"]
    assert latest["sort"] == [["published_at", "desc"]]
    wire = by_key[("search", "news-ingest-wire-copy")]["attributes"]
    source = json.loads(wire["kibanaSavedObjectMeta"]["searchSourceJSON"])
    (agency,) = [flt for flt in source["filter"] if flt["meta"]["key"] != "gone_at"]
    assert agency["meta"]["key"] == "agency"
    assert agency["query"] == {"match_phrase": {"agency": agency["meta"]["params"]["query"]}}


def test_for_prefix_repoints_only_the_data_views(objects: list[dict[str, Any]]) -> None:
    moved = for_prefix(objects, "staging")
    views = {item["attributes"]["title"] for item in moved if item["type"] == "index-pattern"}
    assert views == {"staging-articles", "staging-teasers"}
    others = [item for item in moved if item["type"] != "index-pattern"]
    assert others == [item for item in objects if item["type"] != "index-pattern"]
    assert {item["attributes"]["title"] for item in objects if item["type"] == "index-pattern"} == {
        "news-articles",
        "news-teasers",
    }


def test_load_objects_reports_the_broken_line(tmp_path: Path) -> None:
    (tmp_path / "a.ndjson").write_text('{"id": "x", "type": "search", "attributes": {}}\n{oops\n')
    with pytest.raises(ConfigError, match=r"a\.ndjson line 2 is not JSON"):
        load_objects(tmp_path)
    with pytest.raises(ConfigError, match="no saved objects"):
        load_objects(tmp_path / "empty")


def _filters_and_views(item: dict[str, Any]) -> tuple[list[dict[str, Any]], set[str]]:
    """A saved search's or Lens chart's filters, and the ids of the data views it reads."""
    if item["type"] == "search":
        source = json.loads(item["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        return source["filter"], {_ref(item, source["indexRefName"])["id"]}
    layers = item["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
    views = {_ref(item, f"indexpattern-datasource-layer-{layer}")["id"] for layer in layers}
    return item["attributes"]["state"]["filters"], views


def test_searches_and_charts_leave_out_gone_pages(objects: list[dict[str, Any]]) -> None:
    """Every saved search and every Lens chart hides documents with `gone_at` (pages that
    answered 404/410), as `ingest search` does unless asked; the filter is on, negated, on
    the data view the search or chart reads."""
    shown = _searches(objects, "search") + _searches(objects, "lens")
    assert {item["type"] for item in shown} == {"search", "lens"}
    for item in shown:
        filters, views = _filters_and_views(item)
        gone = [flt for flt in filters if flt["meta"]["key"] == "gone_at"]
        assert len(gone) == 1, item["id"]
        (flt,) = gone
        assert flt["meta"]["type"] == "exists", item["id"]
        assert flt["meta"]["negate"] is True and flt["meta"]["disabled"] is False, item["id"]
        assert flt["query"] == {"exists": {"field": "gone_at"}}, item["id"]
        assert {_ref(item, flt["meta"]["indexRefName"])["id"]} == views, item["id"]
