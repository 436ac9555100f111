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
