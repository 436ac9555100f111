"""extract() never raises: empty, broken, binary, huge, deeply nested and non-Latin pages."""

from __future__ import annotations

import random
import sys
import time

import pytest

from workers.extract import PageExtraction, extract

URL = "https://robust.example/news/story"
_SENTENCES = (
    "The committee met on Thursday to review the budget, and members agreed to publish the full "
    "accounts before the end of the month so that residents can comment on them.",
    "Officials said the largest item was road maintenance, which has grown every year since the "
    "winter storms damaged bridges and culverts across the northern district.",
    "A public hearing is planned for the first week of next month in the town hall, and written "
    "submissions will be accepted by post and by email until the day before.",
    "Several members asked for clearer figures on the cost of the new library wing, saying the "
    "estimates presented in the spring no longer reflected current construction prices.",
)


def _paragraphs(count: int) -> str:
    """`count` distinct paragraphs of ordinary prose."""
    return "".join(
        f"<p>{_SENTENCES[n % len(_SENTENCES)]} (Part {n + 1}.)</p>" for n in range(count)
    )


def _article_page(body: str, lang: str = "en") -> str:
    head = "<head><title>T</title></head>"
    return f"<html lang='{lang}'>{head}<body><article>{body}</article></body></html>"


@pytest.mark.parametrize("html", ["", "   ", "\n\t  \r\n"])
def test_empty_or_blank_document_is_other_with_reason(html: str) -> None:
    """Empty and whitespace-only input is 'other' with the reason 'empty document'."""
    result = extract(html, URL)
    assert result.kind == "other"
    assert result.reason == "empty document"
    assert result.article is None


@pytest.mark.parametrize(
    "html",
    [
        "<html",
        "<<<>>>",
        "<div><p>Unclosed",
        "<!-- only a comment -->",
        "<html><body></body></html>",
    ],
)
def test_markup_without_text_is_other_with_reason(html: str) -> None:
    """Fragments without prose yield kind 'other' and say why."""
    result = extract(html, URL)
    assert result.kind == "other"
    assert result.reason


def test_truncated_article_still_yields_its_paragraphs() -> None:
    """A page cut off mid-tag keeps the paragraphs that arrived."""
    page = _article_page("<h1>Budget review</h1>" + _paragraphs(4))
    truncated = page[: page.rfind("<p>") + 40]
    result = extract(truncated, URL)
    assert result.kind == "article"
    assert result.article is not None
    assert "committee met on Thursday" in result.article.body


def test_binary_garbage_is_handled() -> None:
    """Random bytes decoded as Latin-1 are reported as binary content, not as an article."""
    rng = random.Random(7)
    garbage = bytes(rng.randrange(256) for _ in range(200_000)).decode("latin-1")
    result = extract(garbage, URL)
    assert isinstance(result, PageExtraction)
    assert result.kind == "other"
    assert result.reason is not None
    assert "binary" in result.reason
    assert result.article is None


def test_nul_bytes_inside_markup_are_handled() -> None:
    """NUL characters inside an otherwise normal page do not break extraction."""
    page = _article_page(
        "<h1>Budget\x00 review</h1>" + _paragraphs(3).replace("budget", "bud\x00get")
    )
    result = extract(page, URL)
    assert result.kind == "article"


def test_stale_meta_charset_does_not_redecode_the_text() -> None:
    """A page already decoded keeps its characters when its <meta charset> names another one."""
    body = _paragraphs(3).replace("committee", "comité") + "<p>Le café coûte 3 € à Zürich.</p>"
    page = _article_page(body).replace("<head>", '<head><meta charset="iso-8859-1">')
    result = extract(page, URL)
    assert result.kind == "article"
    assert result.article is not None
    assert "The comité met on Thursday" in result.article.body
    assert "Le café coûte 3 € à Zürich." in result.article.body
    assert "Ã" not in result.article.body


def test_lone_surrogate_in_the_text_is_replaced() -> None:
    """A lone surrogate (undecodable input passed through) becomes "?" and the page extracts."""
    page = _article_page("<h1>Budget review</h1>" + _paragraphs(3) + "<p>Broken \ud800 char.</p>")
    result = extract(page, URL)
    assert result.kind == "article"
    assert result.article is not None
    assert "committee met on Thursday" in result.article.body
    assert "Broken ? char." in result.article.body


def test_five_thousand_levels_of_nesting_do_not_recurse() -> None:
    """5000 nested elements are walked without hitting the recursion limit."""
    depth = 5000
    page = "<html><body>" + "<div>" * depth + _paragraphs(3) + "</div>" * depth + "</body></html>"
    assert depth > sys.getrecursionlimit()
    result = extract(page, URL)
    assert result.kind == "article"
    assert result.article is not None
    assert result.article.body.count("(Part ") == 3


def test_deep_nesting_of_inline_elements_is_handled() -> None:
    """Thousands of nested inline elements inside one paragraph stay one paragraph."""
    page = _article_page("<p>" + "<span>" * 3000 + "deep words " * 30 + "</span>" * 3000 + "</p>")
    result = extract(page, URL)
    assert isinstance(result, PageExtraction)


def test_deeply_nested_json_ld_is_ignored_safely() -> None:
    """JSON-LD nested beyond the parser's recursion limit is skipped, not fatal."""
    nested = "[" * 100_000 + "]" * 100_000
    page = (
        f"<html><head><script type='application/ld+json'>{nested}</script></head>"
        f"<body><article><h1>Budget review</h1>{_paragraphs(3)}</article></body></html>"
    )
    result = extract(page, URL)
    assert result.kind == "article"


def test_twenty_megabyte_page_is_extracted() -> None:
    """A 20 MB page (5 MB of markup, the rest inline script data) completes with its article."""
    filler = "<div class='promo'><a href='/x'>More stories from our network</a></div>" * 70_000
    script = "<script>window.__DATA__ = '" + "x" * 15_100_000 + "';</script>"
    article = "<h1>Budget review</h1>" + _paragraphs(20)
    page = f"<html><body><main><article>{article}</article></main>{filler}{script}</body></html>"
    assert len(page) >= 20_000_000
    started = time.perf_counter()
    result = extract(page, URL)
    assert time.perf_counter() - started < 120
    assert result.kind == "article"
    assert result.article is not None
    assert "More stories" not in result.article.body
    assert result.links == ["https://robust.example/x"]


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        (
            "ja",
            "東京都は木曜日、新しい公園の建設計画を発表し、二年後の完成を目指すと明らかにした。",
        ),
        ("zh", "市政府周四宣布了新的公园建设计划，预计两年后完工，并将向市民征求意见。"),
        (
            "ko",
            "서울시는 목요일 새로운 공원 건설 계획을 발표하고 이 년 뒤 완공을 목표로 한다.",
        ),
        ("ru", "Городские власти в четверг представили план строительства нового парка в центре."),
        ("hi", "नगर निगम ने गुरुवार को नए पार्क के निर्माण की योजना की घोषणा की और सुझाव मांगे।"),
        ("th", "กรุงเทพมหานครประกาศแผนสร้างสวนสาธารณะแห่งใหม่เมื่อวันพฤหัสบดีที่ผ่านมา"),
        ("he", "העירייה הציגה ביום חמישי תוכנית להקמת פארק חדש במרכז העיר ולשיפוץ הרחובות."),
    ],
)
def test_non_latin_scripts_are_extracted(lang: str, sentence: str) -> None:
    """Pages in other scripts (dense CJK/Thai, Cyrillic, Devanagari, Hebrew) give an article."""
    paragraphs = "".join(f"<p>{n}. {sentence * 3}</p>" for n in range(4))
    page = _article_page(f"<h1>{sentence[:12]}</h1>" + paragraphs, lang)
    result = extract(page, URL)
    assert result.kind == "article", result.reason
    assert result.article is not None
    assert sentence in result.article.body
    assert result.article.language == lang


def test_right_to_left_page_keeps_text_order() -> None:
    """An Arabic right-to-left page keeps its characters in logical order."""
    sentence = "أعلنت البلدية يوم الخميس عن خطة لإنشاء حديقة جديدة في وسط المدينة وتجديد الشوارع."
    page = (
        "<html lang='ar' dir='rtl'><body><article><h1>حديقة جديدة</h1>"
        + "".join(f"<p dir='rtl'>{sentence} {n}</p>" for n in range(4))
        + "</article></body></html>"
    )
    result = extract(page, URL)
    assert result.article is not None
    assert result.article.body.split("\n\n")[0] == f"{sentence} 0"
    assert result.article.language == "ar"


def test_page_with_only_navigation_is_other() -> None:
    """A page of links and no prose is not an article."""
    links = "".join(f"<li><a href='/section/{n}'>Section {n}</a></li>" for n in range(50))
    result = extract(f"<html><body><nav><ul>{links}</ul></nav></body></html>", URL)
    assert result.kind == "other"
    assert result.reason == "no main content"
    assert len(result.links) == 50


@pytest.mark.parametrize("url", ["", "not a url", "http://[::1", "ftp://files.example/x"])
def test_odd_page_urls_do_not_break_extraction(url: str) -> None:
    """Empty, relative, malformed and non-http page URLs still give an article."""
    page = _article_page("<h1>Budget review</h1><a href='/next'>Next</a>" + _paragraphs(4))
    result = extract(page, url)
    assert result.kind == "article"
    assert result.article is not None
    assert result.article.canonical_url == url
    assert "(Part 4.)" in result.article.body


def test_random_tag_soup_never_raises() -> None:
    """Thousands of random mixes of tags, entities, scripts and bad URLs never raise."""
    rng = random.Random(1)
    pieces = [
        "<html>",
        "</html>",
        "<body>",
        "<p>",
        "</p>",
        "<div class='share'>",
        "</div>",
        "<a href='/x'>",
        "</a>",
        "<script type='application/ld+json'>",
        '{"@type":"NewsArticle","headline":',
        '"x"}',
        "</script>",
        "<h1>",
        "</h1>",
        "words and more words, ",
        "\x00",
        "\ufffd",
        "&amp;",
        "&#x0;",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "<br>",
        "<img src='data:x'>",
        "<time datetime='2024-13-45'>",
        "</time>",
        "<li>",
        "<ul>",
        "<table><tr><td>",
        "<svg><a href='/y'>",
        "<title>",
        "</title>",
        "<base href='//'>",
        "<a href='http://[::1'>",
        "<a href='https://a b/c'>",
        "<meta name='author' content='https://x'>",
        "<link rel='canonical' href='http://[x'>",
    ]
    urls = ["https://ex.example/a", "", "http://[::1", "https://ex.example/a?b=c#d"]
    for _ in range(1500):
        html = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 60)))
        assert isinstance(extract(html, rng.choice(urls)), PageExtraction)


@pytest.mark.parametrize(
    "level", ["<div itemprop='headline'>", "<div><img src='/i.jpg'>", "<div><h1>H</h1>"]
)
def test_deep_nesting_with_per_level_markup_stays_linear(level: str) -> None:
    """Microdata, pictures or headings at each of 4000 levels do not make the work quadratic."""
    depth = 4000
    page = "<html><body>" + level * depth + _paragraphs(4) + "</div>" * depth + "</body></html>"
    started = time.perf_counter()
    result = extract(page, URL)
    assert time.perf_counter() - started < 5
    assert result.kind == "article"
