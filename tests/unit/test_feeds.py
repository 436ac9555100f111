"""Feed parsing: RSS, RDF, Atom, sitemaps, indexes, gzip, hostile XML, robots.txt."""

from __future__ import annotations

import gzip
import time
import zlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from workers.extract.feeds import (
    MAX_FEED_BYTES,
    Feed,
    FeedError,
    FeedTooLargeError,
    gunzip,
    parse_feed,
    robots_sitemaps,
    sniff_feed,
)

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"


def _body(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def _parse(name: str, url: str = "https://meridianpost.example/feeds/feed.xml") -> Feed:
    return parse_feed(_body(name), url)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("rss.xml", "rss"),
        ("rdf.xml", "rss"),
        ("atom.xml", "atom"),
        ("sitemap.xml", "sitemap"),
        ("news_sitemap.xml", "sitemap"),
        ("sitemap_index.xml", "sitemapindex"),
        ("sitemap.xml.gz", "sitemap"),
    ],
)
def test_sniff_and_parse_agree_on_kind(name: str, kind: str) -> None:
    """sniff_feed names each fixture's kind, and parse_feed reports the same one."""
    assert sniff_feed("application/xml", _body(name)) == kind
    assert _parse(name).kind == kind


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><head><title>x</title></head><body>rss feed</body></html>",
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"plain text that mentions <rss> later on",
    ],
)
def test_sniff_returns_none_for_non_feeds(body: bytes) -> None:
    """HTML pages, empty bodies, images and plain text are not feeds."""
    assert sniff_feed("text/html", body) is None


def test_sniff_reads_past_prolog_and_utf16() -> None:
    """Declaration, comments and a DOCTYPE before the root, or a UTF-16 body, still sniff."""
    prolog = b'<?xml version="1.0"?>\n<!-- generated -->\n<!DOCTYPE rss [ ]>\n<rss version="2.0"/>'
    assert sniff_feed(None, prolog) == "rss"
    utf16 = '\ufeff<?xml version="1.0" encoding="UTF-16"?><feed/>'.encode("utf-16-le")
    assert sniff_feed(None, utf16) == "atom"


def test_sniff_trusts_body_over_content_type() -> None:
    """An RSS body served as text/html is still RSS; an image type is never a feed."""
    assert sniff_feed("text/html; charset=utf-8", _body("rss.xml")) == "rss"
    assert sniff_feed("image/png", _body("rss.xml")) is None


def test_rss_entries_are_normalised_and_deduplicated() -> None:
    """Links resolve against the feed URL, lose utm_* parameters, and repeat only once."""
    feed = _parse("rss.xml", "https://www.northshore-gazette.example/feed/news.xml")
    assert feed.title == "Northshore Gazette \u2013 News"
    assert [entry.url for entry in feed.entries] == [
        "https://www.northshore-gazette.example/news/harbour-council-approves-tidal-barrier",
        "https://www.northshore-gazette.example/culture/choir-wins-national-title",
        "https://www.northshore-gazette.example/business/ferry-operator-orders-electric-boats",
    ]


def test_rss_fields_titles_dates_and_plain_summaries() -> None:
    """CDATA titles, RFC 822 dates and HTML descriptions come out as plain values."""
    first, second, third = _parse("rss.xml").entries
    assert first.title == "Harbour council approves tidal barrier"
    assert first.published == datetime(2024, 3, 14, 9, 30, tzinfo=UTC)
    assert first.summary == "The council voted 11 to 4 for the barrier."
    assert second.title == "Choir wins national title & a trophy"
    assert second.published == datetime(2024, 3, 9, 18, 5, tzinfo=UTC)
    assert third.published is None  # "not a date at all"


def test_rss_guid_is_a_link_only_when_permalink() -> None:
    """A permalink guid stands in for a missing <link>; isPermaLink="false" never does."""
    titles = [entry.title for entry in _parse("rss.xml").entries]
    assert "Ferry operator orders electric boats" in titles
    assert "An item with no address at all" not in titles


def test_rdf_feed_with_latin1_encoding() -> None:
    """RSS 1.0 items beside the channel are read, decoded from ISO-8859-1, dc:date parsed."""
    feed = _parse("rdf.xml")
    assert [entry.title for entry in feed.entries] == [
        "Neue F\u00e4hre f\u00e4hrt ab Juni",
        "Hafenfest wird um einen Tag verl\u00e4ngert",
    ]
    assert feed.entries[0].published == datetime(
        2024, 5, 2, 7, 45, tzinfo=timezone(timedelta(hours=2))
    )
    # no <link>: rdf:about gives the address
    assert feed.entries[1].url == "https://www.fjordblatt.example/region/hafenfest-verlaengert.html"


def test_atom_links_ids_and_dates() -> None:
    """Alternate links beat replies links, xml:base resolves them, an http id is a fallback."""
    feed = _parse("atom.xml")
    assert feed.title == "Lakeside Observer: Science"
    urls = [entry.url for entry in feed.entries]
    assert urls == [
        "https://lakesideobserver.example/2024/02/09/students-photograph-comet-from-school-roof/",
        "https://lakesideobserver.example/2024/02/07/lake-ice-thinner-than-last-decade/",
        "https://lakesideobserver.example/2024/02/02/rare-orchid-found-in-wetland-reserve/",
    ]
    first, second, third = feed.entries
    assert first.title == "Students photograph comet from school roof"
    assert first.published == datetime(2024, 2, 9, 18, 12, tzinfo=UTC)
    assert first.updated == datetime(2024, 2, 10, 7, 0, tzinfo=UTC)
    assert first.summary == "A telescope club captured the comet."
    assert second.published is None
    assert second.summary == "Measurements show the ice is eleven centimetres thinner."
    assert third.updated == datetime(2024, 2, 2, tzinfo=UTC)


def test_dates_carry_fixed_offsets() -> None:
    """Every parsed date is timezone-aware with a plain fixed offset, never a local zone."""
    for name in ("rss.xml", "atom.xml", "rdf.xml", "sitemap.xml", "news_sitemap.xml"):
        for entry in _parse(name).entries:
            for value in (entry.published, entry.updated):
                if value is not None:
                    assert isinstance(value.tzinfo, timezone), (name, value)


def test_sitemap_entries_with_lastmod() -> None:
    """A urlset gives one entry per valid <loc>, lastmod as the update time."""
    feed = _parse("sitemap.xml")
    assert [entry.url for entry in feed.entries] == [
        "https://meridianpost.example/politics/2024/05/mayor-unveils-budget-for-river-crossing",
        "https://meridianpost.example/life/2024/05/night-market-returns-to-the-old-docks",
        "https://meridianpost.example/sport/2024/05/rowing-club-celebrates-centenary",
    ]
    assert feed.entries[0].updated == datetime(2024, 5, 20, 16, 40, tzinfo=UTC)
    assert feed.entries[1].updated == datetime(2024, 5, 19, tzinfo=UTC)
    assert feed.entries[2].updated is None


def test_news_sitemap_titles_and_publication_dates() -> None:
    """Google News sitemaps give each URL its news:title and news:publication_date."""
    first, second = _parse("news_sitemap.xml").entries
    assert first.title == "Valley orchards report record cherry harvest"
    assert first.published == datetime(2024, 6, 20, 6, 0, tzinfo=UTC)
    assert first.updated == datetime(2024, 6, 20, 8, 15, tzinfo=UTC)
    assert second.title == "New bus route links the upper villages"
    assert second.published == datetime(2024, 6, 20, tzinfo=UTC)


def test_sitemap_index_lists_child_sitemaps() -> None:
    """An index yields its child sitemap URLs, resolved and without repeats, and no entries."""
    feed = _parse("sitemap_index.xml")
    assert feed.entries == []
    assert feed.sitemaps == [
        "https://meridianpost.example/sitemaps/news.xml",
        "https://meridianpost.example/sitemaps/2024-05.xml.gz",
        "https://meridianpost.example/sitemaps/2024-04.xml.gz",
    ]


def test_gzip_sitemap_equals_plain_sitemap() -> None:
    """The gzip-compressed sitemap parses to the same entries as the plain one."""
    assert _parse("sitemap.xml.gz") == _parse("sitemap.xml")


def test_truncated_gzip_sitemap_recovers_leading_entries() -> None:
    """A gzip stream cut short still yields the URLs that arrived in full."""
    body = _body("sitemap.xml.gz")
    feed = parse_feed(body[: len(body) * 3 // 4], "https://meridianpost.example/sitemap.xml")
    assert feed.kind == "sitemap"
    assert 1 <= len(feed.entries) < 3


def test_malformed_feed_recovers_what_it_can() -> None:
    """A truncated RSS with an HTML entity keeps its complete items and its text intact."""
    feed = _parse("malformed.xml")
    assert feed.title == "Meridian Post \u2013 broken feed"
    assert [entry.title for entry in feed.entries] == [
        "Council delays vote on parking fees",
        "Two candidates enter by-election race & debate",
    ]


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_entity_declarations_are_refused_quickly(name: str) -> None:
    """Billion-laughs and external-entity feeds raise FeedError without expanding anything."""
    start = time.perf_counter()
    with pytest.raises(FeedError, match="entities"):
        _parse(name)
    assert time.perf_counter() - start < 0.5


def test_external_entity_file_is_never_read(tmp_path: Path) -> None:
    """A SYSTEM entity naming a local file does not pull that file's text into the result."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER", encoding="utf-8")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY s SYSTEM "{secret.as_uri()}">]>'
        "<rss><channel><item><title>&s;</title><link>https://a.example/x</link></item>"
        "</channel></rss>"
    ).encode()
    with pytest.raises(FeedError) as caught:
        parse_feed(body, "https://a.example/feed")
    assert "TOP-SECRET-MARKER" not in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00\x01\x02\x03",
        b"<html><body><p>Not a feed</p></body></html>",
        b"<catalog><book>XML, but not a feed</book></catalog>",
        b"\x1f\x8b\x08garbage after a gzip magic",
    ],
)
def test_non_feeds_raise_feed_error(body: bytes) -> None:
    """Empty, binary, HTML, foreign XML and corrupt gzip bodies raise the typed error."""
    with pytest.raises(FeedError):
        parse_feed(body, "https://a.example/feed")


def test_feed_error_is_a_value_error() -> None:
    """Callers that catch ValueError also catch feed problems."""
    assert issubclass(FeedError, ValueError)
    assert issubclass(FeedTooLargeError, FeedError)


def test_deeply_nested_feed_does_not_crash() -> None:
    """Pathological nesting ends in a (possibly empty) feed or FeedError, nothing else."""
    body = b"<rss><channel>" + b"<x>" * 50000 + b"</x>" * 50000 + b"</channel></rss>"
    try:
        feed = parse_feed(body, "https://a.example/feed")
    except FeedError:
        return
    assert feed.entries == []


def test_gzip_bomb_stops_at_the_cap() -> None:
    """A small gzip that inflates past the cap raises FeedTooLargeError, not MemoryError."""
    bomb = gzip.compress(b"\0" * (4 * 1024 * 1024))
    with pytest.raises(FeedTooLargeError):
        gunzip(bomb, max_bytes=1024 * 1024)
    with pytest.raises(FeedTooLargeError):
        parse_feed(bomb, "https://a.example/sitemap.xml.gz", max_bytes=1024 * 1024)


def test_default_cap_is_fifty_megabytes() -> None:
    """Without an explicit limit, 51 MB of inflated output is refused."""
    assert MAX_FEED_BYTES == 50 * 1024 * 1024
    bomb = zlib.compress(b"\0" * (51 * 1024 * 1024), 9)
    with pytest.raises(FeedTooLargeError):
        gunzip(bomb)


def test_uncompressed_body_over_cap_is_refused() -> None:
    """A plain body larger than the cap is refused before parsing."""
    with pytest.raises(FeedTooLargeError):
        parse_feed(b"<rss>" + b" " * 2048 + b"</rss>", "https://a.example/f", max_bytes=1024)


def test_gunzip_handles_concatenated_members() -> None:
    """Two gzip members back to back inflate to both payloads."""
    assert gunzip(gzip.compress(b"first ") + gzip.compress(b"second")) == b"first second"


def test_robots_sitemaps() -> None:
    """Sitemap lines are found in any case, comments dropped, repeats removed, order kept."""
    robots = (
        "User-agent: *\nDisallow: /search\n"
        "Sitemap: https://meridianpost.example/sitemap_index.xml\n"
        "sitemap:https://meridianpost.example/news-sitemap.xml # news only\n"
        "# Sitemap: https://meridianpost.example/commented-out.xml\n"
        "SITEMAP: https://meridianpost.example/sitemap_index.xml\n"
        "Sitemap: /relative-sitemap.xml\n"
    )
    assert robots_sitemaps(robots) == [
        "https://meridianpost.example/sitemap_index.xml",
        "https://meridianpost.example/news-sitemap.xml",
    ]
    assert robots_sitemaps(robots, "https://meridianpost.example/robots.txt")[-1] == (
        "https://meridianpost.example/relative-sitemap.xml"
    )


def test_bare_ampersand_in_rss_link_keeps_the_whole_url() -> None:
    """A feed with bare `&` in links and titles is read whole: queries, titles, dates intact."""
    feed = _parse("bare_ampersand.xml")
    assert feed.kind == "rss"
    assert feed.title == "Meridian Post & Friends"
    assert [entry.url for entry in feed.entries] == [
        "https://meridianpost.example/story?id=101&ref=rss&section=food",
        "https://meridianpost.example/story?id=102&section=politics",
        "https://meridianpost.example/story?id=103&section=local",
    ]
    first, second, _ = feed.entries
    assert first.title == "Fish & chips shop wins award"
    assert first.summary == "The best in town."
    assert first.published == datetime(2024, 5, 20, 12, tzinfo=timezone(timedelta(hours=2)))
    assert second.title == "Council & mayor agree budget"
    assert second.summary == "Rates rise by 2% & services stay"


def test_bare_ampersand_in_atom_href_keeps_the_whole_url() -> None:
    """An Atom entry whose relative href holds a bare `&` resolves to the full URL."""
    feed = _parse("bare_ampersand_atom.xml")
    assert feed.kind == "atom"
    [entry] = feed.entries
    assert entry.url == "https://meridianpost.example/news?id=7&lang=en"
    assert entry.title == "Harbour & docks reopen"
    offset = timezone(timedelta(hours=2))
    assert entry.published == datetime(2024, 5, 20, 8, tzinfo=offset)
    assert entry.updated == datetime(2024, 5, 21, 10, tzinfo=offset)


def test_well_formed_feed_is_read_by_lxml_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lenient second reading is only for feeds lxml had to recover."""

    def refuse(body: bytes) -> None:
        raise AssertionError("feedparser used on a well-formed feed")

    monkeypatch.setattr("workers.extract.feeds.loose_feed", refuse)
    assert len(_parse("rss.xml").entries) >= 2
    assert len(_parse("atom.xml").entries) >= 2


def test_broken_feed_declaring_entities_is_not_read_leniently() -> None:
    """A broken feed that hides an entity declaration gets no lenient second reading."""
    body = (
        b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>T</title>'
        b"<item><title>A & B</title><link>https://news.example/a?x=1&y=2</link></item>"
        b'<!DOCTYPE x [<!ENTITY boom "boom">]><item><title>&boom;</title></item>'
        b"</channel></rss>"
    )
    try:
        feed = parse_feed(body, "https://news.example/feed")
    except FeedError:
        return
    assert all("boom" not in (entry.title or "") for entry in feed.entries)
    assert all(entry.url != "https://news.example/a?x=1&y=2" for entry in feed.entries)
