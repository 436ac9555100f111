"""The page walk: one pass fills the body's node table and the teaser scan's tree."""

from __future__ import annotations

from workers.extract.dom import mark_teasers
from workers.extract.flags import TEASER
from workers.extract.markup import parse_html
from workers.extract.teasers.tree import Tree, index_page, resolve_page
from workers.extract.walk import walk

URL = "https://paper.example/news/"
PAGE = """<!doctype html><html lang="en"><head><title>Paper | News</title>
<base href="/edition/"><link rel="canonical" href="https://paper.example/news/">
<script>var x = "<b>not text</b>";</script><style>p { color: red }</style></head>
<body><nav class="menu"><a href="/a">Home</a> <a href="/b">World</a></nav>
<div class="promo"><p>Removed by a site rule, still seen by the teaser scan.</p></div>
<main><article><h1>Night trains return</h1><svg><title>icon</title><a href="/x">x</a></svg>
<p>One <b>bold</b> word, a <a href="/s/1">linked story headline of some length</a>.<br>
Second line</p><img src="/p.jpg" alt=""><noscript><p>Enable scripts</p></noscript>
<div class="more"><h3><a href="/s/2">Another story headline of some length here</a></h3></div>
</article></main><footer>Footer text</footer></body></html>"""


def _arrays(tree: Tree) -> tuple[object, ...]:
    return (
        [id(tag) for tag in tree.tags],
        tree.parent,
        tree.prev,
        tree.names,
        tree.tokens,
        tree.text,
        tree.flags,
        tree.hrefs,
        tree.base_hrefs,
        tree.canonical,
        tree.og_urls,
        tree.title,
        tree.site_names,
    )


def test_walk_flattens_every_element_for_the_teaser_scan() -> None:
    """The walk's tree matches a scan of its own, scripts, drawings and removed parts included."""
    soup = parse_html(PAGE)
    removed = {id(tag) for tag in soup.select("div.promo")}
    page = walk(soup, removed, URL)
    assert _arrays(page.tree) == _arrays(index_page(soup, URL))
    assert len(page.tree.tags) == len(soup.find_all(True))
    # the body's table leaves out what it never reads
    names = [node.name for node in page.nodes]
    assert "script" not in names and "svg" not in names and "title" not in names
    assert all(node.tag.get("class") != "promo" for node in page.nodes)


def test_teaser_blocks_are_marked_with_everything_inside() -> None:
    """A teaser block's element and its descendants carry the teaser flag, nothing else does."""
    soup = parse_html(PAGE)
    page = walk(soup, set(), URL)
    block = soup.select_one("div.more")
    assert block is not None
    mark_teasers(page, [block])
    start = page.node_of(block)
    assert start is not None
    end = page.nodes[start].end
    assert page.nodes[start].flags & TEASER
    assert [n.name for n in page.nodes[start:end]] == ["div", "h3", "a"]
    assert all(node.context & TEASER for node in page.nodes[start:end])
    assert not any(node.context & TEASER for node in page.nodes[:start] + page.nodes[end:])


def test_page_facts_are_read_once_for_the_body_and_the_teasers() -> None:
    """The page model's canonical URL and <title> are the ones the teaser tree read."""
    page = walk(parse_html(PAGE), set(), URL)
    assert page.canonical == "https://paper.example/news/"
    assert page.tree.canonical == ["https://paper.example/news/"]
    assert page.title_tag == "Paper | News"
    assert page.tree.title == "Paper | News"


def test_title_inside_a_drawing_names_no_page() -> None:
    """A <title> inside an inline <svg> is not the page's title, for the body nor the teasers."""
    html = (
        '<html><head><meta property="og:url" content="https://paper.example/">'
        "</head><body><svg><title>Share icon</title></svg>"
        "<p>Text of a page without a title of its own.</p></body></html>"
    )
    page = walk(parse_html(html), set(), "https://paper.example/")
    assert page.title_tag is None
    assert page.canonical is None
    resolve_page(page.tree)
    assert page.tree.site_names == set()
    assert page.tree.og_urls == ["https://paper.example/"]
