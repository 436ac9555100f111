"""Charset detection for HTML bodies: BOMs, header and meta declarations, fallbacks."""

from __future__ import annotations

import time

import pytest

from workers.extract.encoding import decode_html

PAGE = "<html><head>{meta}</head><body><p>{text}</p></body></html>"


def _page(text: str, meta: str = "") -> str:
    return PAGE.format(meta=meta, text=text)


def test_empty_body_is_empty_text() -> None:
    """No bytes decode to the empty string."""
    assert decode_html(b"", "text/html; charset=utf-8") == ""


@pytest.mark.parametrize(
    ("codec", "bom"),
    [
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-32-le", b"\xff\xfe\x00\x00"),
        ("utf-32-be", b"\x00\x00\xfe\xff"),
    ],
)
def test_byte_order_mark_wins_and_is_stripped(codec: str, bom: bytes) -> None:
    """A BOM decides the encoding over a contradicting header, and is not in the text."""
    html = _page("Grüße \u2013 ünïcödé")
    body = bom + html.encode(codec)
    assert decode_html(body, "text/html; charset=iso-8859-1") == html


def test_header_charset_is_used() -> None:
    """The Content-Type charset decodes a page that declares nothing itself."""
    html = _page("Привет, мир")
    assert decode_html(html.encode("windows-1251"), "text/html; charset=windows-1251") == html


def test_quoted_header_charset_is_understood() -> None:
    """charset="..." with quotes and odd case is read like the bare form."""
    html = _page("中文新闻")
    assert decode_html(html.encode("gb2312"), 'text/html; Charset="GB2312"') == html


def test_meta_charset_is_used_without_header() -> None:
    """<meta charset> in the head decides when the header says nothing."""
    html = _page("한국어 뉴스", '<meta charset="euc-kr">')
    assert decode_html(html.encode("euc-kr"), "text/html") == html


def test_meta_http_equiv_content_type_is_used() -> None:
    """<meta http-equiv="Content-Type" content="...; charset=..."> is read too."""
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
    html = _page("日本語の記事です", meta)
    assert decode_html(html.encode("shift_jis"), None) == html


def test_shift_jis_label_decodes_microsoft_extensions() -> None:
    """Shift_JIS pages may use Windows-31J characters such as circled digits."""
    html = _page("①②③ 記事", '<meta charset="shift_jis">')
    assert decode_html(html.encode("cp932"), None) == html


def test_iso_8859_1_is_read_as_windows_1252() -> None:
    """Per WHATWG, latin-1 labels mean cp1252, so 0x80 is the euro sign, not a C1 control."""
    html = _page("Preis: 5 € \u2013 \u201cbillig\u201d", '<meta charset="iso-8859-1">')
    assert decode_html(html.encode("cp1252"), None) == html


def test_wrong_header_charset_falls_through_to_meta() -> None:
    """A header charset that cannot decode the bytes gives way to the meta declaration."""
    html = _page("Ελληνικά νέα", '<meta charset="iso-8859-7">')
    body = html.encode("iso-8859-7")
    assert decode_html(body, "text/html; charset=utf-8") == html


def test_unknown_charset_name_falls_through() -> None:
    """A made-up charset label is ignored and UTF-8 is tried next."""
    html = _page("naïve café")
    assert decode_html(html.encode("utf-8"), "text/html; charset=x-no-such-charset") == html


def test_undeclared_utf8_is_detected() -> None:
    """With no declaration at all, valid UTF-8 is read as UTF-8."""
    html = _page("Zoë\u2019s café in Kraków")
    assert decode_html(html.encode("utf-8"), None) == html


def test_undeclared_latin_text_falls_back_to_cp1252() -> None:
    """Bytes that are not UTF-8 and carry no declaration are read as cp1252."""
    html = _page("Café au lait à 3 €")
    assert decode_html(html.encode("cp1252"), None) == html


def test_declared_utf8_that_is_really_cp1252_falls_through() -> None:
    """A page labelled UTF-8 whose bytes are cp1252 is decoded as cp1252."""
    html = _page("Señor Muñoz \u2013 \u201cseñal\u201d")
    assert decode_html(html.encode("cp1252"), "text/html; charset=UTF-8") == html


def test_stray_byte_in_utf8_page_keeps_utf8() -> None:
    """One bad byte in a long UTF-8 page is replaced; the rest stays correct UTF-8."""
    text = "Grüße aus Köln und Düsseldorf, schöne Größe, " * 3
    body = text.encode("utf-8") + b"\xff" + b"Ende"
    decoded = decode_html(body, "text/html; charset=utf-8")
    assert decoded.startswith(text)
    assert decoded.endswith("\ufffdEnde")


def test_meta_utf16_label_means_utf8() -> None:
    """A <meta> found by an ASCII scan cannot be right about UTF-16: UTF-8 is used instead."""
    html = _page("déjà vu", '<meta charset="utf-16">')
    assert decode_html(html.encode("utf-8"), None) == html


def test_utf7_is_refused() -> None:
    """UTF-7 is never used, so "+ADw-" stays literal rather than turning into "<"."""
    assert decode_html(b"+ADw-script+AD4-", "text/html; charset=utf-7") == "+ADw-script+AD4-"


def test_escape_codecs_are_refused() -> None:
    """A page cannot ask for Python's unicode_escape and get backslashes interpreted."""
    body = b"<p>\\u003cscript\\u003e</p>"
    assert decode_html(body, "text/html; charset=unicode_escape") == body.decode("ascii")


def test_undecodable_bytes_end_in_utf8_with_replacement() -> None:
    """Bytes no candidate can decode come back as UTF-8 with replacement characters."""
    decoded = decode_html(b"\x81\x8d\x8f\x90\x9d\xff", "text/html; charset=utf-8")
    assert decoded.count("\ufffd") == 6


def test_meta_beyond_scan_window_is_ignored() -> None:
    """A charset declared far down the page is not trusted; cp1252 fallback applies."""
    filler = "<!--" + "x" * 20000 + "-->"
    html = f"<html><head>{filler}<meta charset='koi8-r'></head><body>Müller</body></html>"
    assert decode_html(html.encode("cp1252"), None) == html


def test_large_page_decodes_quickly() -> None:
    """A 2 MB page with a misleading header decodes in well under a second."""
    body = ("<p>Ærlig talt \u2013 søndag på øen</p>" * 60000).encode("cp1252")
    start = time.perf_counter()
    decoded = decode_html(body, "text/html; charset=utf-8")
    assert time.perf_counter() - start < 1.0
    assert decoded.startswith("<p>Ærlig talt")


@pytest.mark.parametrize(
    ("codec", "text"),
    [
        (
            "cp1251",
            "Правительство объявило сегодня о новых мерах поддержки экономики, которые "
            "вступят в силу с первого января следующего года. Министр финансов заявил, "
            "что бюджет выдержит дополнительные расходы.",
        ),
        (
            "gbk",
            "国务院今天宣布了一系列支持经济发展的新措施，这些措施将于明年一月一日起生效。"
            "财政部长表示，预算能够承受额外的支出。",
        ),
        (
            "shift_jis",
            "政府は本日、来年一月一日から施行される経済支援の新たな措置を発表しました。"
            "財務大臣は、予算は追加の支出に耐えられると述べました。",
        ),
    ],
)
def test_undeclared_legacy_encoding_is_detected(codec: str, text: str) -> None:
    """A page in cp1251, GBK or Shift-JIS that declares no charset decodes to its own text."""
    html = _page(text).replace("<head>", "<head><title>Новости · 新闻 · ニュース</title>")
    body = html.encode(codec, errors="ignore")
    assert decode_html(body, "text/html") == body.decode(codec)
    assert decode_html(body, None) == body.decode(codec)
