"""Page kind: articles are kept whatever surrounds them; cards make listings; the rest is other."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from workers.extract import extract
from workers.extract.kind import (
    ENTRIES_MIN_DATELINES,
    EVIDENCED_ARTICLE_WORDS,
    LISTING_LINK_SHARE,
    LISTING_MIN_TEASERS,
    LISTING_WORDS_PER_TEASER,
    MIN_LISTING_TEASERS,
    ONE_POST_MAX_LINK_SHARE,
    KindEvidence,
    decide_kind,
    rescued_story,
    story_url,
)

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
KIND_CASES = sorted(path.stem for path in PAGES.glob("kind_*.html"))


def _evidence(**changes: object) -> KindEvidence:
    values: dict[str, object] = {
        "url": "https://site.example/news/",
        "words": 400,
        "teasers": 0,
        "declares_article": False,
        "has_date": False,
        "has_authors": False,
        "types": frozenset(),
    }
    values.update(changes)
    return KindEvidence(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", KIND_CASES)
def test_fixture_page_has_the_expected_kind(name: str) -> None:
    """Tag pages and category grids are listings with their cards; a pricing page is other."""
    html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
    expected = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    result = extract(html, expected["url"])
    assert result.kind == expected["kind"], result.reason
    assert result.article is None
    assert len(result.teasers) >= expected.get("min_teasers", 0)
    if result.kind == "other":
        assert result.reason


def test_article_among_five_teaser_blocks_keeps_its_key_points() -> None:
    """Twenty teasers in five blocks around a dated story do not make the page a listing."""
    html = (PAGES / "article_five_teaser_blocks.html").read_text(encoding="utf-8")
    result = extract(html, "https://valleyledger.example/money/2024/09/17/water-rates-explained")
    assert result.kind == "article"
    assert len(result.teasers) >= 4 * 5
    assert result.article is not None
    assert "Customers can ask for a free meter until the end of March." in result.article.body
    assert "Corner bakery" not in result.article.body


def test_evidenced_story_is_an_article_however_many_teasers() -> None:
    """A declared, dated story with a modest body stays an article beside many cards."""
    decision = decide_kind(
        _evidence(words=EVIDENCED_ARTICLE_WORDS, teasers=60, declares_article=True, has_date=True)
    )
    assert decision.kind == "article"


def test_short_text_among_many_cards_is_a_listing() -> None:
    """Cards outweighing an undeclared short text make a listing."""
    teasers = LISTING_MIN_TEASERS + 4
    words = LISTING_WORDS_PER_TEASER * teasers - 1
    assert decide_kind(_evidence(words=words, teasers=teasers)).kind == "listing"
    assert decide_kind(_evidence(words=words + 1, teasers=teasers)).kind == "article"


def test_product_and_forum_markup_make_other_with_a_reason() -> None:
    """Pages that declare a product or a discussion thread, and no article, are other."""
    for types in ({"product", "offer"}, {"discussionforumposting"}):
        decision = decide_kind(_evidence(types=frozenset(types)))
        assert decision.kind == "other"
        assert decision.reason
    declared = _evidence(
        types=frozenset({"product", "article"}), declares_article=True, has_date=True
    )
    assert decide_kind(declared).kind == "article"


def test_service_urls_are_other_unless_the_page_is_a_story() -> None:
    """/pricing or /docs/ pages are other; the same path with article evidence is an article."""
    assert decide_kind(_evidence(url="https://site.example/pricing")).kind == "other"
    assert decide_kind(_evidence(url="https://site.example/docs/install")).kind == "other"
    story = _evidence(url="https://site.example/help/how-we-fixed-the-login-bug", has_date=True)
    assert decide_kind(story).kind == "article"


def test_story_urls() -> None:
    """A hyphenated slug or a year in the path names a story; sections and roots do not."""
    assert story_url("https://a.example/2024/05/council-vote")
    assert story_url("https://a.example/news/council-votes-for-new-bridge.html")
    assert not story_url("https://a.example/news/")
    assert not story_url("https://a.example/")


_GUIDE_PROSE = "".join(
    f"<p>Section {n} explains how the scheduler picks the next task from the queue, which "
    f"settings change its order, and what happens to a task that fails while it runs.</p>"
    for n in range(6)
)
_CODE = "<pre><code>worker --queue default --concurrency 2</code></pre>"


def test_page_of_code_listings_without_article_evidence_is_documentation() -> None:
    """A manual page with code listings and no date, author or story URL is other."""
    html = f"""<html><body><nav><a href="/">Manual</a></nav><main>
      <h1>Scheduling tasks</h1>{_GUIDE_PROSE[:400]}{_CODE}{_GUIDE_PROSE[400:]}{_CODE}
    </main></body></html>"""
    result = extract(html, "https://tool.example/guide/scheduling.html")
    assert result.kind == "other"
    assert result.reason is not None and "documentation" in result.reason


def test_blog_post_with_code_listings_stays_an_article() -> None:
    """The same text under /blog/ is a post, code listings or not."""
    html = f"""<html><body><main>
      <h1>Scheduling tasks</h1>{_GUIDE_PROSE}{_CODE}{_CODE}
    </main></body></html>"""
    result = extract(html, "https://tool.example/blog/scheduling")
    assert result.kind == "article"
    dated = html.replace("<h1>", '<time datetime="2025-03-02">2 March 2025</time><h1>')
    assert extract(dated, "https://tool.example/guide/scheduling.html").kind == "article"


def test_page_with_a_buy_button_and_no_article_evidence_is_a_product_page() -> None:
    """A product description with "Add to cart" and nothing saying story is other."""
    description = "".join(
        f"<p>The kettle holds {n + 1} litres, boils in under four minutes on a gas ring, and "
        f"its enamel is fired twice so that it keeps its colour after years of use.</p>"
        for n in range(4)
    )
    html = f"""<html><body><main>
      <h1>Enamel kettle, red</h1><p class="price">€39.00</p>
      <button type="submit">Add to cart</button>{description}
    </main></body></html>"""
    result = extract(html, "https://kettles.example/enamel-kettle-red")
    assert result.kind == "other"
    assert result.reason is not None and "product" in result.reason
    story = html.replace("<h1>", '<p class="byline">By Ana Ruiz</p><h1>')
    story = story.replace("<main>", '<main><time datetime="2025-03-02">2 March</time>')
    assert extract(story, "https://kettles.example/enamel-kettle-red").kind == "article"


def _thread_page() -> str:
    posts = "".join(
        f"""<div class="post"><p class="user">member{n}</p>
        <time datetime="2025-01-0{n + 1}T10:00:00Z">{n + 1} Jan</time>
        <p>Reply {n}: I had the same trouble with the left hinge of my van door, and the
        fix that worked was a new bushing from the dealer and ten minutes with a spanner.</p>
        </div>"""
        for n in range(5)
    )
    return (
        f"<html><body><main><h1>Van door hinge squeaks after rain</h1>{posts}</main></body></html>"
    )


def test_discussion_thread_is_other_whatever_its_slug_and_dates() -> None:
    """A thread under /threads/ with a story-like slug and dated posts is other."""
    url = "https://vanowners.example/threads/van-door-hinge-squeaks-after-rain.4411/"
    result = extract(_thread_page(), url)
    assert result.kind == "other"
    assert result.reason == "forum or question thread"
    host = "https://forum.vanowners.example/van-door-hinge-squeaks-after-rain"
    assert extract(_thread_page(), host).kind == "other"


def test_declared_article_under_a_topic_path_stays_an_article() -> None:
    """Article markup outweighs a forum-like path (/topic/...)."""
    declared = _evidence(
        url="https://encyclopedia.example/topic/history-of-tea",
        declares_article=True,
        has_date=True,
        types=frozenset({"article"}),
    )
    assert decide_kind(declared).kind == "article"


def test_home_page_with_cards_is_a_listing_despite_a_dated_long_text() -> None:
    """The site root with cards is a listing even when its text is long and dated."""
    home = _evidence(
        url="https://paper.example/",
        words=2000,
        teasers=LISTING_MIN_TEASERS,
        declares_article=True,
        has_date=True,
    )
    assert decide_kind(home).kind == "listing"
    assert decide_kind(_evidence(url="https://paper.example/", words=900)).kind == "other"
    story = _evidence(url="https://paper.example/?p=4411", words=900, has_date=True)
    assert decide_kind(story).kind == "article"


def test_fully_evidenced_short_report_is_an_article_beside_author_cards() -> None:
    """Declared, dated, credited, story URL: an article even when its cards outnumber its text."""
    report = _evidence(
        url="https://bank.example/reports/sector-update-fall-2025",
        words=90,
        teasers=LISTING_MIN_TEASERS,
        declares_article=True,
        has_date=True,
        has_authors=True,
    )
    assert decide_kind(report).kind == "article"
    assert decide_kind(replace(report, has_authors=False)).kind == "listing"


def test_a_short_declared_dated_and_credited_story_among_many_cards_is_an_article() -> None:
    """A 100-word wire story that declares itself (JSON-LD), with its date and byline, under a
    grid of a dozen cards is the story; without the declaration the cards win."""
    short = {"url": "https://site.example/news/harbour-talks-3.html", "words": 107, "teasers": 12,
             "has_date": True, "has_authors": True}  # fmt: skip
    assert decide_kind(_evidence(**short, declares_article=True)).kind == "article"
    assert decide_kind(_evidence(**short, declares_article=False)).kind == "listing"


def test_empty_link_laid_over_a_card_is_read_by_its_aria_label() -> None:
    """A card whose only link is an empty overlay names its story by the link's aria-label."""
    html = (PAGES / "kind_overlay_link_cards.html").read_text(encoding="utf-8")
    result = extract(html, "https://ringfordpost.example/local/")
    first = result.teasers[0]
    assert first.headline == "Council backs new cycle lanes on the ring road"
    assert first.url == "https://ringfordpost.example/local/2025/04/council-backs-new-cycle-lanes"
    assert first.image is not None


def test_cards_no_block_prints_still_make_a_page_without_story_a_listing() -> None:
    """Rows of links to other sites are not teasers, but a page of nothing else is a listing."""
    html = (PAGES / "kind_link_aggregator.html").read_text(encoding="utf-8")
    result = extract(html, "https://linkpile.example/new")
    assert result.teasers == []
    assert result.kind == "listing"
    lone = _evidence(url="https://site.example/", words=80, cards=LISTING_MIN_TEASERS)
    assert decide_kind(lone).kind == "listing"
    assert decide_kind(replace(lone, cards=0)).kind == "other"


def test_manual_page_credited_to_an_author_is_still_documentation() -> None:
    """Code listings with a single evidence point (an author line) make documentation."""
    html = f"""<html><head><meta name="author" content="Ana Ruiz"></head><body><main>
      <h1>Scheduling tasks</h1>{_GUIDE_PROSE[:400]}{_CODE}{_GUIDE_PROSE[400:]}{_CODE}
    </main></body></html>"""
    result = extract(html, "https://tool.example/guide/scheduling.html")
    assert result.kind == "other"
    assert result.reason is not None and "documentation" in result.reason
    post = _evidence(
        url="https://tool.example/articles/scheduling", has_authors=True, code_blocks=2
    )
    assert decide_kind(post).kind == "article"


def test_thread_labelled_an_article_by_opengraph_is_still_a_thread() -> None:
    """Forum software's og:type=article does not make a thread on a forum host an article."""
    html = _thread_page().replace(
        "<html>", '<html><head><meta property="og:type" content="article"></head>'
    )
    result = extract(html, "https://community.vanowners.example/t/van-door-hinge/4411")
    assert result.kind == "other"
    assert result.reason == "forum or question thread"
    declared = _evidence(
        url="https://community.vanowners.example/t/van-door-hinge/4411",
        declares_article=True,
        has_date=True,
    )
    assert decide_kind(declared).kind == "other"
    schema = replace(declared, types=frozenset({"newsarticle"}))
    assert decide_kind(schema).kind == "article"


def test_product_markup_without_article_markup_is_a_product_page_despite_evidence() -> None:
    """Dated, credited product pages are other; with a listing's cards a grid; articles stay."""
    product = _evidence(
        url="https://kettles.example/shop/enamel-kettle-red-two-litres",
        has_date=True,
        has_authors=True,
        declares_article=True,
        types=frozenset({"product", "offer", "webpage"}),
    )
    decision = decide_kind(product)
    assert decision.kind == "other"
    assert decision.reason is not None and "product" in decision.reason
    assert decide_kind(replace(product, cards=LISTING_MIN_TEASERS)).kind == "listing"
    for marked in ({"blogposting"}, {"review"}):
        assert decide_kind(replace(product, types=product.types | marked)).kind == "article"


def test_page_without_story_under_a_listing_section_is_a_listing_without_counted_cards() -> None:
    """A shop grid drawn by scripts has no cards to count; its section URL still lists."""
    html = """<html><body><nav><a href="/">Home</a> <a href="/help">Help</a></nav>
      <main><h1>Desk lamps</h1><p>12 results</p><div id="grid"></div></main></body></html>"""
    result = extract(html, "https://lamps.example/category/desk-lamps")
    assert result.kind == "listing"
    assert result.article is None
    item = extract(html, "https://lamps.example/category/desk-lamps/products/brass-arm-lamp")
    assert item.kind == "other"
    assert item.reason


_PIER = (
    "The harbour board voted on Tuesday to rebuild the old north pier, closed to boats since "
    "the storm damaged its deck two winters ago, and work will start in the spring.",
    "Engineers told the board that the timber piles can be kept, but the deck, the rails and "
    "the lights must all be replaced, at a cost the board puts at four million pounds.",
    "Fishing crews who moor at the pier said they were relieved, though several asked why the "
    "repair had taken so long when the south pier was mended within months of the storm.",
    "The board chair said the money had only been agreed by the county in the autumn, and that "
    "the work would be done in stages so that the pier can open for part of next summer.",
)
_REPLIES = (
    "I walk past the pier every morning and it has looked sad for far too long, so this is "
    "good news, though I will believe it when I see the builders there in the spring.",
    "Four million seems a lot for a pier that hardly anyone uses in winter, and I wonder "
    "whether the board has thought about the cost of keeping it up once it is rebuilt.",
)
_ELSEWHERE = (
    "Ferry timetable changes for the summer season were published this week, with more "
    "sailings at weekends and an earlier first boat on weekdays, the operator said.",
    "The lifeboat crew was called out twice on Sunday, once to a yacht with a fouled propeller "
    "and once to a walker cut off by the tide below the cliffs, and both ended well.",
)


def _boxed_story_page(declared: str) -> str:
    """A declared story whose only prose sits in boxes named like furniture."""

    def paragraphs(texts: tuple[str, ...]) -> str:
        return "".join(f"<p>{text}</p>" for text in texts)

    return f"""<html><head><title>Harbour board votes to rebuild north pier</title>
      <script type="application/ld+json">{declared}</script></head><body>
      <h1>Harbour board votes to rebuild north pier</h1>
      <div class="sidebar-story">{paragraphs(_PIER)}</div>
      <div class="comments">{paragraphs(_REPLIES)}</div>
      <div class="related-links">{paragraphs(_ELSEWHERE)}</div></body></html>"""


def test_declared_dated_story_inside_furniture_named_boxes_is_still_an_article() -> None:
    """No main content outside the furniture: a second look keeps a declared, dated story."""
    declared = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Harbour board votes to rebuild north pier",
            "datePublished": "2025-03-04T09:00:00Z",
            "author": {"@type": "Person", "name": "Mara Quill"},
        }
    )
    url = "https://bayherald.example/news/2025/03/04/harbour-board-votes-to-rebuild-north-pier"
    result = extract(_boxed_story_page(declared), url)
    assert result.kind == "article"
    assert result.article is not None
    assert _PIER[1] in result.article.body
    # Found only on that second look, a body needs a date and a credit or a story URL, and
    # more text than its cards would carry.
    found = _evidence(url=url, words=300, declares_article=True, has_date=True)
    assert rescued_story(found)
    assert not rescued_story(replace(found, url="https://bayherald.example/harbour"))
    assert rescued_story(replace(found, url="https://bayherald.example/harbour", has_authors=True))
    assert not rescued_story(replace(found, has_date=False, has_authors=True))
    assert not rescued_story(replace(found, cards=300 // LISTING_WORDS_PER_TEASER + 1))


def test_home_page_dated_by_its_entries_is_a_listing_unless_a_story_is_declared() -> None:
    """A front page whose only evidence is a date lists its latest entries, cards or not."""
    front = _evidence(url="https://weekly.example/", words=2000, has_date=True)
    assert decide_kind(front).kind == "listing"
    assert decide_kind(replace(front, url="https://weekly.example/?page=2")).kind == "article"
    declared = replace(front, declares_article=True)
    assert decide_kind(declared).kind == "article"
    credited = replace(front, has_authors=True)
    assert decide_kind(credited).kind == "article"
    html = """<html><head><title>Harbour Weekly</title></head><body>
      <nav><a href="/">Home</a> <a href="/about">About</a></nav><main>"""
    for day, text in enumerate(_PIER + _ELSEWHERE, start=3):
        html += f"<div><h2>Notes from the quay</h2><p>March {day}, 2024</p><p>{text}</p></div>"
    html += "</main></body></html>"
    assert extract(html, "https://weekly.example/").kind == "listing"
    assert extract(html, "https://weekly.example/notes/quay").kind == "article"


def test_declared_hub_of_guides_without_date_or_author_is_its_cards() -> None:
    """A declaration and a story-like slug alone do not outweigh cards that carry the page."""
    teasers = LISTING_MIN_TEASERS + 4
    hub = _evidence(
        url="https://garden.example/guides-for-new-growers",
        words=EVIDENCED_ARTICLE_WORDS + 50,
        teasers=teasers,
        declares_article=True,
    )
    assert hub.words < LISTING_WORDS_PER_TEASER * teasers
    assert decide_kind(hub).kind == "listing"
    assert decide_kind(replace(hub, has_date=True)).kind == "article"
    assert decide_kind(replace(hub, has_authors=True)).kind == "article"
    assert decide_kind(replace(hub, teasers=LISTING_MIN_TEASERS - 1)).kind == "article"


def test_pages_of_a_documentation_or_shop_host_are_other_unless_the_page_is_a_story() -> None:
    """docs.example.org/guide/setup is documentation; a story slug on that host is a post."""
    guide = _evidence(url="https://docs.toolkit.example/guide/setup")
    decision = decide_kind(guide)
    assert decision.kind == "other"
    assert decision.reason
    portal = replace(guide, url="https://developer.toolkit.example/start")
    assert decide_kind(portal).kind == "other"
    post = replace(guide, url="https://docs.toolkit.example/how-we-rebuilt-the-search-index")
    assert decide_kind(post).kind == "article"
    elsewhere = replace(guide, url="https://news.toolkit.example/guide/setup")
    assert decide_kind(elsewhere).kind == "article"
    shop = replace(guide, url="https://store.toolkit.example/app/4410/lantern")
    assert decide_kind(shop).kind == "other"


def test_many_teasers_under_a_listing_section_make_a_listing_whatever_its_text() -> None:
    """A category page with a long introduction and a dozen cards lists them; fewer do not."""
    category = _evidence(
        url="https://lampworks.example/category/desk-lamps",
        words=3000,
        teasers=12,
        has_authors=True,
    )
    assert decide_kind(category).kind == "listing"
    assert decide_kind(replace(category, teasers=11)).kind == "article"
    item = replace(
        category, url="https://lampworks.example/category/desk-lamps/products/brass-lamp"
    )
    assert decide_kind(item).kind != "listing"
    dated = replace(category, has_date=True)
    assert decide_kind(dated).kind == "article"


def test_declared_dated_uncredited_page_under_a_service_path_is_other() -> None:
    """og:type article and a date on a /services/ page without author or slug: not a story."""
    service = _evidence(
        url="https://ledgerworks.example/services/payroll-advice/",
        words=900,
        declares_article=True,
        has_date=True,
    )
    decision = decide_kind(service)
    assert decision.kind == "other"
    assert decision.reason
    grid = replace(service, teasers=LISTING_MIN_TEASERS, words=LISTING_MIN_TEASERS * 10)
    assert decide_kind(grid).kind == "listing"
    # A credit, a story slug or a news path under the same section keeps the story.
    assert decide_kind(replace(service, has_authors=True)).kind == "article"
    slug = replace(service, url="https://ledgerworks.example/support/how-we-run-payroll-checks")
    assert decide_kind(slug).kind == "article"
    # Under a section of what the site sells, a slug names the service, not a story.
    offer = replace(service, url="https://ledgerworks.example/services/payroll-for-small-firms/")
    assert decide_kind(offer).kind == "other"
    assert decide_kind(replace(offer, declares_article=False, has_date=False)).kind == "other"
    assert decide_kind(replace(offer, has_authors=True)).kind == "article"
    news = replace(service, url="https://ledgerworks.example/support/news/payroll-2024/")
    assert decide_kind(news).kind == "article"
    # Encyclopedia and news paths (/wiki/, /doc/) are not service paths here.
    wiki = replace(service, url="https://encyclo.example/wiki/Harbour_bridge")
    assert decide_kind(wiki).kind == "article"
    doc = replace(service, url="https://dailypaper.example/doc/7715044")
    assert decide_kind(doc).kind == "article"


def test_link_share_threshold_yields_to_full_evidence() -> None:
    """At the threshold a declared, dated page lists; credited too, it stays an article."""
    base = _evidence(declares_article=True, has_date=True, link_share=LISTING_LINK_SHARE)
    assert decide_kind(base).kind == "listing"
    assert decide_kind(replace(base, link_share=LISTING_LINK_SHARE - 0.1)).kind == "article"
    assert decide_kind(replace(base, has_authors=True)).kind == "article"


def test_dated_front_page_without_cards_or_headline_links_is_one_post() -> None:
    """A dated front page without cards shows one post when its text carries no links."""
    front = _evidence(url="https://weekly.example/", words=2000, has_date=True)
    assert decide_kind(replace(front, span_link_share=ONE_POST_MAX_LINK_SHARE)).kind == "listing"
    one_post = replace(front, span_link_share=0.0)
    assert decide_kind(one_post).kind == "article"
    assert decide_kind(replace(one_post, cards=MIN_LISTING_TEASERS)).kind == "listing"
    entries = replace(one_post, span_datelines=ENTRIES_MIN_DATELINES)
    assert decide_kind(entries).kind == "listing"


def test_page_with_faq_markup_and_no_article_evidence_is_a_service_page() -> None:
    """FAQ markup on a page that nothing declares, dates, credits or names as a story marks a
    service page (a grid of cards with it is a listing); a dated page with it is an article."""
    faq = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": "How soon can the movers come?",
                "acceptedAnswer": {"@type": "Answer", "text": "Most weeks within two days."},
            }
        ],
    }
    prose = "".join(
        f"<p>Our crews have moved flats and offices across the valley for {n + 5} years, with "
        "padded vans, their own ramps and a fixed price agreed before the first box is lifted, "
        "so that nothing on moving day comes as a surprise to the customer.</p>"
        for n in range(4)
    )
    html = f"""<html><head><script type="application/ld+json">{json.dumps(faq)}</script></head>
      <body><main><h1>Movers in the valley</h1>{prose}</main></body></html>"""
    url = "https://movers.example/valley/movers"
    result = extract(html, url)
    assert result.kind == "other"
    assert result.reason is not None and "FAQ" in result.reason
    dated = html.replace("<main>", '<main><time datetime="2025-04-02">2 April 2025</time>')
    assert extract(dated, url).kind == "article"
    evidence = _evidence(url=url, types=frozenset({"faqpage", "question"}))
    assert decide_kind(evidence).kind == "other"
    assert decide_kind(replace(evidence, teasers=MIN_LISTING_TEASERS)).kind == "listing"


def test_declared_dated_and_credited_manual_page_is_documentation() -> None:
    """Documentation software declares, dates and credits its pages: under a manual's path
    or host, without a story slug or all four points, the page is documentation."""
    manual = _evidence(
        url="https://toolkit.example/docs/guides/auth",
        words=900,
        declares_article=True,
        has_date=True,
        has_authors=True,
    )
    decision = decide_kind(manual)
    assert decision.kind == "other"
    assert decision.reason is not None and "documentation" in decision.reason
    host = replace(manual, url="https://developer.toolkit.example/language/resources")
    assert decide_kind(host).kind == "other"
    # A story slug, a blog path or a dated path there still name a post.
    for url in (
        "https://toolkit.example/docs/how-we-rebuilt-the-login-flow",
        "https://developer.toolkit.example/blog/release-notes",
        "https://developers.toolkit.example/2025/03/new-sdk",
    ):
        assert decide_kind(replace(manual, url=url)).kind == "article"
    assert decide_kind(replace(manual, url="https://toolkit.example/guides/auth")).kind == "article"
