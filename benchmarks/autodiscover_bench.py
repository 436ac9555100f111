"""Cost and reach of feed autodiscovery over the devset pages: the `<head>` only (what
workers.extract.autodiscover searches) against the whole tree.

Usage:
    .venv/bin/python benchmarks/autodiscover_bench.py

Prints how many pages announce a feed, on how many the head-only search finds fewer
feeds than the whole-tree one, the milliseconds per page of each, and the head search as
a share of extract() on the same pages.
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

from bs4 import BeautifulSoup

from workers.extract import extract
from workers.extract.autodiscover import announced_feeds, feeds_in
from workers.extract.encoding import decode_html

PAGES = Path(__file__).resolve().parents[2] / "shared" / "devset" / "pages"


def main() -> None:
    paths = sorted(PAGES.glob("*.html.gz"))
    if not paths:
        raise SystemExit(f"no pages under {PAGES}")
    head_s = whole_s = extract_s = 0.0
    announcing = missed = 0
    for path in paths:
        html = decode_html(gzip.decompress(path.read_bytes()), None)
        url = f"https://{path.name.split('.')[0].lower()}.example/"
        start = time.perf_counter()
        extract(html, url)
        extract_s += time.perf_counter() - start
        soup = BeautifulSoup(html, "lxml")
        start = time.perf_counter()
        in_head = announced_feeds(soup, url)
        head_s += time.perf_counter() - start
        start = time.perf_counter()
        everywhere = feeds_in(soup, url)
        whole_s += time.perf_counter() - start
        announcing += bool(everywhere)
        missed += in_head != everywhere
    count = len(paths)
    print(f"{count} pages, {announcing} announce a feed; the head-only search differs on {missed}")
    print(
        f"head {head_s / count * 1000:.2f} ms/page, whole tree {whole_s / count * 1000:.2f} "
        f"ms/page; head = {head_s / extract_s * 100:.2f}% of extract() "
        f"({extract_s / count * 1000:.1f} ms/page)"
    )


if __name__ == "__main__":
    main()
