"""URL normalisation, ids and domain scope."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from workers.urls import in_domains, normalize_url, url_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM:80/a/./b/../c", "http://example.com/a/c"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://example.com/p?utm_source=x&b=2&a=1#frag", "https://example.com/p?a=1&b=2"),
        ("https://example.com/p?fbclid=abc", "https://example.com/p"),
        ("https://example.com/dir/", "https://example.com/dir/"),
        ("https://bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
        ("https://example.com/a%20b", "https://example.com/a%20b"),
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("https://example.com/%7Euser/", "https://example.com/~user/"),
        ("https://Example.com./x", "https://example.com/x"),
        ("https://user:secret@example.com/x", "https://example.com/x"),
        ("http://[::1]:80/x", "http://[::1]/x"),
        ("https://example.com/p?b=&a", "https://example.com/p?a=&b="),
        ("https://example.com/p?UTM_Source=x&pk_campaign=y&id=7", "https://example.com/p?id=7"),
        ("https://example.com/p?q=caf\u00e9", "https://example.com/p?q=caf%C3%A9"),
    ],
)
def test_normalize_url_gives_one_spelling(raw: str, expected: str) -> None:
    """Spellings of one page normalise to the same URL."""
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/search?q=a%26b",
        "https://example.com/100%25-sure",
        "https://example.com/a%2Fb",
        "https://example.com/a%2Fb?next=%2Fhome%3Fx%3D1",
        "https://example.com/p?a=1&a=2",
    ],
)
def test_escapes_that_change_meaning_round_trip(url: str) -> None:
    """An escaped `&` in a query, `%` or `/` in a path stays escaped: it is another URL."""
    assert normalize_url(url) == url
    assert normalize_url(normalize_url(url) or "") == url


def test_escaped_and_plain_slash_stay_different_pages() -> None:
    """`/a%2Fb` and `/a/b` are two resources, so they get two ids."""
    assert url_id("https://example.com/a%2Fb") != url_id("https://example.com/a/b")


@pytest.mark.parametrize(
    "raw", ["", "   ", "mailto:a@b.c", "javascript:void(0)", "ftp://x/y", "http://", "http://[::1"]
)
def test_normalize_url_rejects_non_web_urls(raw: str) -> None:
    """Anything that is not an absolute http(s) URL yields None."""
    assert normalize_url(raw) is None


def test_normalize_url_resolves_against_base() -> None:
    """Relative links resolve against the page they appear on."""
    assert normalize_url("../b?x=1", base="https://e.com/a/c/d") == "https://e.com/a/b?x=1"


def test_same_relative_link_on_two_pages_resolves_per_page() -> None:
    """The same href on pages of two sites (or two folders) gives each page's own target,
    however often it was normalised before."""
    for _ in range(3):
        assert normalize_url("story?id=1", base="https://a.example/x/") == (
            "https://a.example/x/story?id=1"
        )
        assert normalize_url("story?id=1", base="https://b.example/y/z") == (
            "https://b.example/y/story?id=1"
        )


@pytest.mark.parametrize(
    "base",
    ["https://E.com:443/a/b?q=1#f", "http://u@e.com:8080/", "HTTP://e.com", "https://e.com/a/"],
)
@pytest.mark.parametrize(
    "href",
    ["/", "/x/y?b=2&a=1#top", "/a/../b", "/./c", "/%7Euser/x", "/q?u=/./v", "/\\evil.example/",
     "//other.example/p", "/a\tb", "/ä?x=ü"],
)  # fmt: skip
def test_rooted_links_resolve_as_urljoin_resolves_them(base: str, href: str) -> None:
    """A link from the site root resolves (by the short path for plain ones) exactly as
    urljoin resolves it, dot segments, scheme-relative and odd characters included."""
    assert normalize_url(href, base=base) == normalize_url(urljoin(base, href))


def test_url_id_is_stable_across_spellings() -> None:
    """The document id ignores fragments, tracking parameters and case of the host."""
    assert url_id("https://E.com/a?utm_medium=x#top") == url_id("https://e.com/a")
    assert url_id("https://e.com/a") != url_id("https://e.com/b")


def test_in_domains_accepts_subdomains_only() -> None:
    """A domain covers its subdomains, not look-alike hosts."""
    assert in_domains("https://www.news.example/a", ["news.example"])
    assert in_domains("https://news.example/a", ["news.example"])
    assert not in_domains("https://badnews.example/a", ["news.example"])
    assert not in_domains("https://news.example.evil.test/", ["news.example"])


def test_malformed_href_against_a_base_is_none() -> None:
    """A broken link on a page (unclosed IPv6 bracket, bad port) yields None, never raises."""
    assert normalize_url("http://[::1", base="https://e.com/") is None
    assert normalize_url("//e.com:99999/x", base="https://e.com/") is None
