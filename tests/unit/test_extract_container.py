"""Finding the story's container: wrappers that scripts reveal, theme classes, marked bodies."""

from __future__ import annotations

from tests.unit.extract_helpers import story_body

URL = "https://workshop.example/blog/2025/05/building-a-garden-bench-from-pallets"

PARAGRAPHS = [
    "Pallet wood is free at most hardware yards, but it is rough, full of nails and rarely "
    "the same thickness twice, so the first evening goes into sorting and planing the boards.",
    "The bench frame uses four legs cut from the thickest runners, joined by two rails that "
    "are glued and screwed, and the seat boards sit on top with a small gap for the rain.",
    "After a week outside the oil had soaked in evenly, and the bench had not moved at all "
    "when three of us sat on it to watch the neighbours rebuild their fence in the sun.",
]
STORY = "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
HEADLINE = "<h1>Building a garden bench from pallets</h1>"


def _body(html: str) -> str:
    return story_body(html, URL)


def test_server_streamed_segment_hidden_until_scripts_move_it_is_read() -> None:
    """A <div hidden id="S:0"> segment under <body> (streamed rendering) holds the story."""
    html = f"""<html><body>
      <div hidden></div>
      <header><a href="/">Workshop</a></header>
      <template id="B:0"></template>
      <div hidden id="S:0"><section>{HEADLINE}<div>{STORY}</div></section></div>
      <script>/* moves S:0 into B:0 */</script>
    </body></html>"""
    body = _body(html)
    assert all(text in body for text in PARAGRAPHS)


def test_anti_flicker_root_holding_main_is_read() -> None:
    """A hidden root wrapper under <body> that holds <main> is shown by scripts, so it is read."""
    html = f"""<html><body>
      <div class="root hide"><main>{HEADLINE}<section class="post-body">{STORY}</section>
      </main></div>
    </body></html>"""
    body = _body(html)
    assert all(text in body for text in PARAGRAPHS)


def test_hidden_box_under_body_without_main_stays_out() -> None:
    """A hidden dialog beside the story (no <main> or <article> in it) is not read."""
    html = f"""<html><body>
      <div hidden class="dialog"><p>Sign in to keep reading every story we publish this
      week, with offers from our partners delivered straight to your inbox.</p></div>
      <main>{HEADLINE}{STORY}</main>
    </body></html>"""
    body = _body(html)
    assert "Sign in" not in body
    assert PARAGRAPHS[0] in body


def test_theme_classes_on_body_do_not_mark_the_page_as_furniture() -> None:
    """<body class="theme-caption-two sidebar-left"> names the theme, not a caption box."""
    html = f"""<html><body class="home page theme-caption-two theme-comhide sidebar-left">
      <main><article>{HEADLINE}<div class="entry-content">{STORY}</div></article></main>
    </body></html>"""
    body = _body(html)
    assert all(text in body for text in PARAGRAPHS)


def test_furniture_named_wrapper_inside_the_marked_body_keeps_the_story() -> None:
    """A "content-nav-section" wrapping the story inside .body-content is not navigation.

    The page carries as much prose again in its aside and footer, so the wrapper holds less
    than half of the page's text; inside the marked body it holds nearly all of it.
    """
    notes = [
        f"<p>Footer note {n}: accounts are held with a member bank, deposits are insured up "
        f"to the legal limit, and rates may change without notice at any time.</p>"
        for n in range(4)
    ]
    html = f"""<html><body>
      <main><div class="body-content">{HEADLINE}
        <div class="content-nav-section"><div class="rtf">{STORY}</div></div>
        <p class="note">Last reviewed in May.</p>
      </div></main>
      <aside>{notes[0]}{notes[1]}</aside>
      <footer>{notes[2]}{notes[3]}</footer>
    </body></html>"""
    body = _body(html)
    assert all(text in body for text in PARAGRAPHS)
    assert "Footer note" not in body


def test_an_h1_in_a_box_after_the_story_does_not_cut_the_body() -> None:
    """The only <h1> sits in a note from the publisher below the story: the story stays."""
    html = f"""<html><body><main class="main-content">
      <h2 class="title">Building a garden bench from pallets</h2>
      <div class="post-content">{STORY}
        <div class="note"><h1>A message from our editor</h1>
        <p>We keep every guide free to read.</p></div>
      </div>
    </main></body></html>"""
    body = _body(html)
    assert all(text in body for text in PARAGRAPHS)


def _chapter(n: int) -> str:
    return (
        f'<section class="toc-para"><h2>Step {n}</h2>'
        + "".join(f"<p>{text}</p>" for text in PARAGRAPHS + PARAGRAPHS)
        + "</section>"
    )


def test_chapters_under_furniture_names_inside_the_marked_body_stay() -> None:
    """Sections named like a table of contents ("toc-para") that hold the prose are the story."""
    chapters = "".join(_chapter(n) for n in range(4))
    html = f"""<html><body><main>{HEADLINE}
      <div class="article-content"><div class="toc-chapters">{chapters}</div></div>
    </main></body></html>"""
    body = _body(html)
    assert all(f"Step {n}" in body for n in range(4))
    assert body.count(PARAGRAPHS[0]) >= 1


def test_long_reader_comments_inside_the_marked_body_stay_out() -> None:
    """A comments box inside the body element stays out, however much prose it holds."""
    comments = "".join(
        f"<p>Comment {n}: I built the same bench last spring with oak offcuts instead of "
        f"pallets, and the tip about gaps between the seat boards saved it from the rain.</p>"
        for n in range(6)
    )
    html = f"""<html><body><main>{HEADLINE}
      <div class="post-content">{STORY}{STORY.replace("Pallet", "Reclaimed")}
        <div class="comments-area">{comments}</div></div>
    </main></body></html>"""
    body = _body(html)
    assert PARAGRAPHS[0] in body
    assert "Comment 0" not in body


def test_a_table_framed_by_a_figure_is_story_and_its_figcaption_is_not() -> None:
    """Blog editors wrap every table in <figure class="...-table">: its rows are story,
    while the figcaption under it, and an image's figure, stay captions."""
    rows = "".join(
        f"<tr><td>{n}</td><td>{wood}</td><td>{price} per board</td></tr>"
        for n, (wood, price) in enumerate([("Oak", 9), ("Pine", 3), ("Larch", 5)], start=1)
    )
    html = f"""<html><body><article>{HEADLINE}{STORY}
      <figure class="wp-block-table is-style-stripes"><table>
        <thead><tr><th>Rank</th><th>Wood</th><th>Price</th></tr></thead><tbody>{rows}</tbody>
      </table><figcaption>Prices at the yard in May</figcaption></figure>
      <figure><img src="/bench.jpg" alt=""><figcaption>The bench after a week</figcaption></figure>
      <p>Larch weathers to silver within a season and needs no oil at all.</p>
    </article></body></html>"""
    body = _body(html)
    assert "Pine" in body
    assert "5 per board" in body
    assert body.index("Oak") < body.index("Larch weathers")
    assert "Prices at the yard" not in body
    assert "The bench after a week" not in body
