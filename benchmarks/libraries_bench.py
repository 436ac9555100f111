"""Measure the three library adoptions of workers.extract against the code they replaced.

Usage:
    .venv/bin/python benchmarks/libraries_bench.py [--part charset|feeds|language|all]
        [--limit N]

- charset: every dev-set page (both sets) whose gold text is mostly in one script with a
  legacy encoding is re-encoded in it (Cyrillic -> cp1251, Japanese -> cp932, Korean ->
  cp949, Chinese -> GBK/gb18030, Arabic -> cp1256, Greek, Hebrew, Thai; Latin with accents
  -> cp1252) with its charset declarations removed; characters the codec lacks become
  numeric references, as a CMS would write them. Scored: the share decoded exactly, before
  (the cp1252 guess) and after (charset-normalizer), and the decoding time per page.
- feeds: an RSS and an Atom feed of 40 entries whose every link query and title has a bare
  `&`; scored: links read whole, lxml alone versus with the feedparser fallback, and time.
- language: on the dev-set pages that declare a language, how often py3langid's reading of
  the extracted text agrees with it (and how often it abstains); on all pages, extraction
  pages/s with and without identification, alternating page by page in one process.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from devset_data import SETS, MissingSet, load_cases

from workers.extract import encoding as encoding_module
from workers.extract import extract, feeds, fields
from workers.extract.encoding import decode_html
from workers.extract.language import detect_language, normalise_language

_DECLARED_CHARSET = re.compile(r"""charset\s*=\s*["']?[-\w.:]+["']?""", re.IGNORECASE)
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([-\w]+)", re.IGNORECASE)
# The Unicode name prefix of a letter's script -> the legacy codec of pages in it.
_SCRIPT_CODECS = (
    ("CYRILLIC", "cp1251"),
    ("HIRAGANA", "cp932"),
    ("KATAKANA", "cp932"),
    ("HANGUL", "cp949"),
    ("CJK", "gb18030"),
    ("GREEK", "cp1253"),
    ("ARABIC", "cp1256"),
    ("HEBREW", "cp1255"),
    ("THAI", "cp874"),
    ("LATIN", "cp1252"),
)


def pages(limit: int | None) -> Iterator[tuple[str, str, str, str]]:
    """(set/id, url, html, gold body) of every page of both sets."""
    for name in SETS:
        for case in load_cases(name, "all", limit):
            yield f"{name}/{case.id}", case.url, case.html, case.gold.get("body") or ""


def legacy_codec(text: str) -> str | None:
    """The legacy codec of a text written in one script (most of its letters), else None.

    Pages in Latin script need accented letters (else they are plain ASCII); Japanese
    mixes kana and Han, so any kana share means Shift-JIS.
    """
    scripts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            scripts["ASCII" if ord(char) < 128 else unicodedata.name(char, "").split(" ")[0]] += 1
    letters = sum(scripts.values())
    if not letters:
        return None
    if scripts["HIRAGANA"] + scripts["KATAKANA"] > 0.05 * letters:
        return "cp932"
    top = max((key for key in scripts if key != "ASCII"), key=scripts.__getitem__, default=None)
    if top is None:
        return None
    if top == "LATIN":
        return "cp1252"
    if scripts[top] < 0.5 * letters:
        return None  # an English page with a few words of another script
    return next((codec for prefix, codec in _SCRIPT_CODECS if prefix == top), None)


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def bench_charset(limit: int | None) -> None:
    real_detected = encoding_module._detected
    exact: Counter[tuple[str, str]] = Counter()
    totals: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    for _, _, html, gold in pages(limit):
        text = _DECLARED_CHARSET.sub("", html)
        codec = legacy_codec(gold)
        if codec is None:
            continue
        body = text.encode(codec, errors="xmlcharrefreplace")
        want = body.decode(codec)
        totals[codec] += 1
        for label, detected in (("before", lambda _: None), ("after", real_detected)):
            encoding_module._detected = detected  # type: ignore[assignment]
            got, elapsed = _timed(lambda: decode_html(body, "text/html"))  # noqa: B023
            exact[label, codec] += int(got == want)
            seconds[label] += elapsed
        encoding_module._detected = real_detected
    count = sum(totals.values())
    print(f"charset: {count} pages re-encoded without a declaration (share decoded exactly)")
    print(f"  {'codec':<10} {'pages':>5} {'before':>7} {'after':>7}")
    for codec, total in totals.most_common():
        before, after = exact["before", codec] / total, exact["after", codec] / total
        print(f"  {codec:<10} {total:>5} {before:7.3f} {after:7.3f}")
    for label in ("before", "after"):
        share = sum(exact[label, codec] for codec in totals) / count
        print(f"  all {label}: {share:.3f}, {1000 * seconds[label] / count:.1f} ms per page")


FEED_ITEMS = 40


def _broken_feeds() -> dict[str, tuple[bytes, list[str]]]:
    """An RSS and an Atom feed whose links and titles carry bare `&`, with the right URLs."""
    urls = [f"https://news.example/story/{i}?id={i}&page=2" for i in range(FEED_ITEMS)]
    rss = "".join(
        f"<item><title>Fish & chips {i}</title><link>{url}</link></item>"
        for i, url in enumerate(urls)
    )
    atom = "".join(
        f'<entry><title>Bread & butter {i}</title><link href="{url}"/><id>urn:{i}</id></entry>'
        for i, url in enumerate(urls)
    )
    return {
        "rss": (
            f'<rss version="2.0"><channel><title>T</title>{rss}</channel></rss>'.encode(),
            urls,
        ),
        "atom": (f'<feed xmlns="http://www.w3.org/2005/Atom">{atom}</feed>'.encode(), urls),
    }


def bench_feeds() -> None:
    real_loose = feeds.loose_feed
    print(f"feeds: {FEED_ITEMS} entries per feed, each link and title with a bare '&'")
    for kind, (body, urls) in _broken_feeds().items():
        for label, loose in (("lxml alone", lambda _: (None, [])), ("+feedparser", real_loose)):
            feeds.loose_feed = loose  # type: ignore[assignment]
            feed, elapsed = _timed(lambda: feeds.parse_feed(body, "https://news.example/f"))  # noqa: B023
            whole = sum(
                1 for entry, url in zip(feed.entries, urls, strict=False) if entry.url == url
            )
            print(
                f"  {kind:<5} {label:<12} links whole {whole}/{len(urls)}, {1000 * elapsed:.1f} ms"
            )
        feeds.loose_feed = real_loose


def bench_language(limit: int | None) -> None:
    agree = abstain = declared_pages = undeclared = filled = 0
    confusions: Counter[tuple[str, str]] = Counter()
    seconds = {"without": 0.0, "with": 0.0}
    real_detect = fields.detect_language
    for position, (_, url, html, _) in enumerate(pages(limit)):
        order = ("without", "with") if position % 2 == 0 else ("with", "without")
        results = {}
        for label in order:
            fields.detect_language = real_detect if label == "with" else (lambda _: None)
            results[label], elapsed = _timed(lambda: extract(html, url))  # noqa: B023
            seconds[label] += elapsed
        fields.detect_language = real_detect
        article = results["with"].article
        if article is None:
            continue
        match = _HTML_LANG.search(html[:4096])
        declared = normalise_language(match.group(1)) if match else None
        text = f"{article.title or ''}\n\n{article.body}"
        if declared:
            declared_pages += 1
            found = detect_language(text)
            if found is None:
                abstain += 1
            elif found == declared:
                agree += 1
            else:
                confusions[declared, found] += 1
        elif article.provenance.get("language") in (None, "detected"):
            undeclared += 1
            filled += int(article.language is not None)
    count = position + 1
    print(
        f"language: {declared_pages} pages with <html lang>: py3langid agrees on {agree}, "
        f"abstains on {abstain}, differs on {sum(confusions.values())} "
        f"{dict(confusions.most_common(8))}"
    )
    print(f"  pages declaring nothing: {undeclared}, given a language now: {filled}")
    ratio = seconds["without"] / seconds["with"]
    print(
        f"  extraction pages/s: without {count / seconds['without']:.2f}, with "
        f"{count / seconds['with']:.2f} (with/without {ratio:.3f}x), {count} pages"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("charset", "feeds", "language", "all"), default="all")
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each set")
    args = parser.parse_args(argv)
    try:
        if args.part in ("charset", "all"):
            bench_charset(args.limit)
        if args.part in ("feeds", "all"):
            bench_feeds()
        if args.part in ("language", "all"):
            bench_language(args.limit)
    except MissingSet as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
