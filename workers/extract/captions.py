"""Image captions and photo credits: "Fans wave. (Photo: AFP)" -> caption and credit."""

from __future__ import annotations

import re

from workers.extract.authors import AGENCIES
from workers.extract.text import clean_visible

# Picture agencies and stock libraries that credit photos but write no stories; the wire
# agencies (authors.AGENCIES) credit photos too.
PHOTO_AGENCIES = (
    "getty",
    "getty images",
    "ap photo",
    "epa",
    "epa-efe",
    "shutterstock",
    "alamy",
    "pa images",
    "keystone",
    "imago",
    "picture alliance",
    "picture-alliance",
    "sipa",
    "zuma",
    "istock",
    "istockphoto",
    "nurphoto",
    "sopa images",
    "pool",
    "wikimedia commons",
    "unsplash",
    "sputnik",
    "adobe stock",
    "stock.adobe.com",
    "ddp",
)
# A credit is at most this long; longer text is a caption sentence.
MAX_CREDIT_CHARS = 100
# Names on either side of a slash credit ("Jane Roe/Reuters") are at most this long.
MAX_CREDIT_PART_CHARS = 40

_CREDITORS = sorted(
    {*PHOTO_AGENCIES, *(alias for aliases in AGENCIES.values() for alias in aliases)},
    key=len,
    reverse=True,
)
_AGENCIES = "|".join(re.escape(name) for name in _CREDITORS)
_AGENCY = re.compile(rf"(?<!\w)(?:{_AGENCIES})(?!\w)", re.IGNORECASE)
# A whole credit naming an agency: "Getty Images", "Ian Forsyth/Getty Images", "AP Photo/X".
_AGENCY_CREDIT = re.compile(
    rf"^(?:[^/.!?]{{1,{MAX_CREDIT_PART_CHARS}}}/\s*)?(?:{_AGENCIES})"
    rf"(?:\s*(?:/|via|for)\s*[^/.!?]{{1,{MAX_CREDIT_PART_CHARS}}})?\.?$",
    re.IGNORECASE,
)
# Caption credits: a label ("Photo:"), a copyright sign, or a news/photo agency.
_CREDIT_LABEL = re.compile(
    r"^(?:photo(?:graph)?s?|foto(?:s|grafie)?|image|images|picture|pic|bild|credit|credits"
    r"|source|quelle|crédit|crédits|photo credit|image credit|copyright|fotó|kuva|billede"
    r"|bildrechte|bildquelle|(?:photo|picture|image)s? by)\s*[:：]?\s+",
    re.IGNORECASE,
)
_CREDIT_LABEL_STRICT = re.compile(
    r"^(?:photo(?:graph)?s?|foto(?:s|grafie)?|image|images|picture|pic|bild|bildrechte|credit|credits"
    r"|source|quelle|crédit|crédits|photo credit|image credit)\s*[:：]\s*",
    re.IGNORECASE,
)
_COPYRIGHT_ANYWHERE = re.compile(r"©|\(c\)\s", re.IGNORECASE)
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b)\s*", re.IGNORECASE)
_SLASH_CREDIT = re.compile(r"^[A-ZÀ-Þ][\w.'’ -]{0,40}\s*/\s*[A-Za-zÀ-ÿ][\w.'’ -]{0,40}$")
_LABEL_START = re.compile(
    r"(?:photo(?:graph)?s?|foto(?:s)?|image|picture|bild|credit|quelle|source)\s*[:：]",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"(?:[.!?;]\s+|\s+[|–—-]\s+|\s*\n\s*)")
_BRACKETED_TAIL = re.compile(r"[(\[]([^()\[\]]{1,100})[)\]]\W*$")
_BY_LINE = re.compile(r"(?:photo|picture|image)s? by .+", re.IGNORECASE)


def credit_name(text: str) -> str | None:
    """The credited name when all of `text` is a photo credit, else None."""
    text = text.strip().strip("()[]").strip()
    if not text or len(text) > MAX_CREDIT_CHARS:
        return None
    label = _CREDIT_LABEL.match(text)
    if label:
        rest = text[label.end() :].strip(" :")
        return rest or None
    mark = _COPYRIGHT.match(text)
    if mark:
        rest = text[mark.end() :].strip()
        return rest or None
    if _AGENCY_CREDIT.match(text) or _SLASH_CREDIT.match(text):
        return text
    return None


def split_credit(text: str) -> tuple[str | None, str | None]:
    """Split an image caption into (caption, credit), e.g. "Fans wave. (Photo: AFP)"."""
    text = clean_visible(text)
    if not text:
        return None, None
    whole = credit_name(text)
    if whole is not None and not _SEPARATOR.search(text.strip("()[] ")):
        return None, whole
    tail = _BRACKETED_TAIL.search(text)
    if tail:
        credit = credit_name(tail.group(1))
        if credit is not None:
            return text[: tail.start()].strip() or None, credit
    labels = {m.start() for m in _LABEL_START.finditer(text)}
    cuts = [m.end() for m in _SEPARATOR.finditer(text)]
    cuts += [at for at in labels if at > 0]
    cuts += [m.start() for m in _COPYRIGHT_ANYWHERE.finditer(text) if m.start() > 0]
    for cut in sorted(set(cuts)):
        rest = text[cut:].strip()
        if len(rest) > MAX_CREDIT_CHARS:
            continue
        credit = credit_name(rest)
        if credit is None:
            continue
        if cut in labels or _strict_tail(rest):
            caption = text[:cut].strip(" |–—-")
            return caption or None, credit
    return text, None


def _strict_tail(rest: str) -> bool:
    """A tail after a sentence break counts as credit only with a clear marker."""
    return bool(
        _CREDIT_LABEL_STRICT.match(rest)
        or _COPYRIGHT.match(rest)
        or "/" in rest
        or _AGENCY.fullmatch(rest.strip(" ."))
        or _BY_LINE.fullmatch(rest)
    )
