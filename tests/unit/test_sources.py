"""sources.yaml validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from workers.errors import ConfigError
from workers.models import TrapLimits
from workers.sources import check_sources, load_sources, parse_sources, validate_sources

REPO = Path(__file__).resolve().parents[2]


def test_shipped_sources_file_loads() -> None:
    """config/sources.yaml is valid and carries the demo source."""
    sources = load_sources(REPO / "config" / "sources.yaml")
    assert "demo" in sources
    assert sources["demo"].allow_private_networks is True


def test_defaults_and_derived_domains() -> None:
    """Unset keys take safe defaults; allowed_domains default to the seeds' hosts."""
    sources = parse_sources({"sources": [{"name": "s", "start_urls": ["https://News.example/"]}]})
    source = sources["s"]
    assert source.allowed_domains == ("news.example",)
    assert source.allow_private_networks is False
    assert source.max_depth == 1
    assert source.seeds == ("https://news.example/",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "top-level 'sources:'"),
        ({"sources": [{"name": "s"}]}, "no start URL"),
        ({"sources": [{"name": "s", "start_urls": ["not a url"]}]}, "not an absolute"),
        ({"sources": [{"name": "s", "start_urls": ["https://a.example/"], "typo": 1}]}, "typo"),
        ({"sources": [{"name": "Bad Name", "start_urls": ["https://a.example/"]}]}, "name"),
        (
            {"sources": [{"name": "s", "start_urls": ["https://a/"]}] * 2},
            "defined twice",
        ),
    ],
)
def test_invalid_sources_are_config_errors(data: object, message: str) -> None:
    """Mistakes in sources.yaml raise ConfigError naming the problem."""
    with pytest.raises(ConfigError, match=message):
        parse_sources(data)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    """A missing sources file is a ConfigError, not an OSError."""
    with pytest.raises(ConfigError, match="cannot read"):
        load_sources(tmp_path / "nope.yaml")


def test_invalid_pattern_is_a_one_line_error_naming_source_and_pattern() -> None:
    """A deny/allow regex that does not compile names the source, the key and the pattern."""
    data = {"sources": [{"name": "s", "start_urls": ["https://a.example/"], "deny": ["(tag"]}]}
    with pytest.raises(ConfigError) as caught:
        parse_sources(data, origin="sources.yaml")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("sources.yaml: source #1 (s): deny: invalid regular expression")
    assert "'(tag'" in message


def test_validation_errors_are_flattened_one_per_problem() -> None:
    """Every problem of every source is found, each said in one line with its key path."""
    data = {
        "sources": [
            {"name": "ok", "start_urls": ["https://a.example/"]},
            {"name": "two", "start_urls": ["https://a.example/"], "delay": -1, "typo": 1},
            {"start_urls": ["https://a.example/"], "traps": {"max_page": "many"}},
        ]
    }
    sources, problems = validate_sources(data, "sources.yaml")
    assert list(sources) == ["ok"]
    assert problems == [
        "sources.yaml: source #2 (two): delay: must be >= 0",
        "sources.yaml: source #2 (two): typo: unknown key",
        "sources.yaml: source #3: name: required",
        "sources.yaml: source #3: traps.max_page: must be a whole number",
    ]


def test_rules_and_trap_limits_are_carried_on_the_source() -> None:
    """allow/deny become compiled patterns; a partial `traps:` keeps the other defaults."""
    source = parse_sources(
        {
            "sources": [
                {
                    "name": "s",
                    "start_urls": ["https://a.example/"],
                    "allow": ["^/news/"],
                    "deny": ["/tag/"],
                    "traps": {"max_page": 2},
                }
            ]
        }
    )["s"]
    assert [p.pattern for p in source.allow] == ["^/news/"]
    assert [p.pattern for p in source.deny] == ["/tag/"]
    assert source.traps == TrapLimits(max_page=2)
    assert source.traps.max_url_length == 2048


def test_check_reports_yaml_errors_with_their_place(tmp_path: Path) -> None:
    """A file that is not YAML is one problem naming the file, the line and the column."""
    broken = tmp_path / "sources.yaml"
    broken.write_text("sources:\n  - name: [unclosed\n")
    (problem,) = check_sources(broken)
    assert problem.startswith(f"{broken}: invalid YAML:")
    assert "line 3" in problem
    assert check_sources(REPO / "config" / "sources.yaml") == []
