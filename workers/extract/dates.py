"""Date parsing for structured values (ISO 8601, RFC 2822, epochs) and printed datelines."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from dateutil import parser as dateutil_parser

_MIN_YEAR = 1990
_MAX_YEAR = 2100

_HOUR = 3600
# Zone abbreviations printed on news pages, as UTC offsets in seconds.
_TZ_NAMES: dict[str, int] = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "BST": _HOUR,
    "CET": _HOUR,
    "MEZ": _HOUR,
    "WAT": _HOUR,
    "CEST": 2 * _HOUR,
    "MESZ": 2 * _HOUR,
    "EET": 2 * _HOUR,
    "SAST": 2 * _HOUR,
    "CAT": 2 * _HOUR,
    "EEST": 3 * _HOUR,
    "EAT": 3 * _HOUR,
    "MSK": 3 * _HOUR,
    "IST": 5 * _HOUR + 1800,
    "PKT": 5 * _HOUR,
    "WIB": 7 * _HOUR,
    "ICT": 7 * _HOUR,
    "HKT": 8 * _HOUR,
    "SGT": 8 * _HOUR,
    "AWST": 8 * _HOUR,
    "JST": 9 * _HOUR,
    "KST": 9 * _HOUR,
    "AEST": 10 * _HOUR,
    "AEDT": 11 * _HOUR,
    "NZST": 12 * _HOUR,
    "NZDT": 13 * _HOUR,
    "EST": -5 * _HOUR,
    "EDT": -4 * _HOUR,
    "CST": -6 * _HOUR,
    "CDT": -5 * _HOUR,
    "MST": -7 * _HOUR,
    "MDT": -6 * _HOUR,
    "PST": -8 * _HOUR,
    "PDT": -7 * _HOUR,
    "AST": -4 * _HOUR,
    "ADT": -3 * _HOUR,
}

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan janvier janv januar jänner jän enero ene gennaio gen janeiro januari "
        "januar tammikuu styczeń stycznia январь января ocak ianuarie leden ledna",
        "february feb février févr fevrier februar feber febrero febbraio fevereiro fev "
        "februari helmikuu luty lutego февраль февраля şubat februarie únor února",
        "march mar mars märz maerz marzo março marco maart maaliskuu marzec marca март марта "
        "mart martie březen března",
        "april apr avril abril aprile abr huhtikuu kwiecień kwietnia апрель апреля nisan "
        "aprilie duben dubna",
        "may mai mayo maggio maio mei toukokuu maj maja май мая mayıs květen května",
        "june jun juin juni junio giugno junho kesäkuu czerwiec czerwca июнь июня haziran "
        "iunie červen června",
        "july jul juillet juli julio luglio julho heinäkuu lipiec lipca июль июля temmuz "
        "iulie červenec července",
        "august aug août aout agosto ago augustus elokuu sierpień sierpnia август августа "
        "ağustos srpen srpna",
        "september sep sept septembre septiembre settembre set setembro syyskuu wrzesień "
        "września сентябрь сентября eylül septembrie září",
        "october oct octobre octubre ottobre ott outubro out oktober okt lokakuu październik "
        "października октябрь октября ekim octombrie říjen října",
        "november nov novembre noviembre novembro marraskuu listopad listopada ноябрь ноября "
        "kasım noiembrie",
        "december dec décembre decembre dez dezember diciembre dic dicembre dezembro "
        "desember joulukuu grudzień grudnia декабрь декабря aralık decembrie prosinec "
        "prosince",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS.setdefault(_name, _number)

_MONTH_ALT = "|".join(sorted((re.escape(name) for name in _MONTHS), key=len, reverse=True))
_TIME = (
    r"(?:[,\s]+(?:um\s+|à\s+|at\s+|a las\s+|alle\s+|kl\.?\s*)?"
    r"(\d{1,2})[:.h](\d{2})(?:[:.](\d{2}))?)?"
)
_NUMERIC_YMD = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)" + _TIME)
_NUMERIC_DMY = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?!\d)" + _TIME)
_CJK = re.compile(
    r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]"
    r"(?:[^\d]{0,12}?(\d{1,2})\s*[:時시]\s*(\d{1,2}))?"
)
_DAY_MONTH_YEAR = re.compile(
    r"(?<!\d)(\d{1,2})(?:\.|er|st|nd|rd|th|º)?\s+(?:de\s+)?(" + _MONTH_ALT + r")\.?,?\s+(?:de\s+)?"
    r"(\d{4})(?!\d)" + _TIME,
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    # A month name starts a word, or a capitalised run glued to the word before it
    # ("Mental HealthDECEMBER 22, 2022": spans the page sets side by side).
    r"(?:\b|(?-i:(?<=[a-z])(?=[A-Z]{3})))(" + _MONTH_ALT + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(\d{4})(?!\d)" + _TIME,
    re.IGNORECASE,
)
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A parsed instant; `assumed_utc` when the source gave no offset and UTC was assumed."""

    value: datetime
    assumed_utc: bool


def parse_structured(raw: str) -> ParsedDate | None:
    """Parse a machine-readable date (ISO 8601, RFC 2822, epoch seconds or milliseconds)."""
    text = raw.strip()
    if not text or len(text) > 64:
        return None
    if _EPOCH.match(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        try:
            return _checked(datetime.fromtimestamp(seconds, tz=UTC))
        except (OverflowError, OSError, ValueError):
            return None
    candidate = text.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", text) else text
    try:
        return _checked(datetime.fromisoformat(candidate))
    except ValueError:
        pass
    return _parse_with_dateutil(text)


def parse_printed(text: str) -> ParsedDate | None:
    """Find and parse the first date printed in a dateline such as '28. April 2024, 15:19 Uhr'."""
    if not text:
        return None
    sample = text[:300]
    best: tuple[int, ParsedDate] | None = None
    for pattern, order in (
        (_NUMERIC_YMD, "ymd"),
        (_CJK, "ymd"),
        (_DAY_MONTH_YEAR, "dMy"),
        (_MONTH_DAY_YEAR, "Mdy"),
        (_NUMERIC_DMY, "dmy"),
    ):
        match = pattern.search(sample)
        if match is None:
            continue
        parsed = _from_match(match, order, sample)
        if parsed is not None and (best is None or match.start() < best[0]):
            best = (match.start(), parsed)
    return best[1] if best else None


def _from_match(match: re.Match[str], order: str, text: str) -> ParsedDate | None:
    groups = match.groups()
    try:
        if order == "ymd":
            year, month, day = int(groups[0]), int(groups[1]), int(groups[2])
        elif order == "dmy":
            day, month, year = int(groups[0]), int(groups[1]), int(groups[2])
        elif order == "dMy":
            day, month, year = int(groups[0]), _MONTHS[groups[1].lower()], int(groups[2])
        else:
            month, day, year = _MONTHS[groups[0].lower()], int(groups[1]), int(groups[2])
    except (KeyError, ValueError):
        return None
    hour = minute = second = 0
    if len(groups) > 3 and groups[3] is not None and groups[4] is not None:
        hour, minute = int(groups[3]), int(groups[4])
        if len(groups) > 5 and groups[5] is not None:
            second = int(groups[5])
        if ("pm" in text[match.end() : match.end() + 4].lower()) and hour < 12:
            hour += 12
    try:
        naive = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    zone = _zone_after(text, match.end())
    if zone is not None:
        return _checked(naive.replace(tzinfo=zone))
    return _checked(naive)


_ZONE_AFTER = re.compile(r"\s*(?:[ap]\.?m\.?\s*)?\(?([A-Z]{1,5})\b|\s*([+-]\d{2}):?(\d{2})\b")


def _zone_after(text: str, position: int) -> timezone | None:
    match = _ZONE_AFTER.match(text, position)
    if match is None:
        return None
    if match.group(1):
        offset = _TZ_NAMES.get(match.group(1))
        return None if offset is None else timezone(timedelta(seconds=offset))
    sign = -1 if match.group(2).startswith("-") else 1
    hours = abs(int(match.group(2)))
    return timezone(sign * timedelta(hours=hours, minutes=int(match.group(3))))


def _parse_with_dateutil(text: str) -> ParsedDate | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = dateutil_parser.parse(text, tzinfos=_TZ_NAMES)
    except (ValueError, OverflowError, TypeError, dateutil_parser.ParserError):
        return None
    return _checked(value)


def _checked(value: datetime) -> ParsedDate | None:
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        return ParsedDate(value.replace(tzinfo=UTC), assumed_utc=True)
    return ParsedDate(value, assumed_utc=False)
