"""Author names: byline clean-up, splitting, role and agency recognition."""

from __future__ import annotations

import html
import re
import unicodedata

from workers.extract.text import clean_space

# Canonical agency name -> spellings seen in bylines and credit lines (compared case-folded).
AGENCIES: dict[str, tuple[str, ...]] = {
    "AP": ("ap", "associated press", "the associated press", "a.p."),
    "Reuters": ("reuters", "thomson reuters"),
    "AFP": ("afp", "agence france-presse", "agence france presse", "agence france press"),
    "dpa": ("dpa", "deutsche presse-agentur", "deutsche presse agentur", "dpa-afx"),
    "PTI": ("pti", "press trust of india"),
    "IANS": ("ians", "indo-asian news service"),
    "ANI": ("ani", "asian news international"),
    "UNI": ("uni", "united news of india"),
    "EFE": ("efe", "agencia efe"),
    "ANSA": ("ansa",),
    "Kyodo": ("kyodo", "kyodo news"),
    "Xinhua": ("xinhua", "xinhua news agency", "新华社"),
    "Yonhap": ("yonhap", "yonhap news agency", "연합뉴스"),
    "TASS": ("tass", "тасс", "итар-тасс"),
    "RIA Novosti": ("ria novosti", "риа новости"),
    "Interfax": ("interfax", "интерфакс"),
    "APA": ("apa", "austria presse agentur"),
    "KNA": ("kna",),
    "epd": ("epd",),
    "SID": ("sid", "sport-informations-dienst"),
    "AAP": ("aap", "australian associated press"),
    "The Canadian Press": ("the canadian press", "canadian press"),
    "PA": ("pa", "pa media", "press association", "pa wire"),
    "Bloomberg": ("bloomberg", "bloomberg news"),
    "UPI": ("upi", "united press international"),
    "Anadolu": ("anadolu", "anadolu agency", "anadolu ajansı"),
    "Europa Press": ("europa press",),
    "Lusa": ("lusa",),
    "Belga": ("belga",),
    "ANP": ("anp",),
    "NTB": ("ntb",),
    "TT": ("tt", "tt nyhetsbyrån"),
    "Ritzau": ("ritzau",),
    "dts": ("dts", "dts nachrichtenagentur"),
    "Bernama": ("bernama",),
    "Antara": ("antara",),
    "Keystone-SDA": ("sda", "keystone-sda"),
}
_AGENCY_BY_ALIAS = {alias: name for name, aliases in AGENCIES.items() for alias in aliases}


def _credit_spellings() -> list[str]:
    """How agencies are printed in credit lines: short names in capitals ("PA", not "pa")."""
    spellings: set[str] = set()
    for name, aliases in AGENCIES.items():
        spellings.update({name, name.upper()})
        for alias in aliases:
            if not alias.isascii():
                spellings.add(alias)
            elif len(alias) > 4:
                spellings.update({alias.title(), alias.upper(), alias.capitalize()})
    return sorted(spellings, key=len, reverse=True)


# Case-sensitive, so that "pa" or "ap" in running text of other languages is not a credit.
_AGENCY_PATTERN = "|".join(re.escape(spelling) for spelling in _credit_spellings())

_PREFIX = re.compile(
    r"^(?:(?:written|reported|reporting|story|text|words|photos?|edited)\s+by|by|from|von|vom|"
    r"par|por|door|av|af|ved|texto|text|autor(?:in|en)?|autore|authors?|auteur|auteure|"
    r"reportage|reporter|escrito por|publicado por|pubblicato da|geschrieben von|"
    r"eine analyse von|ein kommentar von|ein interview von|analyse von|kommentar von|"
    r"\u8d23\u7f16|\u8d23\u4efb\u7f16\u8f91|\u4f5c\u8005|\u8bb0\u8005|\u64b0\u7a3f|\u6587)"
    r"(?:\s*[:\-\u2013\u2014\uff1a/]\s*|\s+|$)",
    re.IGNORECASE,
)
# A "By" label set in its own element and glued to the name by the page text: "ByJane Doe".
_GLUED_BY = re.compile(r"^(?:Written\s+|Posted\s+)?By(?=[A-Z][a-z])")
# A role glued to the end of a name by the page text: "Jane DoeSenior Editor at Acme".
_GLUED_TAIL = re.compile(r"(?<=[a-z\u00df-\u00ff])(?=[A-Z][a-z])")
_LOWER_PREFIX = re.compile(r"^(?:di|de|da|dal|della|av|af|van)\s+(?=[A-Z\u00c0-\u024f])")
_ROLE_WORDS = re.compile(
    r"\b(?:correspondents?|editors?|reporters?|writers?|journalists?|staff|contributors?|"
    r"contributing|columnists?|analysts?|photographers?|producers?|anchors?|presenters?|"
    r"critic|intern|fellow|chief|senior|deputy|managing|bureau|desk|team|editorial|"
    r"redakteur(?:in)?|korrespondent(?:in)?|reporterin|autorin|journalistin|volontär(?:in)?|"
    r"mitarbeiter(?:in)?|rédacteur|rédactrice|journaliste|envoyée?|correspondante?|"
    r"corresponsal|redactora?|periodista|inviat[oa]|giornalista|redattore|"
    r"updated|published|posted|min read|minutes? read|read time|lesezeit|photo|photos|"
    r"video|illustration|graphics?|edited|follow|email|twitter|contact|more articles|"
    r"articles by|all articles|view profile|profile|opinion|guest|specialist|professor|"
    r"director|president|founder|ceo|head of|lead|manager|image|images|getty|credit)\b",
    re.IGNORECASE,
)
_ROLE_SUFFIX_CJK = re.compile(
    r"\s*(?:기자|특파원|논설위원|선임기자|記者|特派員|編集委員|論説委員|记者|通讯员)\s*$"
)
_IN_PLACE = re.compile(
    r"\s+(?:in|aus|en|à|em|from|reporting from)\s+[A-Z][\w\-'.]+(?:\s+[A-Z][\w\-'.]+)?\s*$"
)
_SPLIT = re.compile(
    r"\s*(?:[;|/,\u3001\u00b7\u2022+]|\s(?:and|und|et|y|e|og|och|en|i|ve|și|és|a|with|mit|"
    r"avec|con|com|met|med)\s|&|\u0648\s)\s*",
    re.IGNORECASE,
)
_NOT_NAME = re.compile(r"@|https?:|www\.|\.com\b|\d|[!?=<>{}\[\]#*]")
_EMAIL = re.compile(r"\S+@\S+")
_DOMAIN = re.compile(r"\w\.(?:[a-z]{2,3}|com|net|org|info)$|^www\.", re.IGNORECASE)
# A newsroom desk or a site's team credited as a whole: "MND Staff", "News Desk",
# "The Acme Team", "Team Acme" (blogs of companies sign so; the wcxb gold names them).
_DESK = re.compile(
    r"^(?:[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*){0,3}\s+(?:Staff|Team|Desk)|Team\s+[A-Z][\w.&'-]*)$"
)
# Everything after ", in" is a list of sections or places: "By TPN, in News, Business".
_IN_SECTIONS = re.compile(r",\s+in\s+.*$")
_PARENS = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*")
_DATE_TAIL = re.compile(
    r"\s*(?:[|,\u2013\u2014-]\s*)?(?:(?:last|zuletzt)\s+)?(?:updated|published|posted|"
    r"aktualisiert|veröffentlicht|"
    r"mis à jour|publié|actualizado|publicado)\b.*$",
    re.IGNORECASE,
)
# A date printed after the byline behind a dash or bar: "By Jane Doe - Mar 27, 2024".
_DASH_DATE_TAIL = re.compile(r"\s+[-\u2013\u2014|]\s+[^-\u2013\u2014|]*\d[^-\u2013\u2014|]*$")
_MAX_NAME_CHARS = 60
_MAX_NAME_WORDS = 6
# A date line's weekday or month, alone: "Sat, 20 Dec, 2025" splits into 'Sat'. (Inside a
# longer name they stay: June Carter, Jan de Vries, Sun Yat-sen.)
_DATE_WORD = re.compile(
    r"(?:mon|tues?|wed|thu|thurs?|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|january|february|"
    r"september|october|november|december)[.,:]?",
    re.IGNORECASE,
)
# Words of a widget's label that no name is made of: "WHERE TO BUY", "Learn More", "About
# the author" (English: the labels met on English pages). See _labelled.
_LABEL_WORDS = frozenset({"where", "buy", "learn", "about", "share", "subscribe", "login", "click"})


def agency_name(text: str, lenient: bool = False) -> str | None:
    """Canonical agency for a name such as 'The Associated Press' or 'dpa', else None.

    Short names must be printed as acronyms unless `lenient` (inside a "Source:" credit).
    """
    key = clean_space(text).casefold().strip(" .,;:()[]-\u2013\u2014")
    key = re.sub(r"^(?:with|mit|avec|con|com|via|source|quelle|fuente|fonte)\s*:?\s+", "", key)
    name = _AGENCY_BY_ALIAS.get(key)
    if name and len(key) <= _SHORT_ALIAS and not lenient and not _printed_as_acronym(text, key):
        return None
    return name


_SHORT_ALIAS = 3


def _printed_as_acronym(text: str, key: str) -> bool:
    """Short agency names count only as printed: 'AP' or 'dpa', not the word 'pa'."""
    return key.upper() in text or any(name in text for name in AGENCIES if name.lower() == key)


def split_byline(text: str) -> list[str]:
    """Split a byline into candidate names, dropping prefixes, roles, places and e-mails."""
    text = clean_space(_EMAIL.sub(" ", html.unescape(text))).strip("()\uff08\uff09[] ")
    text = _DASH_DATE_TAIL.sub("", _DATE_TAIL.sub("", text))
    text = _IN_SECTIONS.sub("", text)
    text = _PREFIX.sub("", _GLUED_BY.sub("", text), count=1)
    text = _LOWER_PREFIX.sub("", text, count=1)
    names: list[str] = []
    for raw in _SPLIT.split(text):
        piece = _PREFIX.sub("", clean_space(_PARENS.sub(" ", raw)), count=1)
        piece = _cut_glued_role(_IN_PLACE.sub("", _ROLE_SUFFIX_CJK.sub("", piece)))
        piece = piece.strip(" .,:;-\u2013\u2014'\"\u201c\u201d")
        if piece:
            names.append(piece)
    return names


def _cut_glued_role(piece: str) -> str:
    """'Jane DoeFounder at Acme' -> 'Jane Doe': a role the page text glued to the name."""
    for match in _GLUED_TAIL.finditer(piece):
        head = piece[: match.start()].strip()
        last = head.rsplit(" ", 1)[-1]
        if (
            " " in head
            and len(last) > 2
            and last != "Mac"
            and _ROLE_WORDS.match(piece[match.start() :])
        ):
            return head
    return piece


def looks_like_domain(name: str) -> bool:
    """True for credits such as 'Lrt.lt' or 'mdr.de' that name a website."""
    return bool(_DOMAIN.search(name))


def is_desk(name: str) -> bool:
    """True for a newsroom desk or a site's team credited as a whole ("Acme Staff")."""
    return bool(_DESK.match(name.strip()))


def is_plausible_name(name: str) -> bool:
    """True when a string could be a person's (or a desk's) name rather than furniture."""
    if not name or len(name) > _MAX_NAME_CHARS or len(name) < 2:
        return False
    if _NOT_NAME.search(name):
        return False
    if _ROLE_WORDS.search(name) and not _DESK.match(name):
        return False
    words = name.split()
    if len(words) > _MAX_NAME_WORDS:
        return False
    if len(words) == 1 and _DATE_WORD.fullmatch(words[0]):
        return False
    return any(unicodedata.category(ch).startswith("L") for ch in name)


_PARTICLES = frozenset(
    {
        "de",
        "da",
        "di",
        "do",
        "dos",
        "das",
        "del",
        "della",
        "der",
        "den",
        "van",
        "von",
        "ter",
        "ten",
        "le",
        "la",
        "du",
        "bin",
        "ibn",
        "al",
        "el",
        "y",
        "e",
        "zu",
        "af",
        "av",
    }
)


def is_name_like(text: str) -> bool:
    """True for a bare name such as 'Jane Doe' or 'IN-Redaktion': capitalised words only."""
    words = text.strip().split()
    if not 1 <= len(words) <= 4 or not is_plausible_name(text.strip()):
        return False
    if text.rstrip()[-1:] in ".!?:":
        return False
    for word in words:
        first = word.lstrip("(\"'\u201c\u00ab")[:1]
        if word.lower() in _PARTICLES or not first.isalpha():
            continue
        if first.islower():
            return False
    if len(words) == 1 and _CJK_NAME.match(words[0]):
        return True
    return len(words) > 1 or "-" in text


# A personal name in Han or Hangul script: two to four characters, no spaces.
_CJK_NAME = re.compile("^[\u4e00-\u9fff\uac00-\ud7a3]{2,4}$")


def looks_like_byline(text: str) -> bool:
    """True for 'By Jane Doe and John Roe, Senior Correspondents': names and roles only."""
    pieces = split_byline(text)
    named = [piece for piece in pieces if is_name_like(piece)]
    rest = [piece for piece in pieces if piece not in named]
    return bool(named) and all(_ROLE_WORDS.search(piece) or agency_name(piece) for piece in rest)


# Credit lines for work other than writing: "Redaktion: ...", "Fotos: ...", "Edited by ...".
_OTHER_ROLE_LABEL = re.compile(
    r"^\s*(?:redaktion|redaction|rédaction|editing|edited by|editor|editors|produktion|"
    r"production|produced by|sendung|kamera|camera|fotos?|photos?|photography|grafik|graphics|"
    r"illustrations?|schnitt|moderation|übersetzung|translation|translated by|mitarbeit|"
    r"additional reporting|zusätzliche berichterstattung)\s*[:\-]",
    re.IGNORECASE,
)
_URL_LIKE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.|@)", re.IGNORECASE)
_SOURCE_LABEL = re.compile(
    r"^\s*(?:quelle|quellen|source|sources|fuente|fuentes|fonte|fontes|bron|kilde|källa|"
    r"źródło|lähde)\s*:\s*",
    re.IGNORECASE,
)


def _labelled(name: str) -> bool:
    """A widget's label read as a credit ("About the author", "WHERE TO BUY"). Only names
    are refused so: a bold "About Acme Media" still ends a story as its sign-off does."""
    return any(word.casefold().strip(".,:") in _LABEL_WORDS for word in name.split())


def clean_names(raw: list[str]) -> tuple[list[str], str | None]:
    """Person names and the first agency found among raw author strings."""
    names: list[str] = []
    seen: set[str] = set()
    agency: str | None = None
    for item in raw:
        if _URL_LIKE.match(item.strip()) or _OTHER_ROLE_LABEL.match(item):
            continue
        whole = agency_name(item)
        if whole:
            agency = agency or whole
            continue
        source = _SOURCE_LABEL.match(item)
        if source:
            # "Quelle: sid, dpa" credits sources, never people.
            for piece in _SPLIT.split(item[source.end() :]):
                agency = agency or agency_name(piece, lenient=True)
            continue
        for name in split_byline(item):
            found = agency_name(name)
            if found:
                agency = agency or found
                continue
            if not is_plausible_name(name) or _labelled(name):
                continue
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                names.append(name)
    return names, agency


# A paragraph that only credits agencies: "(PTI)", "AFP/Reuters", "With AFP", "— dpa".
_CREDIT_LINE = re.compile(
    r"^[\s(\[\u2013\u2014-]*(?i:(?:with|mit|avec|con|com|source|quelle|fuente|fonte|bron|kilde|"
    r"källa|material from|mit material von|with inputs from|inputs from)\s*:?\s*)?"
    r"((?:" + _AGENCY_PATTERN + r")(?:\s*(?:[/,&+]|and|und|et|y)\s*(?:" + _AGENCY_PATTERN + r"))*)"
    r"[\s)\].]*$"
)
# A credit glued to the end of the last paragraph: "... the official said. (PTI)".
_CREDIT_SUFFIX = re.compile(
    r"\s*[(\[]\s*((?:"
    + _AGENCY_PATTERN
    + r")(?:\s*(?:[/,&]|with|mit)\s*(?:"
    + _AGENCY_PATTERN
    + r"))*)\s*[)\]]\s*\.?$"
)


# A closing note on where the reporting came from: "With files from The Associated Press".
_CREDIT_NOTE = re.compile(
    r"^[\s(\[\u2013\u2014-]*(?:with files from|with reporting (?:by|from)|additional reporting by|"
    r"reporting by|compiled by|mit material (?:von|der)|unter verwendung von material|"
    r"avec (?:l'?)?(?:afp|ap|reuters)|con informaci[oó]n de|com informa[cç][oõ]es d[aeo]|"
    r"this (?:story|article|report) (?:was|has been) (?:updated|corrected)|"
    r"(?:the )?associated press (?:contributed|writers?))\b",
    re.IGNORECASE,
)
_MAX_CREDIT_NOTE = 200
_AGENCY_IN_TEXT = re.compile(r"(?<!\w)(?:" + _AGENCY_PATTERN + r")(?!\w)")


def is_credit_note(paragraph: str) -> bool:
    """True for a short closing note crediting reporting ("With files from ...")."""
    return len(paragraph) <= _MAX_CREDIT_NOTE and bool(_CREDIT_NOTE.match(paragraph))


def first_agency_in(text: str) -> str | None:
    """The first agency a text names in print ("... from The Associated Press and ...")."""
    for match in _AGENCY_IN_TEXT.finditer(text):
        found = agency_name(match.group(0))
        if found:
            return found
    return None


def credit_line_agency(paragraph: str) -> str | None:
    """The agency a standalone credit paragraph names, else None."""
    if len(paragraph) > 80:
        return None
    match = _CREDIT_LINE.match(paragraph)
    if match is None:
        return None
    first = re.split(r"\s*(?:[/,&+]|\band\b|\bund\b|\bet\b|\by\b)\s*", match.group(1))[0]
    return agency_name(first)


def strip_credit_suffix(paragraph: str) -> tuple[str, str | None]:
    """Remove a trailing '(AGENCY)' credit from a paragraph; returns the text and the agency."""
    match = _CREDIT_SUFFIX.search(paragraph)
    if match is None or match.start() == 0:
        return paragraph, None
    first = re.split(r"\s*(?:[/,&]|with|mit)\s*", match.group(1))[0]
    agency = agency_name(first)
    if agency is None:
        return paragraph, None
    return paragraph[: match.start()].rstrip(), agency
