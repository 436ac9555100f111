"""Lead and teaser images: lazy-load attributes, srcsets, placeholders, noscript fallbacks."""

from __future__ import annotations

import pytest

from workers.extract import extract
from workers.extract.images import best_candidate, img_src, usable
from workers.extract.markup import parse_html
from workers.extract.teasers import find_teasers

PAGE_URL = "https://harbour-times.example/local/sea-wall-rebuilt"
_PARAGRAPHS = "".join(
    f"<p>{text}</p>"
    for text in (
        "Engineers began lifting the first granite blocks of the new sea wall on Tuesday, "
        "a month ahead of the winter storms that breached the old one twice last year.",
        "The council says the work will close the promenade until the spring, and that "
        "the cafes along the front will be paid for the custom they lose meanwhile.",
        "Residents of the lower town, whose cellars flooded in both storms, asked for "
        "pumps to be kept on standby until the last block is set in the spring.",
        "The harbour master said fishing boats would keep their moorings, although the "
        "slipway beside the lifeboat station will be closed for six weeks in January.",
    )
)


def _article(figure: str) -> str:
    return (
        "<html><head><title>Sea wall rebuilt</title></head><body><article>"
        "<h1>Work starts on the new sea wall before the winter storms</h1>"
        f"<figure>{figure}<figcaption>The first blocks go in. Photo: Mara Quist</figcaption>"
        f"</figure>{_PARAGRAPHS}</article></body></html>"
    )


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        ('<img src="/static/blank.gif" data-src="/media/wall.jpg">', "/media/wall.jpg"),
        (
            '<img src="/static/lazy-placeholder.png" '
            'data-srcset="/media/wall-480.jpg 480w, /media/wall-1200.jpg 1200w">',
            "/media/wall-1200.jpg",
        ),
        (
            '<img srcset="/media/wall-640.jpg 640w, /media/wall-1600.jpg 1600w" alt="">',
            "/media/wall-1600.jpg",
        ),
        (
            '<img class="lazyload" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
            '<noscript><img src="/media/wall-noscript.jpg"></noscript>',
            "/media/wall-noscript.jpg",
        ),
        (
            '<picture><source data-srcset="/media/wall.webp 1x, /media/wall@2x.webp 2x">'
            '<img src="/static/1x1.gif"></picture>',
            "/media/wall@2x.webp",
        ),
        (
            '<img src="/pixel/track.png" width="1" height="1"><img src="/media/wall-real.jpg">',
            "/media/wall-real.jpg",
        ),
    ],
    ids=["data-src", "data-srcset", "srcset", "noscript", "picture-source", "tracking-pixel"],
)
def test_lazy_loaded_lead_image_is_the_real_picture(figure: str, expected: str) -> None:
    """The article image is the picture a lazy loader would show, never its placeholder."""
    page = extract(_article(figure), PAGE_URL)
    assert page.article is not None and page.article.image is not None
    assert page.article.image.url == "https://harbour-times.example" + expected


def test_lead_image_caption_and_credit_are_split() -> None:
    """A credit printed at the end of the figure caption goes to `credit`, not `caption`."""
    page = extract(_article('<img src="/media/wall.jpg">'), PAGE_URL)
    assert page.article is not None and page.article.image is not None
    assert page.article.image.caption == "The first blocks go in."
    assert page.article.image.credit == "Mara Quist"


def test_article_and_teaser_read_the_same_img_alike() -> None:
    """The same lazy <img> gives the same picture as a lead image and as a teaser image."""
    img = '<img src="blank.gif" data-src="/media/shared.jpg">'
    card = "<li><a href='/local/{slug}'>{img}<h3>{title}</h3></a></li>"  # a card with a picture
    cards = "".join(
        card.format(slug=slug, img=img, title=title)
        for slug, title in [
            ("ferry-timetable-changes", "Ferry timetable changes for the winter months"),
            ("lifeboat-crew-honoured", "Lifeboat crew honoured for a night rescue at sea"),
        ]
    )
    html = _article(img).replace(
        "</article>", f"</article><section><h2>More for you</h2><ul>{cards}</ul></section>"
    )
    page = extract(html, PAGE_URL)
    assert page.article is not None and page.article.image is not None
    teasers = find_teasers(parse_html(html), PAGE_URL).teasers
    assert len(teasers) == 2
    assert {teaser.image.url if teaser.image else None for teaser in teasers} == {
        page.article.image.url
    }


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ({"src": "blank.gif", "data-src": "real.jpg"}, "real.jpg"),
        ({"src": "data:image/png;base64,AAAA", "data-lazy-src": "lazy.jpg"}, "lazy.jpg"),
        ({"src": "photo.jpg"}, "photo.jpg"),
        ({"src": "spacer.gif"}, None),
        ({"srcset": "a.jpg 1x, b.jpg 2x"}, "b.jpg"),
    ],
)
def test_img_src_prefers_lazy_attributes_over_placeholders(
    attrs: dict[str, str], expected: str | None
) -> None:
    """img_src reads lazy attributes first, skips placeholders, falls back to srcset."""
    assert img_src(attrs) == expected


def test_srcset_candidates_pick_the_widest_and_skip_placeholders() -> None:
    """best_candidate takes the largest width descriptor; usable() rejects placeholders."""
    assert best_candidate("s.jpg 320w, l.jpg 1280w, m.jpg 640w") == "l.jpg"
    assert best_candidate("blank.gif 2000w, real.jpg 800w") == "real.jpg"
    assert usable("  /img/loading.svg ") is None
    assert usable(" /img/harbour.jpg ") == "/img/harbour.jpg"
