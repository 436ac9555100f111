"""The two dev sets on disk: where they are, their fixed tune/check split, their pages.

Both sets live beside the repository, at ``<repo>/../shared/devset`` (news pages, fundus gold,
split by publisher) and ``<repo>/../shared/devset-wcxb`` (seven page types, split by domain).
The split is data: ``benchmarks/splits/<set>.json`` lists the sites of each part. It was
written once by ``benchmarks/make_splits.py`` and is only read here, so a change of hashing
or of the page list never moves a site from one part to the other unnoticed.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SPLITS = Path(__file__).resolve().parent / "splits"

# set name -> (folder under ../shared, gold field naming the site the split is keyed on)
SETS: dict[str, tuple[str, str]] = {
    "devset": ("devset", "publisher"),
    "wcxb": ("devset-wcxb", "domain"),
}
PARTS = ("tune", "check")
UNASSIGNED = "unassigned"


class MissingSet(Exception):
    """A dev set or its split file is not where the evaluation looks, or is not usable."""


@dataclass
class Case:
    """One page of a dev set with its gold fields."""

    set: str
    id: str
    site: str
    url: str
    page_type: str  # the wcxb label; every devset page is a news "article"
    part: str  # "tune", "check" or "unassigned"
    html: str
    gold: dict[str, Any]


def set_dir(name: str) -> Path:
    return SHARED / SETS[name][0]


def gold_rows(name: str) -> list[dict[str, Any]]:
    """The gold objects of a set, in file order; MissingSet when the set is absent."""
    path = set_dir(name) / "gold.jsonl"
    if not path.exists():
        raise MissingSet(f"dev set {name!r} not found: no {path.resolve()}")
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def site_of(name: str, gold: dict[str, Any]) -> str:
    return str(gold[SETS[name][1]])


def load_split(name: str) -> dict[str, str]:
    """Site -> part ("tune" or "check") as committed in benchmarks/splits/<name>.json."""
    path = SPLITS / f"{name}.json"
    if not path.exists():
        raise MissingSet(f"split file {path} is missing (benchmarks/make_splits.py writes it)")
    data = json.loads(path.read_text(encoding="utf-8"))
    parts: dict[str, str] = {}
    for part in PARTS:
        for site in data[part]:
            if parts.setdefault(site, part) != part:
                raise MissingSet(f"split file {path} lists {site!r} in both parts")
    return parts


def load_cases(
    name: str, split: str = "all", limit: int | None = None, only: str | None = None
) -> Iterator[Case]:
    """The pages of one set in the requested part ("tune", "check", "all"), decompressed.

    Pages whose site is in neither part of the split file are yielded with part
    "unassigned" under --split all (and counted by the caller), never silently dropped.
    """
    parts = load_split(name)
    base = set_dir(name)
    count = 0
    for gold in gold_rows(name):
        if only and gold["id"] != only:
            continue
        site = site_of(name, gold)
        part = parts.get(site, UNASSIGNED)
        if split != "all" and part != split:
            continue
        raw = gzip.decompress((base / gold["file"]).read_bytes())
        yield Case(
            set=name,
            id=str(gold["id"]),
            site=site,
            url=str(gold["url"]),
            page_type=str(gold.get("page_type") or "article"),
            part=part,
            html=raw.decode("utf-8", "replace"),
            gold=gold,
        )
        count += 1
        if limit and count >= limit:
            return


def unassigned_sites(name: str) -> list[str]:
    """Sites of the set's gold file that the split file does not list (to be reported)."""
    parts = load_split(name)
    return sorted({site_of(name, gold) for gold in gold_rows(name)} - set(parts))
