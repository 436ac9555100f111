"""sources.yaml validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from workers.errors import ConfigError
from workers.sources import load_sources, parse_sources

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
