"""Publication date picking: meta names, printed date lines beside the headline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from workers.extract import core, extract

_URL = "https://allotments.example/blog/plots-shared-out"


def _paragraphs() -> str:
    return "".join(
        f"<p>Plot {number}: the allotment society met on Tuesday evening to share out the new "
        f"plots, and member {number} who had waited more than a year was offered one beside "
        "the river path, with a shed, a water butt and a key to the gate.</p>"
        for number in range(1, 6)
    )


def _page(
    head: str = "", hero: str = "", headline: str = "<h1>Plots shared out at last</h1>"
) -> str:
    return (
        f"<html><head><title>Plots shared out</title>{head}</head><body>"
        f'<div class="hero">{headline}{hero}</div>'
        f'<div class="content">{_paragraphs()}</div></body></html>'
    )


def _published_day(html: str) -> date | None:
    article = extract(html, _URL).article
    assert article is not None
    return article.published_at.date() if article.published_at else None


@pytest.mark.parametrize(
    "name", ["published-date", "w-published-date", "citation_publication_date", "published"]
)
def test_publication_meta_names_date_the_story(name: str) -> None:
    """Meta tags some CMSes name "published-date", "published"... give the publication date."""
    html = _page(head=f'<meta name="{name}" content="2021-02-16">')
    assert _published_day(html) == date(2021, 2, 16)


def test_a_line_printing_both_dates_gives_the_first_publication() -> None:
    """'August 16, 2019 - Updated July 9, 2025' dates the story on the day before the update."""
    html = _page(hero="<div>August 16, 2019 - Updated July 9, 2025</div>")
    assert _published_day(html) == date(2019, 8, 16)


def test_a_line_printing_only_an_update_gives_no_publication_date() -> None:
    """'Updated: January 2, 2026' alone is not the original publication."""
    assert _published_day(_page(hero="<div>Updated: January 2, 2026</div>")) is None


def test_a_headline_in_a_furniture_named_wrapper_still_anchors_its_date_line() -> None:
    """A headline and date set in a box named like furniture ("sidebar") date the story."""
    html = (
        "<html><head><title>Plots shared out</title></head><body>"
        '<div class="sidebar-hero"><h1>Plots shared out at last</h1>'
        "<div>Mar 24, 2025</div></div>"
        f'<div class="content">{_paragraphs()}</div></body></html>'
    )
    assert _published_day(html) == date(2025, 3, 24)


def test_a_page_without_an_h1_reads_the_date_beside_its_first_block() -> None:
    """With the headline set in an <h2>, a date line above the story still dates it."""
    html = _page(headline="<h2>Plots shared out at last</h2>", hero="<p>January 22nd, 2019</p>")
    assert _published_day(html) == date(2019, 1, 22)


def test_a_json_ld_date_written_for_people_gives_way_to_the_printed_date() -> None:
    """A JSON-LD datePublished like "Nov 05, 2025" is read after the date by the headline."""
    head = (
        '<script type="application/ld+json">{"@type": "BlogPosting", '
        '"headline": "Plots shared out at last", "datePublished": "Nov 05, 2025"}</script>'
    )
    html = _page(head=head, hero="<div>January 31, 2024</div>")
    assert _published_day(html) == date(2024, 1, 31)
    assert _published_day(_page(head=head)) == date(2025, 11, 5)


def test_an_iso_json_ld_date_is_kept_over_the_printed_date() -> None:
    """A machine-written datePublished still comes before what the page prints, when the
    printed date is not earlier (a later printed date is an update or another item's)."""
    head = (
        '<script type="application/ld+json">{"@type": "BlogPosting", '
        '"headline": "Plots shared out at last", "datePublished": "2025-11-05T10:00:00Z"}'
        "</script>"
    )
    assert _published_day(_page(head=head, hero="<div>January 31, 2026</div>")) == date(2025, 11, 5)
    assert _published_day(_page(head=head, hero="<div>November 4, 2025</div>")) == date(2025, 11, 5)


def test_a_date_printed_by_the_headline_well_before_the_declared_one_is_the_publication() -> None:
    """A declared date months after the one printed by the headline is a later save of the
    page (the CMS rewrote datePublished with dateModified): the printed day is the first
    publication."""
    head = (
        '<script type="application/ld+json">{"@type": "BlogPosting", '
        '"headline": "Plots shared out at last", "datePublished": "2025-11-05T10:00:00Z", '
        '"dateModified": "2025-11-05T10:00:00Z"}</script>'
    )
    assert _published_day(_page(head=head, hero="<div>January 31, 2024</div>")) == date(2024, 1, 31)
    meta = '<meta property="article:published_time" content="2025-11-05T10:00:00Z">'
    assert _published_day(_page(head=meta, hero="<p>Posted 3 May 2024</p>")) == date(2024, 5, 3)


def _below_story(footer: str) -> str:
    """A story longer than the window read around its headline, with a line under it."""
    more = "".join(
        f"<p>Note {number}: the society's committee thanked the volunteers who cleared the "
        "brambles from the lower plots and repaired the fence along the lane.</p>"
        for number in range(40)
    )
    return _page().replace("</div></body>", f"{more}</div>{footer}</body>")


def test_a_line_under_the_story_that_says_it_gives_the_publication_dates_it() -> None:
    """With nothing printed by the headline, "Posted on the 15/12/2025 at 19:00" under the
    story, or a "Published" label over its date, gives the day."""
    posted = _below_story("<div>Posted on the 15/12/2025 at 19:00 by Tom</div>")
    assert _published_day(posted) == date(2025, 12, 15)
    labelled = _below_story('<div class="meta"><p>Published</p><p>Feb 2, 2023</p></div>')
    assert _published_day(labelled) == date(2023, 2, 2)


def _opening(first: str) -> str:
    return _page().replace('<div class="content">', f'<div class="content"><p>{first}</p>', 1)


def test_a_wire_story_is_dated_by_the_place_and_date_it_opens_with() -> None:
    """ "HARBOURTON, Mar 4, 2022 (Valley Wire) - ..." opening the first paragraph dates it."""
    first = (
        "HARBOURTON, Mar 4, 2022 (Valley Wire) - The allotment society shared out the new "
        "plots on Tuesday evening after a year of waiting for the council's permission."
    )
    assert _published_day(_opening(first)) == date(2022, 3, 4)


def test_a_date_further_into_the_opening_sentence_does_not_date_the_story() -> None:
    """ "Harbourton, the town that met on 3 May 2024 - ..." is prose, not a dateline."""
    first = (
        "Harbourton, the town that met on 3 May 2024 - and again a week later - agreed to "
        "share out the plots by the river path before the summer."
    )
    assert _published_day(_opening(first)) is None


def test_a_sentence_stating_the_first_publication_beats_the_date_by_the_headline() -> None:
    """ "This story was originally published on 26 Sep 2019 at 4:12pm" under a story whose
    headline prints its last revision dates it on the first day."""
    note = (
        '<p class="note">This story was originally published on 26 Sep 2019 at 4:12pm but '
        "has been revised since.</p>"
    )
    html = _below_story(note).replace("</h1>", "</h1><div>30 Sep 2022, 11:07am</div>", 1)
    assert _published_day(html) == date(2019, 9, 26)


def test_a_labelled_line_among_the_comments_does_not_date_the_story() -> None:
    """A comment's "Posted 3 May 2024" line says when the reader wrote, not the story."""
    comments = '<div class="comments"><div class="comment">Posted 3 May 2024 by Ann</div></div>'
    assert _published_day(_below_story(comments)) is None


def test_a_declared_utc_instant_is_told_on_the_local_day_its_url_names() -> None:
    """Declared 02:41 UTC on the 19th for a story filed at /2025/12/18/, on a page whose
    <time> values are written at -05:00: the story is dated the 18th, at -05:00. At a URL
    naming no day the declared instant is kept in UTC."""
    head = '<meta property="article:published_time" content="2025-12-19T02:41:41+00:00">'
    comment = '<div class="comments"><time datetime="2025-12-19T09:10:00-05:00">9:10</time></div>'
    html = _page(head=head).replace("</body>", f"{comment}</body>")
    article = extract(html, "https://allotments.example/2025/12/18/plots-shared-out").article
    assert article is not None
    assert article.published_at is not None
    assert article.published_at.date() == date(2025, 12, 18)
    assert article.published_at.utcoffset() == timedelta(hours=-5)
    assert _published_day(html) == date(2025, 12, 19)


def test_a_photo_line_repeating_the_pictures_alt_text_does_not_date_the_story() -> None:
    """A caption set as a plain <p> under a photo ("..., 2 March 2024", the picture's alt
    text) is the picture's date; the story's own date line further down is read."""
    alt = "Diggers at the lower plots, 2 March 2024"
    hero = f'<div class="pic"><img src="plots.jpg" alt="{alt}"><p>{alt}</p></div>'
    assert _published_day(_page(hero=f"{hero}<div>March 5, 2024</div>")) == date(2024, 3, 5)


def test_a_date_inside_the_story_does_not_beat_the_one_by_the_headline() -> None:
    """An event date set in the body ("Date: 6 January 2026") is not the publication."""
    html = (
        "<html><head><title>Plots shared out</title></head><body>"
        '<div class="hero"><h1>Plots shared out at last</h1><div>October 13, 2025</div></div>'
        f'<div class="content"><p>Date: 6 January 2026</p>{_paragraphs()}</div></body></html>'
    )
    assert _published_day(html) == date(2025, 10, 13)


def test_a_date_in_a_furniture_named_row_under_the_headline_dates_the_story() -> None:
    """ "Published: August 8, 2023" in a share row between headline and story is read."""
    hero = '<div class="meta-share-group"><span>Published: August 8, 2023</span></div>'
    assert _published_day(_page(hero=hero)) == date(2023, 8, 8)


def test_a_furniture_named_list_above_the_headline_does_not_date_the_story() -> None:
    """Dates in a furniture box printed before the headline (other items' dates) are not read."""
    html = (
        "<html><head><title>Plots shared out</title></head><body>"
        '<div class="sidebar"><div>12/04/2025</div></div>'
        "<h1>Plots shared out at last</h1>"
        f'<div class="content">{_paragraphs()}</div></body></html>'
    )
    assert _published_day(html) is None


def test_a_time_element_by_the_headline_gives_its_datetime() -> None:
    """<time datetime="2024-12-20">August 28, 2024</time> by the headline: the attribute wins."""
    hero = '<time datetime="2024-12-20">August 28, 2024</time>'
    assert _published_day(_page(hero=hero)) == date(2024, 12, 20)


def test_the_date_line_is_read_beside_the_h1_that_prints_the_title() -> None:
    """Site-name <h1>s in the header do not anchor the date search; the headline's <h1> does."""
    header = "".join(f"<div><h1>The Plotholder</h1><p>Menu {n}</p></div>" for n in range(20))
    html = (
        "<html><head><title>Plots shared out at last</title>"
        '<meta property="og:title" content="Plots shared out at last"></head><body>'
        f"{header}<div class='hero'><h1>Plots shared out at last</h1><div>May 31, 2024</div>"
        f'</div><div class="content">{_paragraphs()}</div></body></html>'
    )
    assert _published_day(html) == date(2024, 5, 31)


def test_the_headline_is_picked_once_per_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """The date picker anchors on the headline core already chose; it does not pick it again."""
    calls: list[str] = []
    original = core.pick_title

    def counting(*args: object, **kwargs: object) -> object:
        calls.append("title")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(core, "pick_title", counting)
    # The old date picker imported its own reference to pick_title.
    monkeypatch.setattr("workers.extract.published.pick_title", counting, raising=False)
    head = '<meta name="published" content="2024-05-02">'
    assert _published_day(_page(head=head)) == date(2024, 5, 2)
    assert _published_day(_page(hero="<p>Posted 3 May 2024</p>")) == date(2024, 5, 3)
    assert len(calls) == 2


_DATED_URL = "https://allotments.example/2021/03/04/plots-shared-out"


def test_a_page_that_declares_and_prints_no_date_is_dated_by_its_url() -> None:
    """With no date in structured data or print, the day in the URL's path dates the story."""
    article = extract(_page(), _DATED_URL).article
    assert article is not None
    assert article.published_at is not None
    assert article.published_at.date() == date(2021, 3, 4)
    assert "published_at" in article.assumed_utc


def test_a_date_below_the_body_dates_a_story_that_prints_none_above_it() -> None:
    """A <time> element in the page's last block ("Page last modified") is read last of all."""
    html = _page().replace(
        "</body>",
        '<footer>Last modified <time datetime="2022-06-07">7 June 2022</time></footer></body>',
    )
    article = extract(html, "https://allotments.example/blog/plots-shared-out-at-last").article
    assert article is not None
    assert article.published_at is not None
    assert article.published_at.date() == date(2022, 6, 7)


def test_a_declared_date_is_not_overridden_by_the_url() -> None:
    """The library fallback is read only when our own sources give nothing."""
    html = _page(head='<meta property="article:published_time" content="2020-01-02T10:00:00Z">')
    article = extract(html, _DATED_URL).article
    assert article is not None
    assert article.published_at is not None
    assert article.published_at.date() == date(2020, 1, 2)


def test_a_page_whose_url_names_no_story_gets_no_library_date() -> None:
    """A reference page's "last modified" <time> is not read as a story's publication."""
    html = _page().replace(
        "</body>",
        '<footer>Last modified <time datetime="2022-06-07">7 June 2022</time></footer></body>',
    )
    article = extract(html, _URL).article
    assert article is not None
    assert article.published_at is None


def _declared_story_among_cards() -> str:
    """A short declared story without a byline or a printed date, above ten cards."""
    cards = "".join(
        f'<li class="card"><a href="/2021/02/{number:02d}/garden-club-story-number-{number}">'
        f"<h3>Garden club story number {number} draws a crowd</h3></a>"
        "<p>What members said.</p></li>"
        for number in range(1, 11)
    )
    head = '<meta property="og:type" content="article">'
    page = _page(head=head)
    return page.replace("</body>", f'<section class="more"><ul>{cards}</ul></section></body>')


def test_a_library_date_is_reported_but_is_not_kind_evidence() -> None:
    """The day htmldate reads from the URL dates the story, but the page kind weighs the page
    as if it were undated: a date in a URL says nothing of whether the page is one story."""
    html = _declared_story_among_cards()
    dated = extract(html, _DATED_URL)
    undated = extract(html, "https://allotments.example/news/plots-shared-out-at-last")
    assert undated.kind == dated.kind
    assert dated.kind == "listing"
    alone = extract(_page(head='<meta property="og:type" content="article">'), _DATED_URL)
    assert alone.article is not None
    assert alone.article.provenance.get("published_at") == "library"
