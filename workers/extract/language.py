"""Language codes: normalise html lang, og:locale and inLanguage values to ISO 639-1."""

from __future__ import annotations

import re

_CODE = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]+)*$")
# ISO 639-2/3 codes and English names that pages put where a two-letter code belongs.
_ALIASES = {
    "ger": "de",
    "deu": "de",
    "eng": "en",
    "fre": "fr",
    "fra": "fr",
    "spa": "es",
    "ita": "it",
    "por": "pt",
    "nld": "nl",
    "dut": "nl",
    "swe": "sv",
    "nor": "no",
    "nob": "nb",
    "dan": "da",
    "fin": "fi",
    "pol": "pl",
    "rus": "ru",
    "ukr": "uk",
    "tur": "tr",
    "ara": "ar",
    "heb": "he",
    "hin": "hi",
    "jpn": "ja",
    "kor": "ko",
    "chi": "zh",
    "zho": "zh",
    "english": "en",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "français": "fr",
    "spanish": "es",
    "español": "es",
    "italian": "it",
    "portuguese": "pt",
    "dutch": "nl",
    "arabic": "ar",
    "hebrew": "he",
    "japanese": "ja",
    "korean": "ko",
    "chinese": "zh",
    "russian": "ru",
    "iw": "he",
    "in": "id",
    "ji": "yi",
}


def normalise_language(raw: str) -> str | None:
    """Two-letter ISO 639-1 code for a language tag such as 'en-GB', 'de_DE' or 'deu'."""
    value = raw.strip().lower()
    if not value:
        return None
    if value in _ALIASES:
        return _ALIASES[value]
    match = _CODE.match(value)
    if match is None:
        return None
    code = match.group(1)
    if len(code) == 3:
        return _ALIASES.get(code)
    return _ALIASES.get(code, code)
