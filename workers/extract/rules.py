"""Per-site extraction rules: CSS selectors per field, keyed by domain, loaded from YAML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import soupsieve
import yaml

from workers.urls import host_of

_SINGLE_FIELDS = ("title", "subtitle", "body", "authors", "published_at", "image")
_ALL_FIELDS = frozenset((*_SINGLE_FIELDS, "remove"))


@dataclass(frozen=True, slots=True)
class SiteRule:
    """CSS selectors for one site; a field left None falls back to the heuristics."""

    domain: str
    title: str | None = None
    subtitle: str | None = None
    body: str | None = None
    authors: str | None = None
    published_at: str | None = None
    image: str | None = None
    # Elements dropped before anything is extracted (promo boxes, inline teasers...).
    remove: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SiteRules:
    """Rules for many sites; a rule for `example.com` also applies to its subdomains."""

    sites: Mapping[str, SiteRule] = field(default_factory=dict)

    def for_url(self, url: str) -> SiteRule | None:
        """The rule of the most specific domain that covers the URL's host, if any."""
        host = host_of(url)
        while host:
            rule = self.sites.get(host)
            if rule is not None:
                return rule
            _, dot, rest = host.partition(".")
            host = rest if dot else ""
        return None


def parse_site_rules(data: Any) -> SiteRules:
    """Build SiteRules from already-loaded YAML/JSON data; raises ValueError on bad input."""
    if data is None:
        return SiteRules()
    if not isinstance(data, Mapping):
        raise ValueError("site rules must be a mapping with a 'sites' key")
    sites = data.get("sites") or {}
    if not isinstance(sites, Mapping):
        raise ValueError("'sites' must map domains to selector mappings")
    parsed: dict[str, SiteRule] = {}
    for domain, entry in sites.items():
        if not isinstance(domain, str) or not domain.strip():
            raise ValueError(f"bad domain key: {domain!r}")
        key = domain.strip().lower().lstrip(".")
        parsed[key] = _parse_rule(key, entry)
    return SiteRules(parsed)


def _parse_rule(domain: str, entry: Any) -> SiteRule:
    if not isinstance(entry, Mapping):
        raise ValueError(f"rule for {domain} must be a mapping of field -> selector")
    unknown = set(entry) - _ALL_FIELDS
    if unknown:
        raise ValueError(f"rule for {domain} has unknown fields: {sorted(map(str, unknown))}")
    values: dict[str, str | None] = {}
    for name in _SINGLE_FIELDS:
        selector = entry.get(name)
        if selector is not None:
            values[name] = _checked_selector(domain, name, selector)
    remove_raw = entry.get("remove") or []
    if isinstance(remove_raw, str):
        remove_raw = [remove_raw]
    if not isinstance(remove_raw, list):
        raise ValueError(f"rule for {domain}: 'remove' must be a list of selectors")
    remove = tuple(_checked_selector(domain, "remove", item) for item in remove_raw)
    return SiteRule(domain=domain, remove=remove, **values)


def _checked_selector(domain: str, name: str, selector: Any) -> str:
    if not isinstance(selector, str) or not selector.strip():
        raise ValueError(f"rule for {domain}: '{name}' must be a non-empty CSS selector")
    try:
        soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as error:
        raise ValueError(f"rule for {domain}: bad selector for '{name}': {error}") from error
    return selector.strip()


def load_site_rules(path: str | Path) -> SiteRules:
    """Read site rules from a YAML file (see config/site_rules.yaml for the format)."""
    with Path(path).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return parse_site_rules(data)
