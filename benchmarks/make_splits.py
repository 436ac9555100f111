"""Write the fixed tune/check split of each dev set (run once; the result is committed).

A site (devset publisher, wcxb domain) goes to ``check`` when the first byte of the SHA-1 of
its name is divisible by 3 (about a third of the sites), else to ``tune``. The evaluation and
the quality-floor tests read ``benchmarks/splits/<set>.json``; they never recompute it, so
rerunning this after the sets grow only adds sites, and a changed file shows up in review.

Usage: .venv/bin/python benchmarks/make_splits.py [--set devset|wcxb|all]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devset_data import SETS, SPLITS, MissingSet, gold_rows, site_of


def part_of(site: str) -> str:
    return "check" if hashlib.sha1(site.encode()).digest()[0] % 3 == 0 else "tune"


def write_split(name: str) -> Path:
    sites = sorted({site_of(name, gold) for gold in gold_rows(name)})
    data = {
        "set": name,
        "key": SETS[name][1],
        "rule": "check when sha1(site)[0] % 3 == 0, else tune (benchmarks/make_splits.py)",
        "tune": [site for site in sites if part_of(site) == "tune"],
        "check": [site for site in sites if part_of(site) == "check"],
    }
    SPLITS.mkdir(exist_ok=True)
    path = SPLITS / f"{name}.json"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=(*SETS, "all"), default="all")
    args = parser.parse_args(argv)
    try:
        for name in SETS if args.set == "all" else (args.set,):
            path = write_split(name)
            data = json.loads(path.read_text(encoding="utf-8"))
            print(f"{path}: {len(data['tune'])} tune, {len(data['check'])} check sites")
    except MissingSet as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
