"""A roundup's entries (picture, linked heading, description) are story, not captions or rails."""

from __future__ import annotations

from workers.extract import extract

URL = "https://makerjournal.example/2025/06/weekend-wood-projects"

INTRO = [
    "Every one of these projects fits into a single weekend afternoon, needs only a saw, a "
    "drill and some sandpaper, and uses boards that any timber yard will cut to length.",
    "We picked them after building each one ourselves in the shed, so the times given below "
    "are honest ones, measured with a kitchen timer and a fair amount of sawdust everywhere.",
]
ENTRIES = [
    (
        "Folding step stool",
        "A sturdy stool that folds flat behind the kitchen door, made from one pine board and "
        "two hinges, ready to paint by the time the kettle has boiled twice on the stove.",
    ),
    (
        "Window herb box",
        "Three cedar planks and a handful of screws make a box for basil and mint that hangs "
        "under the sill, with drainage holes drilled before the soil goes in at the end.",
    ),
    (
        "Key rack with a shelf",
        "Offcuts from the stool become a rack for keys and letters, with a narrow shelf on top "
        "for sunglasses, glued and pinned so it holds the weight of a full bunch of keys.",
    ),
    (
        "Outdoor side table",
        "A slatted table that stands beside the garden chair, sealed with two coats of oil so "
        "the rain runs off it, and light enough to carry back indoors when winter arrives.",
    ),
]


def _entry(n: int, title: str, text: str) -> str:
    return f"""<div class="list-single" id="list-item-{n}">
      <div class="list-img"><div><img src="/img/{n}.jpg" alt=""></div></div>
      <div class="list-item-body">
        <h2 class="list-single-title"><a href="https://crafts{n}.example/{n}">{title}</a></h2>
        <div class="list-single-description"><p>{text}</p></div>
      </div>
    </div>"""


def _page() -> str:
    intro = "".join(f"<p>{text}</p>" for text in INTRO)
    entries = "".join(_entry(n, title, text) for n, (title, text) in enumerate(ENTRIES))
    return f"""<html><body>
      <header><nav><a href="/">Home</a><a href="/projects">Projects</a></nav></header>
      <article class="post"><h1>Weekend wood projects for beginners</h1>
        <div class="entry-content">{intro}
          <section class="list-card"><div class="list-list">{entries}</div></section>
        </div>
      </article>
      <footer><a href="/about">About us</a></footer>
    </body></html>"""


def test_roundup_entries_with_picture_and_heading_are_kept() -> None:
    """Each entry's heading and description stay: a picture beside them is no caption box."""
    page = extract(_page(), URL)
    assert page.kind == "article", page.reason
    assert page.article is not None
    body = page.article.body
    assert all(text in body for text in INTRO)
    for title, text in ENTRIES:
        assert title in body
        assert text in body
