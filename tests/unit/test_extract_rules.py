"""Per-site rules: YAML loading, domain scoping, validation, and overriding the heuristics."""

from __future__ import annotations

from pathlib import Path

import pytest

from workers.extract import SiteRules, extract, load_site_rules, parse_site_rules

REPO = Path(__file__).resolve().parent.parent.parent

# A page where the heuristics alone would pick the wrong headline, body and byline.
PAGE = """
<html><head>
<meta property="og:title" content="Social headline that differs from the page">
<meta name="author" content="Newsroom Desk">
<meta property="article:published_time" content="2024-01-01T08:00:00+00:00">
</head><body>
<h1 class="headline">Harbour festival returns after five years</h1>
<p class="standfirst">Boats, music and food stalls fill the quays this weekend.</p>
<div class="meta"><span class="byline">By <span class="author-name">Ingrid Salo</span></span>
  <time class="published" datetime="2024-06-07T18:30:00+02:00">7 June</time></div>
<figure class="lead-image"><img src="/img/festival.jpg"></figure>
<div class="story-text">
  <p>The harbour festival returns on Saturday for the first time since 2019, with more than
  sixty boats expected to moor along the old quays for the two-day event.</p>
  <div class="inline-teaser"><p>Festival parking: where to leave your car this weekend and
  how the shuttle buses will run between the station and the harbour.</p></div>
  <p>Organisers said the programme includes brass bands, a sea shanty choir and a parade of
  restored fishing boats on Sunday afternoon.</p>
</div>
<div class="sidebar-story"><p>A much longer unrelated story that the heuristics might prefer,
because it is long and full of prose: the council has published its annual report, covering
roads, schools, libraries and parks, with detailed figures for every district and a long
introduction by the mayor about the year behind and the year ahead, and an appendix.</p>
<p>It continues for another paragraph with more detail on the budget, on the new swimming pool,
on the tram extension and on the plans to plant a thousand trees in the coming decade.</p></div>
</body></html>
"""


def _rules() -> SiteRules:
    return load_site_rules(REPO / "config" / "site_rules.yaml")


def test_shipped_rules_file_loads_with_the_documented_example() -> None:
    """config/site_rules.yaml parses and holds the news.example rule."""
    rule = _rules().for_url("https://news.example/2024/festival")
    assert rule is not None
    assert rule.body == "div.story-text"
    assert rule.remove == (".story-text .inline-teaser", ".story-text .newsletter-box")


def test_rule_for_a_domain_covers_its_subdomains_only() -> None:
    """A rule for news.example applies to www.news.example but not to othernews.example."""
    rules = _rules()
    assert rules.for_url("https://www.news.example/a") is not None
    assert rules.for_url("https://m.www.news.example/a") is not None
    assert rules.for_url("https://othernews.example/a") is None
    assert rules.for_url("https://example/a") is None


def test_most_specific_domain_wins() -> None:
    """With rules for a domain and its subdomain, the subdomain's rule is used."""
    rules = parse_site_rules(
        {"sites": {"news.example": {"title": "h1"}, "sport.news.example": {"title": "h2"}}}
    )
    rule = rules.for_url("https://live.sport.news.example/x")
    assert rule is not None
    assert rule.title == "h2"


def test_rules_override_the_heuristics() -> None:
    """Selectors from the rule decide title, subtitle, body, authors, date and image."""
    result = extract(PAGE, "https://www.news.example/2024/festival", _rules())
    assert result.kind == "article"
    article = result.article
    assert article is not None
    assert article.title == "Harbour festival returns after five years"
    assert article.subtitle == "Boats, music and food stalls fill the quays this weekend."
    assert article.authors == ["Ingrid Salo"]
    assert article.published_at is not None
    assert article.published_at.isoformat() == "2024-06-07T18:30:00+02:00"
    assert article.image is not None
    assert article.image.url == "https://www.news.example/img/festival.jpg"
    assert article.body.startswith("The harbour festival returns on Saturday")
    assert "brass bands" in article.body
    assert "Festival parking" not in article.body
    assert "annual report" not in article.body
    for field in ("title", "subtitle", "body", "authors", "published_at", "image"):
        assert article.provenance[field] == "rule", field


def test_without_rules_the_same_page_uses_the_heuristics() -> None:
    """The rule-free extraction differs, proving the rule is what changed the result."""
    article = extract(PAGE, "https://www.news.example/2024/festival").article
    assert article is not None
    assert article.provenance.get("body") == "dom"
    assert article.provenance.get("title") == "dom"
    assert article.authors != ["Ingrid Salo"]


def test_rules_for_another_site_are_ignored() -> None:
    """Rules keyed to a different domain leave extraction untouched."""
    rules = parse_site_rules({"sites": {"elsewhere.example": {"body": "div.sidebar-story"}}})
    article = extract(PAGE, "https://www.news.example/2024/festival", rules).article
    assert article is not None
    assert article.provenance.get("body") == "dom"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sites": {"a.example": {"title": "h1["}}}, "bad selector"),
        ({"sites": {"a.example": {"headline": "h1"}}}, "unknown fields"),
        ({"sites": {"a.example": {"remove": "not-a-list"}}}, None),
        ({"sites": {"a.example": {"body": ""}}}, "non-empty"),
        ({"sites": ["a.example"]}, "'sites' must map"),
        (["not", "a", "mapping"], "mapping"),
    ],
)
def test_invalid_rules_are_rejected(data: object, message: str | None) -> None:
    """Malformed rules fail at load time with a clear ValueError (a lone string remove is ok)."""
    if message is None:
        rule = parse_site_rules(data).for_url("https://a.example/")
        assert rule is not None
        assert rule.remove == ("not-a-list",)
        return
    with pytest.raises(ValueError, match=message):
        parse_site_rules(data)


def test_empty_rules_file_gives_no_rules(tmp_path: Path) -> None:
    """An empty YAML file loads as an empty rule set."""
    path = tmp_path / "rules.yaml"
    path.write_text("", encoding="utf-8")
    assert load_site_rules(path).for_url("https://news.example/") is None
