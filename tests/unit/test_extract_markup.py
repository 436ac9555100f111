"""The page tree parse_html builds: the stock bs4 lxml tree, less what sits in a drawing."""

from __future__ import annotations

from bs4 import BeautifulSoup
from bs4.element import AttributeDict

from workers.extract import extract
from workers.extract.markup import parse_html


def _stock(html: str) -> BeautifulSoup:
    """bs4's own lxml HTML builder, with the options parse_html passes."""
    return BeautifulSoup(
        html.encode("utf-8"),
        "lxml",
        from_encoding="utf-8",
        multi_valued_attributes=None,
        attribute_dict_class=AttributeDict,
    )


PAGE_WITHOUT_DRAWINGS = """<!DOCTYPE html>
<html lang="en"><head><meta charset="windows-1252"><title>Harbour dues</title>
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Harbour dues"}</script>
<?php echo "ignored"; ?></head>
<body class="story  wide"><!-- masthead -->
<p>Dues rise<br>in <a href="/port" xlink:href="/x" data-n="3" class="a b">the port</a>.
<img src="/a.jpg" alt=""><p>Unclosed paragraph &amp; entity &copy;
<table><tr><td>cell<td>next</table>
<ul><li>one<li>two</ul></body></html>"""


def test_the_tree_is_the_stock_lxml_tree_when_the_page_has_no_drawings() -> None:
    ours = parse_html(PAGE_WITHOUT_DRAWINGS)
    stock = _stock(PAGE_WITHOUT_DRAWINGS)
    assert ours.decode() == stock.decode()
    link = ours.find("a")
    assert link is not None
    assert link.attrs == {"href": "/port", "xlink:href": "/x", "data-n": "3", "class": "a b"}
    assert ours.find("body").get("class") == "story  wide"  # type: ignore[union-attr]


def test_a_drawing_is_kept_hollow() -> None:
    html = (
        "<p>Before<svg viewBox='0 0 8 8' role='img'><title>Arrow down</title>"
        "<g><path d='M0 0'/><svg><text>inner</text></svg></g></svg>after"
        "<math><mi>x</mi></math> the end</p>"
    )
    soup = parse_html(html)
    svg = soup.find("svg")
    assert svg is not None
    assert svg.attrs == {"viewbox": "0 0 8 8", "role": "img"}  # lxml folds HTML names
    assert svg.contents == []
    math = soup.find("math")
    assert math is not None and math.contents == []
    paragraph = soup.find("p")
    assert paragraph is not None
    assert paragraph.get_text() == "Beforeafter the end"


def test_an_icon_title_does_not_name_a_teaser() -> None:
    cards = "".join(
        f"<li><a href='/markets/story-{n}'><svg><title>Arrow-Thin-Down</title>"
        f"<path d='M0'/></svg>Index story number {n} moves the market</a></li>"
        for n in range(6)
    )
    html = (
        "<html><body><main><h1>Markets today</h1><section><h2>Latest stories</h2>"
        f"<ul>{cards}</ul></section></main></body></html>"
    )
    page = extract(html, "https://markets.example/markets/")
    headlines = [teaser.headline for teaser in page.teasers]
    assert headlines, page
    assert all("Arrow" not in headline for headline in headlines), headlines
