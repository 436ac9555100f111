"""Credits printed outside the story's span: read last, and not counted as kind evidence."""

from __future__ import annotations

from workers.extract import extract

_URL = "https://pondlife.example/notes/frogspawn-counted-on-the-village-pond"


def _story() -> str:
    return "".join(
        f"<p>Count {number}: volunteers waded along the reeds at dawn and logged the clumps of "
        "frogspawn by the old sluice, a little more than the year before, and the warden "
        "wrote each figure into the parish book.</p>"
        for number in range(1, 7)
    )


def _page(after: str = "", head: str = "") -> str:
    return (
        f"<html><head><title>Frogspawn counted</title>{head}</head><body>"
        "<h1>Frogspawn counted on the village pond</h1>"
        f'<div class="entry-content">{_story()}</div>'
        f'<div class="share-tools"><a href="/share">Share</a></div>{after}</body></html>'
    )


_AUTHOR_BOX = '<div class="post-author-box"><p class="author-name">Wren Abernethy</p></div>'


def test_an_author_box_after_the_story_credits_it_when_nothing_nearer_does() -> None:
    article = extract(_page(after=_AUTHOR_BOX), _URL).article
    assert article is not None
    assert article.authors == ["Wren Abernethy"]
    assert article.provenance["authors"] == "outside"


def test_a_nearer_credit_or_an_organisation_wins_over_the_author_box() -> None:
    byline = _page(after=_AUTHOR_BOX).replace("</h1>", '</h1><p class="byline">By Moss Tennant</p>')
    article = extract(byline, _URL).article
    assert article is not None
    assert article.authors == ["Moss Tennant"]
    organisation = (
        '<script type="application/ld+json">{"@type": "Article", "headline": "Frogspawn '
        'counted on the village pond", "author": {"@type": "Organization", "name": '
        '"Pond Trust"}}</script>'
    )
    declared = extract(_page(after=_AUTHOR_BOX, head=organisation), _URL).article
    assert declared is not None
    assert declared.authors == ["Pond Trust"]


def test_an_author_box_is_not_kind_evidence() -> None:
    """The page kind weighs the page as if it credited nobody."""
    html = _page(after=_AUTHOR_BOX)
    cards = "".join(
        f'<li><a href="/notes/pond-note-number-{n}-on-the-reeds"><h3>Pond note {n} on the '
        f"reeds and the sluice</h3></a></li>"
        for n in range(1, 13)
    )
    with_cards = html.replace("</body>", f'<section class="more"><ul>{cards}</ul></section></body>')
    without_box = with_cards.replace(_AUTHOR_BOX, "")
    assert extract(with_cards, _URL).kind == extract(without_box, _URL).kind
