"""Bytes to text for HTML pages: BOM, HTTP charset, <meta> charset, UTF-8, then detection."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# How much of the page is searched for a <meta> charset declaration.
META_SCAN_BYTES = 8192
# A page that fails strict UTF-8 is still read as UTF-8 (with replacement) when it holds at
# least this many well-formed non-ASCII characters and its bad bytes are one, or at most this
# share of them: one stray byte in a UTF-8 page should not turn every accent into mojibake.
MOSTLY_UTF8_MIN_CHARS = 20
MOSTLY_UTF8_MAX_BAD = 0.02
# How much of an undeclared, non-UTF-8 body charset-normalizer reads to name its encoding
# (the whole body is then decoded with it), from a little before its first non-ASCII byte:
# pages open with tens of KB of ASCII scripts and styles that say nothing of the charset.
# 64 KB hold thousands of characters of text; reading more costs time, not accuracy.
DETECT_SCAN_BYTES = 65536
DETECT_LEAD_BYTES = 1024
# Fewer non-ASCII bytes than this and detection is a guess (a Western page with a few curly
# quotes reads as well in Big5 or Shift-JIS): cp1252 is taken. A page in Cyrillic or CJK
# script has thousands of them; the shortest fixture of test_encoding.py has over a hundred.
DETECT_MIN_NON_ASCII = 64
# charset-normalizer scores each candidate by "chaos" (mess in the decoded text) and
# "coherence" (how well its letters fit a language). Candidates within these margins of the
# best read the bytes about equally well; cp1252, the web's default legacy encoding, wins
# such ties, so short Western texts do not turn into cp1250 or Mac Latin-2 (margins set on
# the fixtures of tests/unit/test_encoding.py).
DETECT_CHAOS_TIE = 0.01
DETECT_COHERENCE_TIE = 0.1
# No BOM and ASCII markup found: the bytes cannot be UTF-16 or UTF-32, whatever fits them.
_WIDE = ("utf-16", "utf-32")
_NON_ASCII = re.compile(rb"[\x80-\xff]")

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels browsers read differently from Python (WHATWG Encoding Standard): latin-1 and ASCII
# mean windows-1252, legacy CJK names mean their Microsoft supersets.
_ALIASES = {
    **dict.fromkeys(
        (
            "ascii",
            "us-ascii",
            "ansi_x3.4-1968",
            "iso-8859-1",
            "iso8859-1",
            "iso_8859-1",
            "iso88591",
            "latin1",
            "latin-1",
            "l1",
            "cp819",
            "ibm819",
            "iso-ir-100",
            "csisolatin1",
            "x-cp1252",
            "windows-1252",
        ),
        "cp1252",
    ),
    **dict.fromkeys(("iso-8859-9", "iso8859-9", "latin5", "l5", "iso-ir-148"), "cp1254"),
    **dict.fromkeys(("iso-8859-11", "tis-620", "windows-874", "dos-874"), "cp874"),
    **dict.fromkeys(
        ("gb2312", "gbk", "x-gbk", "chinese", "csgb2312", "iso-ir-58", "gb_2312-80", "euc-cn"),
        "gb18030",
    ),
    **dict.fromkeys(
        ("euc-kr", "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "korean", "windows-949"),
        "cp949",
    ),
    **dict.fromkeys(
        ("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j"),
        "cp932",
    ),
    **dict.fromkeys(("big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"), "big5hkscs"),
}
# Never decode with these, whatever a page says: escape codecs and UTF-7 (a known XSS vector).
_REFUSED = frozenset(
    {"utf-7", "unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"}
)
# A <meta> in the page that claims UTF-16 was read by an ASCII-compatible scan, so it is wrong.
_META_UTF16 = frozenset({"utf-16", "utf-16-le", "utf-16-be"})

_HEADER_CHARSET = re.compile(rb"charset\s*=\s*[\"']?\s*([-\w.:]+)", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([-\w.:]+)",
    re.IGNORECASE,
)


def decode_html(body: bytes, content_type: str | None) -> str:
    """Decode an HTML response body to text.

    Tries, strictly and in order: the byte-order mark, the Content-Type header's charset,
    a <meta> charset in the first few KB, UTF-8. Declared charsets that are unknown or do
    not fit the bytes fall through. A page that is UTF-8 but for a few stray bytes is read
    as UTF-8 with replacement. Anything else is an undeclared legacy encoding (cp1251, GBK,
    Shift-JIS...): charset-normalizer names it, and cp1252 is the guess when it cannot.
    """
    if not body:
        return ""
    for mark, bom_codec in _BOMS:
        if body.startswith(mark):
            text = _strict(body[len(mark) :], bom_codec)
            if text is not None:
                return text
            break
    tried: set[str] = set()
    for codec in (_header_codec(content_type), _meta_codec(body), "utf-8"):
        if codec is None or codec in tried:
            continue
        tried.add(codec)
        text = _strict(body, codec)
        if text is not None:
            return text
    loose = body.decode("utf-8", errors="replace")
    if _mostly_utf8(loose):
        return loose
    text = _detected(body)
    if text is None:
        text = _strict(body, "cp1252")
    return loose if text is None else text


def _detected(body: bytes) -> str | None:
    """The body decoded with the encoding charset-normalizer finds in it.

    None when it finds none, when the bytes are too nearly ASCII to tell, or when cp1252
    reads them as well as its best candidate.
    """
    first = _NON_ASCII.search(body)
    start = max(0, first.start() - DETECT_LEAD_BYTES) if first else 0
    sample = body[start : start + DETECT_SCAN_BYTES]
    if len(_NON_ASCII.findall(sample)) < DETECT_MIN_NON_ASCII:
        return None
    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        return None
    for match in matches:
        tied = (
            match.chaos <= best.chaos + DETECT_CHAOS_TIE
            and match.coherence >= best.coherence - DETECT_COHERENCE_TIE
        )
        if tied and "cp1252" in match.could_be_from_charset:
            return None
    codec = _codec(best.encoding)
    if codec is None or codec.startswith(_WIDE):
        return None
    # The scan may have cut a multibyte character, or the page may hold a stray byte
    # past the part that was read: keep the text, mark the bad bytes.
    return body.decode(codec, errors="replace")


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeError, LookupError):
        return None


def _codec(label: bytes | str) -> str | None:
    """Python codec name for a charset label, or None when unknown or refused."""
    if isinstance(label, bytes):
        label = label.decode("ascii", errors="replace")
    label = label.strip().strip("\"'").lower()
    if not label:
        return None
    label = _ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if info.name in _REFUSED or not getattr(info, "_is_text_encoding", True):
        return None
    # Python's own names ("latin_1", "shift_jis") follow the same browser rules as labels.
    name: str = info.name
    return _ALIASES.get(name, _ALIASES.get(name.replace("_", "-"), name))


def _header_codec(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type.encode("latin-1", errors="replace"))
    return _codec(match.group(1)) if match else None


def _meta_codec(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:META_SCAN_BYTES])
    if not match:
        return None
    codec = _codec(match.group(1))
    return "utf-8" if codec in _META_UTF16 else codec


def _mostly_utf8(text: str) -> bool:
    bad = text.count("\ufffd")
    if not bad:
        return True
    good = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    return good >= MOSTLY_UTF8_MIN_CHARS and bad <= max(1.0, MOSTLY_UTF8_MAX_BAD * good)
