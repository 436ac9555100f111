"""Load and validate config/sources.yaml into Source records."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workers.errors import ConfigError
from workers.models import (
    DEFAULT_MAX_AGE,
    DEFAULT_MAX_FEED_INTERVAL,
    DEFAULT_REVISIT,
    Source,
    TrapLimits,
)
from workers.urls import host_of, normalize_url

_TRAP_DEFAULTS = TrapLimits()


class _TrapSpec(BaseModel):
    """The `traps:` mapping of a source; each limit 0 to switch it off."""

    model_config = ConfigDict(extra="forbid")

    max_url_length: int = Field(_TRAP_DEFAULTS.max_url_length, ge=0)
    max_query_params: int = Field(_TRAP_DEFAULTS.max_query_params, ge=0)
    max_segment_repeats: int = Field(_TRAP_DEFAULTS.max_segment_repeats, ge=0)
    max_page: int = Field(_TRAP_DEFAULTS.max_page, ge=0)
    calendar_days: int = Field(_TRAP_DEFAULTS.calendar_days, ge=0)


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
    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)
    traps: _TrapSpec = Field(default_factory=_TrapSpec)

    @field_validator("allow", "deny")
    @classmethod
    def _patterns(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
        return patterns

    # null means no limit, as 0 does
    max_age: int | None = Field(DEFAULT_MAX_AGE, ge=0)
    revisit: list[int] = Field(default_factory=lambda: list(DEFAULT_REVISIT))
    max_feed_interval: int = Field(DEFAULT_MAX_FEED_INTERVAL, ge=0)

    @field_validator("revisit")
    @classmethod
    def _ascending(cls, offsets: list[int]) -> list[int]:
        if any(offset <= 0 for offset in offsets):
            raise ValueError("revisit offsets must be positive seconds")
        if offsets != sorted(set(offsets)):
            raise ValueError("revisit offsets must be ascending, without repeats")
        return offsets

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


# Pydantic error types said the way a person editing the file would say them.
_SAID = {
    "greater_than_equal": "must be >= {ge}",
    "greater_than": "must be > {gt}",
    "less_than_equal": "must be <= {le}",
    "less_than": "must be < {lt}",
    "string_pattern_mismatch": "must match {pattern}",
    "extra_forbidden": "unknown key",
    "missing": "required",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "model_type": "must be a mapping of keys",
    "model_attributes_type": "must be a mapping of keys",
}


def _number(value: Any) -> Any:
    """0.0 said as 0: a bound reads as the user wrote it."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _said(error: Any) -> str:
    """One pydantic error as `key.sub[2]: what is wrong`."""
    where = ""
    for part in error["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    template = _SAID.get(error["type"])
    if template is not None:
        context = {key: _number(value) for key, value in error.get("ctx", {}).items()}
        message = template.format(**context)
    else:
        message = str(error["msg"]).removeprefix("Value error, ")
        message = message[:1].lower() + message[1:]
    return f"{where}: {message}" if where else message


def validate_sources(data: Any, origin: str = "<sources>") -> tuple[dict[str, Source], list[str]]:
    """Validate a parsed sources document: the valid sources by name, and every problem
    found, each one line (`origin: source #2 (name): delay: must be >= 0`)."""
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        return {}, [f"{origin}: expected a top-level 'sources:' list"]
    unknown = sorted(str(key) for key in data if key != "sources")
    problems = [f"{origin}: unknown top-level key {key!r}" for key in unknown]
    sources: dict[str, Source] = {}
    for position, raw in enumerate(data["sources"], start=1):
        name = raw.get("name") if isinstance(raw, dict) else None
        label = f"{origin}: source #{position}" + (f" ({name})" if isinstance(name, str) else "")
        try:
            spec = _SourceSpec.model_validate(raw)
        except ValidationError as exc:
            problems += [f"{label}: {_said(error)}" for error in exc.errors()]
            continue
        if spec.name in sources:
            problems.append(f"{label}: source {spec.name!r} is defined twice")
            continue
        seeds = spec.start_urls + spec.feeds + spec.sitemaps
        if not seeds:
            problems.append(f"{label}: source {spec.name!r} has no start URL, feed or sitemap")
            continue
        sources[spec.name] = _source(spec, seeds)
    return sources, problems


def _source(spec: _SourceSpec, seeds: list[str]) -> Source:
    domains = spec.allowed_domains or sorted({host_of(url) for url in seeds})
    return Source(
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
        allow=tuple(re.compile(pattern) for pattern in spec.allow),
        deny=tuple(re.compile(pattern) for pattern in spec.deny),
        traps=TrapLimits(**spec.traps.model_dump()),
        max_age=spec.max_age or 0,
        revisit=tuple(spec.revisit),
        max_feed_interval=spec.max_feed_interval,
    )


def parse_sources(data: Any, origin: str = "<sources>") -> dict[str, Source]:
    """Validate the parsed YAML document and return sources by name; any problem is a
    ConfigError that names them all, on one line."""
    sources, problems = validate_sources(data, origin)
    if problems:
        raise ConfigError("; ".join(problems))
    return sources


def sources_from_text(text: str, origin: str) -> dict[str, Source]:
    """Sources from the text of a sources file (YAML)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: invalid YAML: {_yaml_problem(exc)}") from exc
    return parse_sources(data, origin)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error on one line, with where it is."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
    if mark is None:
        return str(problem)
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"


def read_sources_file(path: Path) -> str:
    """The text of a sources file; an unreadable file is a ConfigError."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read sources file {path}: {exc}") from exc


def load_sources(path: Path) -> dict[str, Source]:
    """Read sources from a YAML file."""
    return sources_from_text(read_sources_file(path), origin=str(path))


def check_sources(path: Path) -> list[str]:
    """Every problem of a sources file, one line each (empty when it is valid)."""
    try:
        text = read_sources_file(path)
        data = yaml.safe_load(text)
    except ConfigError as exc:
        return [str(exc)]
    except yaml.YAMLError as exc:
        return [f"{path}: invalid YAML: {_yaml_problem(exc)}"]
    return validate_sources(data, str(path))[1]
