"""Which blocks of the story's container stay in the body: forms and their frames set aside."""

from __future__ import annotations

from tests.unit.extract_helpers import story_body

URL = "https://kitchen.example/notes/2025/03/keeping-a-sourdough-starter-over-the-holidays"

PARAGRAPHS = [
    "A starter that is fed twice a day at room temperature will sulk if it is left alone for "
    "a week, but a cold rest in the fridge slows the yeast enough to survive the holidays.",
    "Before leaving, feed it a stiff mixture of one part starter, one part water and two "
    "parts flour, let it rise for an hour, then close the jar and put it at the back.",
    "On the way back it needs two or three warm feeds before it doubles again, and the first "
    "loaf after the break may taste a little sharper than usual, which most people enjoy.",
]
HEADLINE = "<h1>Keeping a sourdough starter over the holidays</h1>"
# A boxed sign-up inside the story: class names carry no hint, only the form says what it is.
SIGNUP = """<section class="relative p-8 my-12 border">
  <div class="font-bold">Kitchen Notes</div>
  <div class="leading-tight">Never miss a bake: new recipes every Friday!</div>
  <form class="flex mt-4"><input type="email" placeholder="Your address">
    <button type="submit">Join</button></form>
  <div class="mt-4 text-xs">By joining, you agree to receive our weekly messages at the address
  given and accept our privacy policy; you can leave at any time from any message.</div>
  <div class="hidden-until-done">Welcome aboard!</div>
</section>"""


def _body(html: str) -> str:
    return story_body(html, URL)


def test_sign_up_box_inside_the_story_is_left_out() -> None:
    """A small box framing a form that asks for an e-mail address is not story text."""
    first, second, third = (f"<p>{text}</p>" for text in PARAGRAPHS)
    html = f"<html><body><main><article>{HEADLINE}{first}{second}{SIGNUP}{third}</article>"
    html += "</main></body></html>"
    body = _body(html)
    assert body.split("\n\n") == PARAGRAPHS


def test_search_form_beside_the_story_keeps_the_paragraph_around_it() -> None:
    """A form without an e-mail or phone field takes no text with it."""
    search = '<form><input type="search" name="q"><button>Go</button></form>'
    note = "<p>Search the archive for older notes on starters, levains and rye.</p>"
    story = "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
    html = f"<html><body><main><article>{HEADLINE}{story}<div>{note}{search}</div>"
    html += "</article></main></body></html>"
    body = _body(html)
    assert "Search the archive for older notes" in body


def test_widget_labels_set_into_the_story_are_left_out() -> None:
    """A table-of-contents heading and a blog's like-bar lines are not story text."""
    first, second, third = (f"<p>{text}</p>" for text in PARAGRAPHS)
    toc = '<div class="toc"><h2>Table of Contents</h2><ul><li><a href="#a">Feeding</a></li></ul>'
    toc += "</div>"
    likes = (
        '<div class="sd-block"><h3 class="sd-title">Like this:</h3><div>Like Loading…</div></div>'
    )
    html = f"<html><body><main><article>{HEADLINE}{first}{toc}{second}{third}{likes}</article>"
    html += "</main></body></html>"
    body = _body(html)
    assert body.split("\n\n") == PARAGRAPHS


# A picture card inside the story: the item's name, two facts and its write-up.
CARD = """<div class="kit-row"><div class="kit-item">
  <div class="kit-icon"><img src="/img/thermos.png" width="100%"></div>
  <div class="kit-name">Vacuum flask</div>
  <div class="kit-fact"><span class="b">KEEPS:</span> a starter cool for half a day</div>
  <div class="kit-fact"><span class="b">COST:</span> about 20 euros</div>
  <div class="kit-fact">A wide-mouthed flask with a little ice water carries a jar of starter
  through a long train ride without it rising over the rim, and it rinses clean in a minute
  once you are home again.</div>
</div></div>"""


def test_picture_card_with_a_write_up_stays_in_the_story() -> None:
    """A small frame around a picture that holds a name, facts and a paragraph is content."""
    first, second, third = (f"<p>{text}</p>" for text in PARAGRAPHS)
    html = f"<html><body><main><article>{HEADLINE}{first}{second}{CARD}{third}</article>"
    html += "</main></body></html>"
    body = _body(html)
    assert "Vacuum flask" in body
    assert "A wide-mouthed flask with a little ice water" in body


def test_picture_caption_and_credit_stay_out() -> None:
    """A frame around a picture with only its caption and credit is not story text."""
    first, second, third = (f"<p>{text}</p>" for text in PARAGRAPHS)
    figure = (
        '<div class="pic"><img src="/img/jar.jpg"><div class="pic-caption">A jar of starter '
        "resting at the back of a fridge shelf, lid closed, before a week away from home."
        '</div><div class="pic-credit">Photo: Ines Varga</div></div>'
    )
    html = f"<html><body><main><article>{HEADLINE}{first}{figure}{second}{third}"
    html += "</article></main></body></html>"
    body = _body(html)
    assert body.split("\n\n") == PARAGRAPHS
