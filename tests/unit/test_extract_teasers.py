"""Teaser finder: fixture pages in several CMS styles, exclusions, robustness, the dev set."""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from workers.extract import extract
from workers.extract.captions import split_credit
from workers.extract.markup import parse_html
from workers.extract.teasers import TeaserScan, find_teasers

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
# The teaser fixtures; article_* fixtures belong to the article extractor's tests.
FIXTURES = sorted(
    path.stem for path in PAGES.glob("*.html") if path.stem.startswith(("listing_", "teasers_"))
)


def _expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def _scan(name: str) -> tuple[BeautifulSoup, TeaserScan]:
    html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
    soup = parse_html(html)
    return soup, find_teasers(soup, _expected(name)["page_url"])


def _scan_html(html: str, url: str = "https://news.example/story/current-page") -> TeaserScan:
    return find_teasers(parse_html(html), url)


def test_fixture_set_covers_listing_and_article_pages() -> None:
    """Both listing_* and teasers_* fixtures exist, each with its expected JSON."""
    assert any(name.startswith("listing_") for name in FIXTURES)
    assert any(name.startswith("teasers_") for name in FIXTURES)
    for name in FIXTURES:
        assert (PAGES / f"{name}.json").is_file(), name


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_teasers_match_expected(name: str) -> None:
    """Every fixture page yields exactly the teasers in its expected JSON, in order."""
    _, scan = _scan(name)
    assert [teaser.to_dict() for teaser in scan.teasers] == _expected(name)["teasers"]


@pytest.mark.parametrize("name", FIXTURES)
def test_find_teasers_leaves_the_tree_unchanged(name: str) -> None:
    """The scan reads the soup without adding, removing or editing anything."""
    html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
    soup = parse_html(html)
    before = str(soup)
    find_teasers(soup, _expected(name)["page_url"])
    assert str(soup) == before


@pytest.mark.parametrize("name", FIXTURES)
def test_blocks_hold_every_teaser_link(name: str) -> None:
    """Each teaser's story link sits inside one of the reported block containers."""
    _, scan = _scan(name)
    hrefs: set[str] = set()
    for block in scan.blocks:
        hrefs.update(str(a.get("href")) for a in block.find_all("a", href=True))
    for teaser in scan.teasers:
        path = re.sub(r"^https?://[^/]+", "", teaser.url)
        assert any(path in href for href in hrefs), teaser.url


def test_more_for_you_block_includes_its_heading_but_not_the_article() -> None:
    """The "More For You" container carries its heading and none of the story's paragraphs."""
    _, scan = _scan("teasers_more_for_you")
    texts = [block.get_text(" ", strip=True) for block in scan.blocks]
    assert len(texts) == 1
    assert texts[0].startswith("More For You")
    assert "tidal barrier across the mouth" not in texts[0]


def test_inline_links_in_article_prose_are_not_teasers() -> None:
    """Links inside running paragraphs of the article body stay in the body."""
    _, scan = _scan("teasers_more_for_you")
    urls = {teaser.url for teaser in scan.teasers}
    assert not any("flood-defences-review" in url or "fishing-fleet" in url for url in urls)
    _, sidebar = _scan("teasers_latest_sidebar")
    assert not any("seasonal-workers-housing" in teaser.url for teaser in sidebar.teasers)


def test_link_to_the_page_itself_is_not_a_teaser() -> None:
    """A related or latest list that links back to the current story leaves that entry out."""
    soup, scan = _scan("teasers_latest_sidebar")
    own = _expected("teasers_latest_sidebar")["page_url"]
    assert own not in {teaser.url for teaser in scan.teasers}
    assert soup.find("a", href=own) is not None


def test_chrome_links_are_never_teasers() -> None:
    """Navigation, tags, authors, comments, pagination, share and footer links are skipped."""
    unwanted = re.compile(r"/tag/|/author|/authors/|#|facebook|twitter|/page/|/newsletters/|/about")
    for name in FIXTURES:
        _, scan = _scan(name)
        for teaser in scan.teasers:
            assert not unwanted.search(teaser.url), (name, teaser.url)
            assert "previous" not in teaser.headline.lower(), (name, teaser.headline)


def test_headline_is_the_story_title_not_read_more_or_alt_text() -> None:
    """Card headlines come from the heading, never from "Keep Reading" or the image alt."""
    for name in FIXTURES:
        _, scan = _scan(name)
        for teaser in scan.teasers:
            assert not re.match(r"(?i)keep reading|read more|show less", teaser.headline)
            assert teaser.headline not in {"Lighthouse cottage", "Choir on stage", "Ferry"}


def test_caption_and_credit_are_split() -> None:
    """ "(Photo: X)" and a separate credit line give a clean caption plus the credit."""
    _, scan = _scan("teasers_more_for_you")
    first = scan.teasers[0].image
    assert first is not None
    assert first.caption == "The cottage had stood empty since 1987."
    assert first.credit == "Ivo Marsh"


def test_tracking_parameters_are_dropped_from_teaser_urls() -> None:
    """Teaser URLs are normalised: utm_* parameters removed, relative links made absolute."""
    _, scan = _scan("teasers_more_for_you")
    ferry = [teaser for teaser in scan.teasers if "ferry" in teaser.url]
    assert [teaser.url for teaser in ferry] == [
        "https://www.northshore-gazette.example/business/ferry-operator-orders-electric-boats"
    ]


def test_positions_count_from_zero_within_each_block() -> None:
    """Positions restart at 0 in every block and increase by one."""
    _, scan = _scan("listing_home_grid")
    by_block: dict[str | None, list[int]] = {}
    for teaser in scan.teasers:
        by_block.setdefault(teaser.block, []).append(teaser.position)
    assert by_block
    for positions in by_block.values():
        assert positions == list(range(len(positions)))


def test_listing_page_reports_each_grid_as_a_block() -> None:
    """A home page's lead package and section grids are each one container."""
    _, scan = _scan("listing_home_grid")
    assert len(scan.blocks) == 3
    assert {teaser.block for teaser in scan.teasers} == {None, "Politics", "Sport"}


def test_single_labelled_link_in_body_is_a_teaser() -> None:
    """An "Also read:" paragraph inside the article is a one-card block named by its label."""
    _, scan = _scan("teasers_latest_sidebar")
    also = [teaser for teaser in scan.teasers if teaser.block == "Also read"]
    assert [teaser.headline for teaser in also] == [
        "Frost warnings for fruit growers lifted early this spring"
    ]
    assert any(block.name == "p" for block in scan.blocks)


def test_lone_unlabelled_link_is_not_a_teaser() -> None:
    """One story link on its own, with no heading or label, does not make a block."""
    html = (
        "<html><body><article><h1>Current story</h1><p>Body text of the story.</p>"
        "<div><a href='/story/another-one'>A different story with a long headline</a></div>"
        "</article></body></html>"
    )
    assert _scan_html(html).teasers == []


def test_german_related_label_names_the_block() -> None:
    """A "Lesen Sie auch" box with two links becomes a block under that name."""
    html = (
        "<html><body><div class='box'><h3>Lesen Sie auch</h3><ul>"
        "<li><a href='/politik/wahl-im-landtag-entschieden'>"
        "Wahl im Landtag knapp entschieden</a></li>"
        "<li><a href='/politik/neue-regeln-fuer-mieter'>Neue Regeln für Mieter ab Januar</a></li>"
        "</ul></div></body></html>"
    )
    scan = _scan_html(html, "https://zeitung.example/politik/aktuell")
    assert [teaser.block for teaser in scan.teasers] == ["Lesen Sie auch", "Lesen Sie auch"]
    assert scan.teasers[0].url == "https://zeitung.example/politik/wahl-im-landtag-entschieden"


def test_lazy_image_beats_placeholder_src() -> None:
    """A data: or blank.gif src is a placeholder; the lazy-load attribute names the picture."""
    _, scan = _scan("listing_lazy_images")
    images = [teaser.image.url if teaser.image else None for teaser in scan.teasers]
    assert all(url and url.startswith("https://media.fjordblatt.example/") for url in images)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fans wave flags. (Photo: X)", ("Fans wave flags.", "X")),
        ("Getty Images", (None, "Getty Images")),
        (
            "Voters queue in Hull. Ian Forsyth/Getty Images",
            ("Voters queue in Hull.", "Ian Forsyth/Getty Images"),
        ),
        ("Smoke over the port © Reuters", ("Smoke over the port", "Reuters")),
        ("Photo: Jane Roe", (None, "Jane Roe")),
        ("Crowds in Lyon (France)", ("Crowds in Lyon (France)", None)),
        ("Der Hafen am Morgen | Foto: dpa", ("Der Hafen am Morgen", "dpa")),
        ("Reuters reported the deal on Monday.", ("Reuters reported the deal on Monday.", None)),
        ("", (None, None)),
    ],
)
def test_split_credit(text: str, expected: tuple[str | None, str | None]) -> None:
    """Captions split into text and photo credit only where a credit marker is present."""
    assert split_credit(text) == expected


@pytest.mark.parametrize(
    "html",
    [
        "",
        "\x00\x01\x02\xff\xfe binary junk",
        "<html><body><div><a href='/x/one-two-three-four'>Unclosed card with a long headline",
        "<div>" * 3000 + "<a href='/deep/story-here'>A deeply nested link with words</a>",
        "<a href='javascript:void(0)'>Javascript link that looks like a headline</a>" * 5,
        "<a href='http://[::1'>Broken URL that looks like a long headline</a>" * 3,
    ],
)
def test_malformed_input_does_not_crash(html: str) -> None:
    """Empty, binary, truncated and deeply nested pages give a scan, not an exception."""
    scan = _scan_html(html)
    assert isinstance(scan, TeaserScan)


def _devset() -> Path:
    return Path(os.environ.get("INGEST_DEVSET", "/work/shared/devset"))


@pytest.mark.skipif(
    not (_devset() / "gold.jsonl").is_file(),
    reason="dev set not found (set INGEST_DEVSET or provide /work/shared/devset)",
)
def test_devset_blocks_find_related_stories_and_leave_bodies_alone() -> None:
    """On real article pages most have teaser blocks, and no block swallows body sentences."""
    root = _devset()
    pages = with_teasers = 0
    for line in (root / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        html = gzip.decompress((root / gold["file"]).read_bytes()).decode("utf-8", "replace")
        scan = find_teasers(parse_html(html), gold["url"])
        pages += 1
        with_teasers += bool(scan.teasers)
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", gold["body"]) if len(s) > 80]
        for block in scan.blocks:
            text = " ".join(block.get_text(" ").split())
            inside = sum(" ".join(s.split()) in text for s in sentences)
            assert inside <= 1, (gold["file"], inside)
    assert pages > 0
    assert with_teasers / pages >= 0.7


def test_kicker_inside_the_headline_element_is_dropped() -> None:
    """A kicker span ahead of the linked headline is not part of the headline."""
    card = (
        "<li><h3><span class='kicker'>Exclusive</span> "
        "<a href='/story/{slug}'>{title}</a></h3></li>"
    )
    html = (
        "<html><body><ul>"
        + card.format(slug="mill-pond-closure", title="Mill pond closed for a month of repairs")
        + card.format(slug="rowing-regatta", title="Rowing regatta moves to the lower river")
        + "</ul></body></html>"
    )
    scan = _scan_html(html)
    assert [teaser.headline for teaser in scan.teasers] == [
        "Mill pond closed for a month of repairs",
        "Rowing regatta moves to the lower river",
    ]


_HEADLINES = [
    "Harbour authority approves the new ferry terminal after a long public inquiry",
    "Town council agrees to reopen the old swimming baths on the river front",
    "Local bakery wins the regional bread prize for the third year in a row",
    "Floods close the valley road as the river rises overnight past the markers",
    "Library extends its opening hours for students through the exam season",
    "Volunteers plant four hundred trees along the disused railway line north",
]


def _news_table(url: str) -> str:
    """A link-aggregator page: each story a title row and a second row of points and comments."""
    rows = "".join(
        f"<tr class='story'><td><a href='https://news.example/item/{n}-{n}-{n}-{n}'>{title}</a>"
        f"</td></tr><tr><td>{40 + n} points by reader{n} {n + 2} hours ago | "
        f"<a href='{url}?item={n}'>{n + 5} comments</a> | hide this story</td></tr>"
        for n, title in enumerate(_HEADLINES)
    )
    return f"<html><body><table><tbody>{rows}</tbody></table></body></html>"


def test_grid_with_a_line_beside_each_card_is_one_block() -> None:
    """Cards whose second row (points, comments) sits outside them still form one block."""
    url = "https://news.example/newest"
    scan = _scan_html(_news_table(url), url)
    assert [teaser.headline for teaser in scan.teasers] == _HEADLINES
    assert [teaser.position for teaser in scan.teasers] == list(range(len(_HEADLINES)))
    assert [block.name for block in scan.blocks] == ["tbody"]


def test_a_page_of_such_cards_is_a_listing() -> None:
    """The page kind follows: no story, six cards, so a listing rather than "other"."""
    url = "https://news.example/newest"
    page = extract(_news_table(url), url)
    assert page.kind == "listing"
    assert len(page.teasers) == len(_HEADLINES)


def test_prose_between_cards_keeps_them_from_becoming_a_block() -> None:
    """Cards set between paragraphs of a story: the story's container is never a block."""
    prose = "The council met on Tuesday evening and the vote was close, as expected by most."
    parts = []
    for n, title in enumerate(_HEADLINES[:4]):
        parts.append(f"<p>{prose} Paragraph {n}.</p>")
        parts.append(
            f"<div class='card'><a href='/story/{n}-a-b-c'><img src='/i/{n}.jpg'>"
            f"<h3>{title[:50]}</h3></a></div>"
        )
    html = f"<html><body><div class='story-body'>{''.join(parts)}</div></body></html>"
    scan = _scan_html(html)
    for block in scan.blocks:
        assert prose not in block.get_text(" "), block.name


def test_layout_wrapper_named_footer_around_main_is_not_chrome() -> None:
    """A "sticky-footer" wrapper around the whole page leaves the cards in <main> readable."""
    cards = "".join(
        f"<li><a href='/story/{n}-b-c-d'><img src='/i/{n}.jpg'><h3>{title}</h3></a></li>"
        for n, title in enumerate(_HEADLINES[:4])
    )
    html = (
        "<html><body><div class='sticky-footer'>"
        "<header><a href='/story/menu-entry-a-b'>Menu entry about the harbour news</a></header>"
        f"<main><h1>Latest news</h1><ul>{cards}</ul></main>"
        "<footer><a href='/story/footer-a-b-c'>Footer link to an older harbour story</a></footer>"
        "</div></body></html>"
    )
    scan = _scan_html(html, "https://news.example/latest")
    assert [teaser.headline for teaser in scan.teasers] == _HEADLINES[:4]
    # a class-named nav inside the wrapper (holding no <main>) is still chrome
    nav = html.replace("<header>", "<div class='site-nav'>").replace("</header>", "</div>")
    assert all(not t.headline.startswith("Menu entry") for t in _scan_html(nav).teasers)


_RAIL = """<html><body><article><h1>Harbour bridge opens after two years</h1>
<p>The new bridge carried its first traffic on Monday morning after a delay of two years.</p>
</article>
<section class="more-stories"><h2>More stories</h2>
<ul>
 <li><a href="/news/2025/ferry-timetable-changes-for-winter"><img src="/f.jpg">
   <h3>Ferry timetable changes for the winter months</h3></a></li>
 <li><a href="/games/2025/review-a-quiet-island-puzzle-adventure"><img src="/g.jpg">
   <h3>Review: a quiet island puzzle adventure worth the wait</h3></a></li>
 <li><a href="/news/2025/market-hall-reopens-with-new-stalls"><img src="/m.jpg">
   <h3>Market hall reopens with forty new stalls</h3></a></li>
</ul>
<a href="/latest/">See all stories</a>
<a href="https://app.adjust.com/abc?redirect=https%3A%2F%2Fapps.example">
  <img src="/app.png"><h3>Follow the bridge story live in our news app</h3></a>
</section>
<section class="play"><h2>Play</h2>
 <a href="https://games.news.example/sudoku/easy/"><img src="/s1.png">
   <h3>Daily sudoku, easy level</h3></a>
 <a href="https://games.news.example/sudoku/hard/"><img src="/s2.png">
   <h3>Daily sudoku, hard level</h3></a>
 <a href="/puzzles/crossword-of-the-day"><img src="/c.png"><h3>The crossword of the day</h3></a>
</section></body></html>"""


def test_show_all_app_and_game_links_are_not_teasers() -> None:
    """A "See all" link, an app-install link and a games portal's links are not stories; a
    review in the site's games section is."""
    urls = {teaser.url for teaser in _scan_html(_RAIL, "https://news.example/news/bridge").teasers}
    assert urls == {
        "https://news.example/news/2025/ferry-timetable-changes-for-winter",
        "https://news.example/games/2025/review-a-quiet-island-puzzle-adventure",
        "https://news.example/news/2025/market-hall-reopens-with-new-stalls",
    }


_OVERLAY_CARDS = """<html><body><article><h1>Harbour bridge opens after two years</h1>
<p>The new bridge carried its first traffic on Monday morning after a delay of two years.</p>
</article>
<aside class="news-list"><strong>Also of interest</strong>
 <article><a href="/news/ferry-timetable" title="Ferry timetable changes for the winter months"></a>
   <figure><img src="/f.jpg" alt=""></figure>
   <header><strong>Ferry timetable changes for the winter months</strong></header></article>
 <article><a href="/news/market-hall" title="Market hall reopens with forty new stalls"></a>
   <figure><img src="/m.jpg" alt=""></figure>
   <header><strong>Market hall reopens with forty new stalls</strong></header></article>
 <article><a href="/news/share" title="Share"></a><header><strong>Share</strong></header></article>
</aside></body></html>"""


_FERRY = "Ferry timetable changes for the winter months"
_MARKET = "Market hall reopens with forty new stalls"


def test_empty_link_over_a_card_is_named_by_its_title_attribute() -> None:
    """A link with no text laid over a card carries the headline in its title attribute; a
    short title ("Share") names no story."""
    scan = _scan_html(_OVERLAY_CARDS, "https://news.example/news/bridge")
    assert [(teaser.url, teaser.headline) for teaser in scan.teasers] == [
        ("https://news.example/news/ferry-timetable", _FERRY),
        ("https://news.example/news/market-hall", _MARKET),
    ]


def test_headline_is_the_title_element_nested_in_the_title_box() -> None:
    """A title box holding the headline's own element and a "read" cue beside it: the
    headline is the inner element's text, without the cue; a kicker nested in the box is
    never taken for the headline."""
    cards = "".join(
        f"<li><a href='/news/{n}-a-b'><span class='date'>1 hour ago</span>"
        f"<div class='headline' role='heading'><span class='headline-text'>{title}</span>"
        f"<span class='read-link'>read</span></div></a></li>"
        for n, title in enumerate(_HEADLINES[:3])
    )
    html = f"<html><body><h2>My news</h2><ul>{cards}</ul></body></html>"
    assert [t.headline for t in _scan_html(html).teasers] == _HEADLINES[:3]
    kicker = html.replace(
        "<span class='headline-text'>", "<span class='headline-kicker'>Weather:</span> <span>"
    ).replace("<span class='read-link'>read</span>", "")
    assert [t.headline for t in _scan_html(kicker).teasers] == _HEADLINES[:3]


_SIDEBAR = """<html><body><article><h1>Harbour bridge opens after two years</h1>
<p>The new bridge carried its first traffic on Monday morning after a delay of two years.</p>
</article>
<div class="box"><div class="box-head">Latest news</div><ul>
 <li><a href="/news,1001.html">Ferry timetable changes for the winter months</a></li>
 <li><a href="/news,1002.html">Market hall reopens with forty new stalls</a></li>
 <li><a href="/news,1003.html">Council votes to extend the night bus service</a></li>
 <li><a href="/news,1004.html">Lighthouse keeper retires after forty-one years</a></li>
 <li><a href="/news/thema/310/1.html">More news about the harbour and its ferries</a></li>
 <li><a href="/special/shop/angebote/">Current offers from our partner shop at a glance</a></li>
</ul></div>
<div class="box"><div class="box-head">Compare prices</div><ul>
 <li><a href="/preisvergleich/2685109">Harbour Router 5590 Fiber with two antennas</a></li>
 <li><a href="/preisvergleich/2672861">Harbour Router 7590 without an extra modem</a></li>
</ul></div>
<div class="a_deal"><a href="/r?id=77"><img src="/p.jpg"></a>
 <a href="/r?id=77"><strong>Solar power bank with a hand crank and four cables</strong></a></div>
</body></html>"""


def test_topic_pages_price_comparisons_and_deals_are_not_teasers() -> None:
    """A topic page (/thema/), an offers page, a price-comparison widget and a deal box sit
    beside the news links of a sidebar; only the news links are teasers."""
    scan = _scan_html(_SIDEBAR, "https://news.example/news,1000.html")
    assert [teaser.url for teaser in scan.teasers] == [
        "https://news.example/news,1001.html",
        "https://news.example/news,1002.html",
        "https://news.example/news,1003.html",
        "https://news.example/news,1004.html",
    ]


_SECTION_RAIL = """<html><body><article><h1>Town hall adopts the new budget</h1>
<p>The council passed the budget for next year after a long debate on Thursday.</p>
</article>
<section class="rail">
 <div class="rail-item"><a href="/politics/town-council/"><img src="/s.jpg">
  <span>Town council: all the latest articles</span></a></div>
 <div class="rail-item"><a href="/politics/town-council/20250301-4411/">
  <span>Mayor promises a decision on the tram line before summer</span></a></div>
 <div class="rail-item"><a href="/politics/town-council/20250228-4398/">
  <span>Opposition asks for an audit of the harbour project costs</span></a></div>
</section>
<aside class="box"><h3>From the newsroom</h3><ul>
 <li><a href="/culture/20250301-4420/">Museum night draws record crowds to the old town</a></li>
 <li><a href="/newsroom-podcast">Our weekly podcast on politics in the region</a></li>
 <li><a href="/help/contact-us/">Questions about your subscription and delivery</a></li>
 <li><a href="/sport/20250301-4425/">Rowing club wins the regional cup for a third time</a></li>
</ul></aside>
</body></html>"""


def test_links_to_sections_and_service_pages_are_not_teasers() -> None:
    """A card whose link holds other stories' path as its own ("/politics/town-council/")
    leads to their section; on a site whose pages carry ids, a numberless link with a short
    last segment leads to a service page. Neither is a teaser; the stories beside them are."""
    scan = _scan_html(_SECTION_RAIL, "https://news.example/politics/town-council/20250301-4400/")
    assert [teaser.url for teaser in scan.teasers] == [
        "https://news.example/politics/town-council/20250301-4411/",
        "https://news.example/politics/town-council/20250228-4398/",
        "https://news.example/culture/20250301-4420/",
        "https://news.example/sport/20250301-4425/",
    ]
    assert scan.block_links == 7  # what the page points to, for its kind, counts them all


def test_numberless_links_stay_stories_on_a_site_without_ids() -> None:
    """Where the page's own URL carries no number, short numberless slugs are its stories."""
    html = """<html><body><article><h1>Town hall adopts the new budget</h1>
    <p>The council passed the budget for next year after a long debate on Thursday.</p>
    </article><aside><h3>Read next</h3><ul>
     <li><a href="/museum-night-record">Museum night draws record crowds to the old town</a></li>
     <li><a href="/rowing-cup-win">Rowing club wins the regional cup for a third time</a></li>
    </ul></aside></body></html>"""
    scan = _scan_html(html, "https://news.example/town-hall-budget")
    assert [teaser.url for teaser in scan.teasers] == [
        "https://news.example/museum-night-record",
        "https://news.example/rowing-cup-win",
    ]


def test_a_section_link_heading_a_block_still_names_it() -> None:
    """The bare link to a section printed above a block's cards names the block."""
    items = "".join(
        f'<li><a href="/news/2025/03/0{n}/story-{n}.html">{title}</a></li>'
        for n, title in enumerate(_HEADLINES[:3], start=1)
    )
    html = (
        "<html><body><article><h1>Town hall adopts the new budget</h1><p>The council passed"
        " the budget after a long debate.</p></article><div class='ranking'>"
        f"<a href='/ranking/'>Most read</a><ul>{items}</ul></div></body></html>"
    )
    scan = _scan_html(html, "https://news.example/news/2025/03/04/budget.html")
    assert [teaser.headline for teaser in scan.teasers] == _HEADLINES[:3]
    assert {teaser.block for teaser in scan.teasers} == {"Most read"}


def test_a_badge_inside_a_wrapped_headline_is_left_out() -> None:
    """A heading whose link wraps the headline's own element ("h2 > a > span") keeps the
    badge printed first in it ("Live") out of the headline."""
    cards = "".join(
        f'<li class="list-item"><h2><a href="/politics/2025/03/0{n}/story-{n}/">'
        '<span class="list-headline__text"><span class="label-live"><span>Live</span></span>'
        f"<span>{title}</span></span></a></h2></li>"
        for n, title in enumerate(_HEADLINES[:3], start=1)
    )
    html = f"<html><body><h1>Budget day</h1><ul class='more'>{cards}</ul></body></html>"
    scan = _scan_html(html, "https://news.example/politics/2025/03/04/budget/")
    assert [teaser.headline for teaser in scan.teasers] == _HEADLINES[:3]
