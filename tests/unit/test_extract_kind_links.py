"""Page kind: a body that is mostly link text is a list of other items, not one story."""

from __future__ import annotations

from workers.extract import extract

_LIGHTHOUSES = [
    ("Kestrel Point", "1871", "a white stone tower above the northern cliffs"),
    ("Saltmarsh Light", "1884", "a squat iron frame at the mouth of the estuary"),
    ("Gannet Rock", "1902", "a red and white tower reached only at low tide"),
    ("Old Harbour Beacon", "1865", "a brick lantern on the end of the east pier"),
    ("Windle Head", "1910", "a concrete tower rebuilt after the great storm"),
    ("Copper Bay", "1893", "a timber light that now serves as a small museum"),
    ("Fennick Sands", "1921", "a lattice mast with a solar lamp since the nineties"),
    ("Greymouth", "1878", "a tall granite column beside the coastguard cottages"),
]


def _index_page() -> str:
    entries = "".join(
        f'<p><a href="/wiki/{name.lower().replace(" ", "_")}_lighthouse">{name} Lighthouse</a>'
        f" ({year}), {what}.</p>"
        for name, year, what in _LIGHTHOUSES * 2
    )
    return (
        "<html><head><title>Lighthouses of the Fennick coast</title>"
        '<meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2023-05-02T10:00:00+00:00">'
        "</head><body><nav><a href='/'>Home</a></nav><main><h1>Lighthouses of the Fennick coast"
        "</h1><p>This index lists the lights that stand or stood on the coast, each with its "
        f"year of first lighting and a short note.</p>{entries}</main></body></html>"
    )


def test_declared_dated_index_of_linked_entries_is_a_listing() -> None:
    """An index whose entries are links, declared and dated but credited to no one, lists."""
    result = extract(_index_page(), "https://coastwiki.example/wiki/lighthouses_of_fennick")
    assert result.kind == "listing"
    assert result.article is None


def test_story_with_linked_names_stays_an_article() -> None:
    """A declared, dated story with a few linked names is no index of links."""
    paragraphs = "".join(
        f"<p>The keepers of <a href='/wiki/{name.lower()}'>{name}</a> kept a log from {year}; "
        "their entries note the weather, passing ships and the oil burned each night, and the "
        "archive in the harbour office holds every volume that survived the damp.</p>"
        for name, year, _ in _LIGHTHOUSES
    )
    html = (
        "<html><head><title>The keepers' logs</title>"
        '<meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2023-05-02T10:00:00+00:00">'
        f"</head><body><main><h1>The keepers' logs</h1>{paragraphs}</main></body></html>"
    )
    result = extract(html, "https://coastwiki.example/wiki/keepers_logs")
    assert result.kind == "article"


_POST = [
    "I started restoring old bicycles three winters ago, when a neighbour left a rusted "
    "touring frame by the bins and I could not bear to see it go to the tip.",
    "This journal is where I write down what each rebuild teaches me: which bearings can be "
    "saved, how to strip paint without ruining the lugs, and where to find spare parts.",
    "My workshop is a corner of the garage with a borrowed stand, a box of hand tools and a "
    "shelf of jars full of bolts that I sort on rainy evenings.",
    "I am not a trained mechanic, so expect mistakes, second attempts and the occasional "
    "wheel that needs truing again after its first ride down the hill.",
    "If you have a frame, a pump or an old manual you no longer need, send me a note; the "
    "next project is a town bike for my daughter, and every part counts.",
]


def _front_page(headline_links: bool) -> str:
    if headline_links:
        body = "".join(
            f'<h2><a href="/{n}/rebuild-notes-part-{n}">Rebuild notes, part {n}</a></h2>'
            f"<p>{text}</p>"
            for n, text in enumerate(_POST, start=1)
        )
    else:
        body = "<h2>Why this journal</h2>" + "".join(f"<p>{text}</p>" for text in _POST)
    return (
        "<html><head><title>Spokes and rust</title></head><body>"
        "<header><a href='/'>Spokes and rust</a></header><main><h1>About this journal</h1>"
        '<p><time datetime="2022-01-09">9 January 2022</time></p>'
        f"{body}</main></body></html>"
    )


def test_dated_front_page_showing_one_post_is_an_article() -> None:
    """A blog's front page that shows one dated post, with no links in its text, is that post."""
    result = extract(_front_page(headline_links=False), "https://spokes.example/")
    assert result.kind == "article"
    assert result.article is not None
    assert "a town bike for my daughter" in result.article.body


def test_dated_front_page_of_linked_excerpts_is_a_listing() -> None:
    """Headline links between the excerpts make the dated front page a listing."""
    assert extract(_front_page(headline_links=True), "https://spokes.example/").kind == "listing"
