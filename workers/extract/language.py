"""Language codes: html lang, og:locale and inLanguage values to ISO 639-1; or from the text.

A page that declares no language gets the one py3langid identifies in its text (its model
ships inside the wheel and is loaded once per process, on first use).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

# Below this many letters the identifier guesses, so the language stays unknown.
MIN_DETECT_LETTERS = 200
# The identifier reads at most this much of the text: a few paragraphs settle it.
MAX_DETECT_CHARS = 3000
# py3langid's normalised probability below which its answer is not taken.
MIN_DETECT_CONFIDENCE = 0.9

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


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the language the text is written in; None when unsure or too short."""
    sample = text[:MAX_DETECT_CHARS]
    if sum(1 for char in sample if char.isalpha()) < MIN_DETECT_LETTERS:
        return None
    code, confidence = _identifier().classify(sample)
    if confidence < MIN_DETECT_CONFIDENCE:
        return None
    return normalise_language(str(code))


@cache
def _identifier() -> Any:
    # Imported here: loading the model takes about a second, paid only by a process that
    # meets a page with no declared language.
    from py3langid.langid import (  # type: ignore[import-untyped]  # noqa: PLC0415  (no stubs)
        MODEL_FILE,
        LanguageIdentifier,
    )

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
