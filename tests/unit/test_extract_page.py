"""Page-level behaviour: links, classification into article/listing/other, teaser blocks."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from workers.extract import Article, Teaser, extract
from workers.extract import core as extract_core
from workers.extract.teasers import TeaserScan
from workers.extract.teasers.tree import Tree

URL = "https://paper.example/news/2024/story.html"
HEADLINE = "<h1>Night trains return</h1>"

STORY = "".join(
    f"<p>Paragraph {n}: the regional rail operator confirmed on Monday that the night trains "
    f"between the two capitals will run again from December, after a pause of three years "
    f"caused by a shortage of sleeping cars and drivers.</p>"
    for n in range(5)
)


def test_links_are_absolute_normalised_deduplicated_and_in_order() -> None:
    """Every http(s) <a href> appears once, absolute and normalised, in document order."""
    page = f"""<html><body>
      <a href="/news/b.html">B</a>
      <a href="https://Paper.example:443/news/a.html?utm_source=x&z=1&a=2#frag">A</a>
      <a href="../sport/c.html">C</a>
      <a href="/news/b.html#again">B again</a>
      <a href="mailto:desk@paper.example">Mail</a>
      <a href="javascript:void(0)">JS</a>
      <a href="ftp://files.paper.example/x">FTP</a>
      <a href="#top">Top</a>
      <a>No href</a>
      <a href="//cdn.paper.example/d.html">D</a>
      <article><h1>Night trains return</h1>{STORY}</article>
    </body></html>"""
    assert extract(page, URL).links == [
        "https://paper.example/news/b.html",
        "https://paper.example/news/a.html?a=2&z=1",
        "https://paper.example/news/sport/c.html",
        "https://cdn.paper.example/d.html",
    ]


def test_links_are_collected_on_pages_without_an_article() -> None:
    """Links are reported whatever the page kind."""
    result = extract('<html><body><a href="/a">A</a><a href="/b">B</a></body></html>', URL)
    assert result.kind == "other"
    assert result.links == ["https://paper.example/a", "https://paper.example/b"]


def _fake_scan(selector: str, count: int):  # type: ignore[no-untyped-def]
    """A scan_tree stand-in returning `count` teasers and the elements matching `selector`."""

    def scan(tree: Tree) -> TeaserScan:
        teasers = [
            Teaser(
                headline=f"Story {n}",
                url=f"https://paper.example/s{n}",
                seen_on=tree.page_url,
                position=n,
            )
            for n in range(count)
        ]
        blocks = list(tree.tags[0].select(selector))
        return TeaserScan(teasers=teasers, blocks=blocks, block_links=count)

    return scan


def test_page_of_teasers_is_a_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    """No article but at least three teasers makes a listing, with the teasers attached."""
    cards = "".join(
        f"<div class='card'><h3><a href='/s{n}'>Story {n} headline about the rail timetable</a>"
        f"</h3><p>A short summary of story {n} that describes what happened and why it matters "
        f"to commuters in the region.</p></div>"
        for n in range(8)
    )
    monkeypatch.setattr(extract_core, "scan_tree", _fake_scan("div.cards", 8))
    result = extract(f"<html><body><div class='cards'>{cards}</div></body></html>", URL)
    assert result.kind == "listing"
    assert result.article is None
    assert [teaser.headline for teaser in result.teasers] == [f"Story {n}" for n in range(8)]
    assert result.reason is None


def test_two_teasers_and_no_article_is_other(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fewer than three teasers is not enough for a listing."""
    monkeypatch.setattr(extract_core, "scan_tree", _fake_scan("div.none", 2))
    result = extract("<html><body><p>Short.</p></body></html>", URL)
    assert result.kind == "other"
    assert len(result.teasers) == 2


def test_teaser_blocks_never_leak_into_the_article(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text inside the teaser scanner's blocks stays out of the body, even inside the story."""
    related = (
        "<div class='more'><p>Unrelated long teaser summary that reads like prose: the city "
        "zoo welcomed twin panda cubs this spring, and visitors queued for hours to see them "
        "playing in the new bamboo enclosure near the main gate.</p></div>"
    )
    page = f"<html><body><article>{HEADLINE}{STORY}{related}</article></body></html>"
    article = _article_with_teasers(monkeypatch, page, "div.more", 4)
    assert "panda" not in article.body
    assert article.body.count("night trains") == 5


def test_teasers_are_scanned_once_on_the_unmodified_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """The teaser scan runs once per page, on a tree of every element of the unmodified soup."""
    calls: list[int] = []

    def scan(tree: Tree) -> TeaserScan:
        calls.append(len(tree.tags))
        return TeaserScan()

    monkeypatch.setattr(extract_core, "scan_tree", scan)
    page = f"<html><body><article>{HEADLINE}{STORY}</article></body></html>"
    extract(page, URL)
    assert calls == [len(BeautifulSoup(page, "lxml").find_all(True))]


def test_article_page_with_teasers_stays_an_article(monkeypatch: pytest.MonkeyPatch) -> None:
    """An article with a related-stories rail is an article, not a listing."""
    rail = "".join(f"<li><a href='/r{n}'>Related headline number {n}</a></li>" for n in range(6))
    page = (
        f"<html><body><article>{HEADLINE}{STORY}</article>"
        f"<aside class='rail'><ul>{rail}</ul></aside></body></html>"
    )
    article = _article_with_teasers(monkeypatch, page, "aside.rail", 6)
    assert "Related headline" not in article.body
    assert article.title == "Night trains return"


def _article_with_teasers(
    monkeypatch: pytest.MonkeyPatch, page: str, selector: str, count: int
) -> Article:
    """Extract with a fake teaser scan; the page must still be an article with its teasers."""
    monkeypatch.setattr(extract_core, "scan_tree", _fake_scan(selector, count))
    result = extract(page, URL)
    assert result.kind == "article"
    assert result.article is not None
    assert len(result.teasers) == count
    return result.article


def test_key_points_stay_in_the_body_and_credit_notes_leave_it() -> None:
    """A key-points list is body, one item a line; a closing 'With files from' note is not."""
    page = (
        f"<html><body><article>{HEADLINE}"
        "<ul class='key-points'><li>Night trains return in December after three years.</li>"
        "<li>Sleeping cars have been refurbished.</li></ul>"
        f"{STORY}<p>With files from The Associated Press</p></article></body></html>"
    )
    article = extract(page, URL).article
    assert article is not None
    lines = article.body.split("\n\n")
    assert lines[:2] == [
        "Night trains return in December after three years.",
        "Sleeping cars have been refurbished.",
    ]
    assert "With files" not in article.body
    assert article.body.endswith("drivers.")
    assert article.agency == "AP"
