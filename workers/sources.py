"""Load and validate config/sources.yaml into Source records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workers.errors import ConfigError
from workers.models import Source
from workers.urls import host_of, normalize_url


class _SourceSpec(BaseModel):
    """The YAML shape of one source; unknown keys are an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    start_urls: list[str] = Field(default_factory=list)
    feeds: list[str] = Field(default_factory=list)
    sitemaps: list[str] = Field(default_factory=list)
    allowed_domains: list[str] = Field(default_factory=list)
    max_depth: int = Field(1, ge=0, le=10)
    interval: int = Field(900, ge=10)
    allow_private_networks: bool = False
    delay: float = Field(1.0, ge=0)
    max_pages: int = Field(500, ge=1)
    recrawl_after: int = Field(24 * 3600, ge=0)
    respect_robots: bool = True

    @field_validator("start_urls", "feeds", "sitemaps")
    @classmethod
    def _absolute(cls, urls: list[str]) -> list[str]:
        normalised = []
        for url in urls:
            clean = normalize_url(url)
            if clean is None:
                raise ValueError(f"not an absolute http(s) URL: {url!r}")
            normalised.append(clean)
        return normalised


def parse_sources(data: Any, origin: str = "<sources>") -> dict[str, Source]:
    """Validate the parsed YAML document and return sources by name."""
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise ConfigError(f"{origin}: expected a top-level 'sources:' list")
    sources: dict[str, Source] = {}
    for position, raw in enumerate(data["sources"]):
        try:
            spec = _SourceSpec.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(f"{origin}: source #{position}: {exc}") from exc
        if spec.name in sources:
            raise ConfigError(f"{origin}: source {spec.name!r} is defined twice")
        seeds = spec.start_urls + spec.feeds + spec.sitemaps
        if not seeds:
            raise ConfigError(f"{origin}: source {spec.name!r} has no start URL, feed or sitemap")
        domains = spec.allowed_domains or sorted({host_of(url) for url in seeds})
        sources[spec.name] = Source(
            name=spec.name,
            start_urls=tuple(spec.start_urls),
            feeds=tuple(spec.feeds),
            sitemaps=tuple(spec.sitemaps),
            allowed_domains=tuple(domain.lower() for domain in domains),
            max_depth=spec.max_depth,
            interval=spec.interval,
            allow_private_networks=spec.allow_private_networks,
            delay=spec.delay,
            max_pages=spec.max_pages,
            recrawl_after=spec.recrawl_after,
            respect_robots=spec.respect_robots,
        )
    return sources


def load_sources(path: Path) -> dict[str, Source]:
    """Read sources from a YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read sources file {path}: {exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from exc
    return parse_sources(data, origin=str(path))
