"""Plain-text helpers shared by the extraction modules: whitespace, comparison keys, counts."""

from __future__ import annotations

import re
import unicodedata

_WORD_RE = re.compile(r"\w+")
# Scripts written without spaces between words: Han, Hiragana, Katakana, Thai and friends.
_DENSE_SCRIPT_RE = re.compile(
    "[\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff]"
)


def clean_space(text: str) -> str:
    """Collapse runs of whitespace to one space (other characters are kept as published)."""
    if not text:
        return ""
    return " ".join(text.split())


def fold(text: str) -> str:
    """Comparison key: case-folded, accents removed, punctuation and spacing ignored."""
    folded = text.casefold()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD_RE.findall(folded))


# In scripts written without spaces (Han, Kana, Thai...) this many characters make one word,
# and each character weighs this many Latin ones (a headline of 15 Han characters reads like
# one of 45 letters).
DENSE_CHARS_PER_WORD = 2
DENSE_CHAR_WEIGHT = 3


def word_count(text: str) -> int:
    """Words of a text; in scripts written without spaces two characters make one word.

    A word is a whitespace-separated token holding a letter or digit; Han, Kana, Thai and
    similar characters are counted apart, two to a word.
    """
    dense = len(_DENSE_SCRIPT_RE.findall(text))
    if dense:
        text = _DENSE_SCRIPT_RE.sub(" ", text)
    words = sum(1 for token in text.split() if _WORD_RE.search(token))
    return words + -(-dense // DENSE_CHARS_PER_WORD)


def text_weight(text: str) -> int:
    """Length of a text in Latin-equivalent characters: dense-script characters count thrice."""
    if text.isascii() or not _DENSE_SCRIPT_RE.search(text):
        return len(text)
    return len(text) + (DENSE_CHAR_WEIGHT - 1) * len(_DENSE_SCRIPT_RE.findall(text))


# Share of control or replacement characters above which decoded "HTML" is binary junk.
BINARY_RATIO = 0.05
# ...among this many characters at its start.
BINARY_SAMPLE_CHARS = 8192
# Control characters other than \t \n \v \f \r, DEL, and the replacement character.
_JUNK_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffd]")


def looks_binary(text: str, sample: int = BINARY_SAMPLE_CHARS) -> bool:
    """True when the start of a decoded body is mostly not text (an image, an archive)."""
    head = text[:sample]
    if not head:
        return False
    return len(_JUNK_CHARS.findall(head)) / len(head) > BINARY_RATIO


# Characters that take no room on screen: zero-width spaces and joiners, BOM, soft hyphen.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def clean_visible(text: str) -> str:
    """Text as shown: whitespace collapsed, zero-width characters and soft hyphens dropped."""
    return " ".join(text.translate(_INVISIBLE).split())


# Han, Kana and Hangul: headlines in these scripts are short in characters but full of words.
CJK_RE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\u3040-\u30ff\uf900-\ufaff]")
