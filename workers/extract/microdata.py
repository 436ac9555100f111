"""Microdata: the properties of the page's article item (itemscope / itemprop)."""

from __future__ import annotations

from workers.extract.dom import Page
from workers.extract.flags import CAPTION
from workers.extract.jsonld import ARTICLE_TYPES, keyword_strings
from workers.extract.structured import ImageInfo, Person, Structured, Value
from workers.extract.text import clean_space

_MAX_MICRODATA_AUTHORS = 10
# How far up a property looks for its item; bounds the work on absurdly deep pages.
_MAX_SCOPE_DISTANCE = 64
_MICRODATA_FIELDS = {
    "headline",
    "datepublished",
    "datemodified",
    "author",
    "description",
    "articlesection",
    "keywords",
    "inlanguage",
    "image",
}


def _scope_of(page: Page, index: int, include_self: bool) -> int:
    """Nearest element with itemscope at or above `index` (-1 when the property is loose)."""
    node = index if include_self else page.nodes[index].parent
    for _ in range(_MAX_SCOPE_DISTANCE):
        if node < 0:
            break
        if page.nodes[node].tag.has_attr("itemscope"):
            return node
        node = page.nodes[node].parent
    return -1


def _scope_types(page: Page, scope: int) -> set[str]:
    raw = page.nodes[scope].tag.get("itemtype")
    text = raw if isinstance(raw, str) else " ".join(raw or [])
    return {part.rstrip("/").rsplit("/", 1)[-1].lower() for part in text.split()}


def _microdata_value(page: Page, index: int, key: str) -> str | None:
    tag = page.nodes[index].tag
    if key == "author":
        named = tag.find(itemprop="name") if tag.has_attr("itemscope") else None
        tag = named if named is not None else tag
    for attr in ("content", "datetime", "src", "href"):
        value = tag.get(attr)
        if isinstance(value, str) and (attr != "href" or key == "image"):
            return clean_space(value) or None
    if key == "image":
        return None
    return clean_space(tag.get_text(" ")) or None


def apply_microdata(result: Structured, page: Page) -> None:
    """Properties of the page's article item (or loose ones when no article item exists)."""
    entries: list[tuple[int, str, str | None, int]] = []
    article_scope = -1
    for index, props, value in page.itemprops:
        is_meta = value is not None
        scope = _scope_of(page, index, include_self=is_meta)
        entries.append((index, props, value, scope))
        if article_scope < 0 and scope >= 0 and _scope_types(page, scope) & ARTICLE_TYPES:
            article_scope = scope
    found: dict[str, str] = {}
    authors: list[str] = []
    for index, props, value, scope in entries:
        if scope != article_scope or page.nodes[index].context & CAPTION:
            continue
        for name in props.split():
            key = name.lower()
            if key not in _MICRODATA_FIELDS or (key in found and key != "author"):
                continue
            text = value if value is not None else _microdata_value(page, index, key)
            if not text:
                continue
            if key == "author":
                if len(authors) < _MAX_MICRODATA_AUTHORS:
                    authors.append(text)
            else:
                found[key] = text
    if found.get("headline"):
        result.titles.append(Value(found["headline"], "microdata"))
        result.declares_article = True
    if found.get("description"):
        result.descriptions.append(Value(found["description"], "microdata"))
    if found.get("datepublished"):
        result.published.append(Value(found["datepublished"], "microdata"))
    if found.get("datemodified"):
        result.modified.append(Value(found["datemodified"], "microdata"))
    if found.get("inlanguage"):
        result.languages.append(Value(found["inlanguage"], "microdata"))
    if result.section is None and found.get("articlesection"):
        result.section = Value(found["articlesection"], "microdata")
    if not result.tags and found.get("keywords"):
        result.tags = keyword_strings(found["keywords"])
        result.tags_source = "microdata"
    if result.image is None and found.get("image"):
        result.image = ImageInfo(found["image"], None, None, "microdata")
    if not result.authors and authors:
        result.authors = [Person(name, is_org=False) for name in authors]
        result.authors_source = "microdata"
