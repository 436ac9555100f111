"""JSON-LD: lenient parsing, schema.org types, and the page's article object read into a record."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from workers.extract.structured import ImageInfo, Person, Structured, Value
from workers.extract.text import clean_space
from workers.urls import normalize_url

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "askpublicnewsarticle",
        "factcheck",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "report",
        "satiricalarticle",
        "scholarlyarticle",
        "techarticle",
        "advertisercontentarticle",
        "medicalscholarlyarticle",
        "creativework",
    }
)
_ORG_TYPES = frozenset(
    {"organization", "newsmediaorganization", "corporation", "organisation", "brand"}
)
_PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage", "aboutpage", "profilepage"})
_MAX_OBJECTS = 2000
# Nesting a value may have before we stop looking inside it for a string.
_MAX_VALUE_DEPTH = 4
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_WRAPPERS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")
_KEYWORD_SPLIT = re.compile(r"\s*[,;|]\s*")


def parse_json_ld(texts: Iterable[str]) -> list[dict[str, Any]]:
    """All typed objects in the page's JSON-LD scripts, flattened out of @graph and lists."""
    objects: list[dict[str, Any]] = []
    for text in texts:
        for data in _load_lenient(text):
            _flatten(data, objects)
            if len(objects) >= _MAX_OBJECTS:
                return objects
    return objects


def _load_lenient(text: str) -> list[Any]:
    text = _WRAPPERS.sub("", text.strip()).strip().rstrip(";").strip()
    if not text:
        return []
    for attempt in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return [json.loads(attempt, strict=False)]
        except (ValueError, RecursionError):
            pass
        values = _decode_sequence(attempt)
        if values:
            return values
    return []


def _decode_sequence(text: str) -> list[Any]:
    """Decode several JSON values written one after another, as some CMSes emit."""
    decoder = json.JSONDecoder(strict=False)
    values: list[Any] = []
    position = 0
    while position < len(text):
        while position < len(text) and text[position] in " \t\r\n,;":
            position += 1
        if position >= len(text):
            break
        try:
            value, position = decoder.raw_decode(text, position)
        except (ValueError, RecursionError):
            break
        values.append(value)
    return values


def _flatten(data: Any, out: list[dict[str, Any]]) -> None:
    stack = [data]
    while stack and len(out) < _MAX_OBJECTS:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if "@type" in item:
                out.append(item)
            graph = item.get("@graph")
            if isinstance(graph, list | dict):
                stack.append(graph)
            for key in ("mainEntity", "itemListElement", "item", "hasPart"):
                nested = item.get(key)
                if isinstance(nested, list | dict):
                    stack.append(nested)


def type_names(obj: dict[str, Any]) -> set[str]:
    """Lower-cased schema.org type names of an object, without namespace prefixes."""
    raw = obj.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    result = set()
    for name in names:
        if isinstance(name, str):
            result.add(name.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower())
    return result


def _first_string(value: Any, keys: tuple[str, ...], depth: int = 0) -> str | None:
    """The first non-empty string in a value, looking into lists and the given object keys."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if depth > _MAX_VALUE_DEPTH:
        return None
    if isinstance(value, list):
        for item in value:
            found = _first_string(item, keys, depth + 1)
            if found:
                return found
    elif isinstance(value, dict):
        for key in keys:
            found = _first_string(value.get(key), keys, depth + 1)
            if found:
                return found
    return None


def _text(value: Any) -> str | None:
    """A clean string from a JSON-LD value that may be a string, a list or a named object."""
    found = _first_string(value, ("name", "@value", "text", "alternateName"))
    return clean_space(found) or None if found else None


def _url_of(value: Any) -> str | None:
    """A URL from a JSON-LD value: a string, a list, or an object with @id/url/contentUrl."""
    return _first_string(value, ("@id", "url", "contentUrl"))


def _choose_article(
    objects: list[dict[str, Any]], page_urls: set[str]
) -> tuple[dict[str, Any] | None, int]:
    """The JSON-LD object describing this page's article, and how many describe others."""
    articles = [obj for obj in objects if type_names(obj) & ARTICLE_TYPES]
    if not articles:
        return None, 0
    best: dict[str, Any] | None = None
    best_score = -1
    matching = 0
    for obj in articles:
        score = 0
        refs = (
            _url_of(obj.get("url")),
            _url_of(obj.get("@id")),
            _url_of(obj.get("mainEntityOfPage")),
        )
        if any(ref and _same_page(ref, page_urls) for ref in refs):
            score += 8
            matching += 1
        for key, points in (("headline", 3), ("datePublished", 2), ("author", 2)):
            if obj.get(key):
                score += points
        if obj.get("articleBody"):
            score += 1
        if "creativework" in type_names(obj) and len(type_names(obj)) == 1:
            score -= 4
        if score > best_score:
            best, best_score = obj, score
    foreign = len(articles) - matching if len(articles) > 2 else 0
    if len(articles) > 2 and matching == 0:
        return None, foreign
    return best, foreign


def _same_page(ref: str, page_urls: set[str]) -> bool:
    base = next(iter(page_urls), None)
    normalised = normalize_url(ref, base)
    if normalised is None:
        return False
    return normalised.rstrip("/") in page_urls


def _people(value: Any, by_id: dict[str, dict[str, Any]]) -> list[Person]:
    items = value if isinstance(value, list) else [value]
    people: list[Person] = []
    for item in items:
        if isinstance(item, str):
            people.append(Person(item, is_org=False))
            continue
        if not isinstance(item, dict):
            continue
        entry = item
        if "name" not in entry and isinstance(entry.get("@id"), str):
            entry = by_id.get(entry["@id"], entry)
        name = _text(entry.get("name"))
        if not name:
            given, family = _text(entry.get("givenName")), _text(entry.get("familyName"))
            name = " ".join(part for part in (given, family) if part) or None
        if name:
            is_org = bool(type_names(entry) & _ORG_TYPES)
            url = _url_of(item.get("@id")) or _url_of(entry.get("url"))
            people.append(Person(name, is_org=is_org or is_cms_account(url), url=url))
    return people


_CMS_ACCOUNTS = frozenset(
    {
        "admin",
        "administrator",
        "editor",
        "webmaster",
        "redaktion",
        "redaction",
        "newsroom",
        "staff",
        "user",
        "author",
        "wpadmin",
        "site-admin",
    }
)


def is_cms_account(url: str | None) -> bool:
    """True for author profiles of a site's shared CMS account (".../author/admin/")."""
    if not url:
        return False
    slug = url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1].lower()
    return slug in _CMS_ACCOUNTS


def _image(value: Any, by_id: dict[str, dict[str, Any]]) -> ImageInfo | None:
    item = value[0] if isinstance(value, list) and value else value
    if isinstance(item, str):
        return ImageInfo(item.strip(), None, None, "json-ld") if item.strip() else None
    if not isinstance(item, dict):
        return None
    if "url" not in item and "contentUrl" not in item and isinstance(item.get("@id"), str):
        item = by_id.get(item["@id"], item)
    url = _url_of(item.get("url")) or _url_of(item.get("contentUrl"))
    if not url:
        return None
    caption = _text(item.get("caption")) or _text(item.get("description"))
    credit = (
        _text(item.get("creditText"))
        or _text(item.get("copyrightHolder"))
        or _text(item.get("author"))
    )
    return ImageInfo(url, caption, credit, "json-ld")


def keyword_strings(value: Any) -> list[str]:
    """Keywords from a comma/semicolon/bar separated string or a list of names."""
    if isinstance(value, str):
        return [part for part in _KEYWORD_SPLIT.split(value) if part.strip()]
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            text = _text(item)
            if text:
                out.append(text)
        return out
    return []


def apply_json_ld(result: Structured, objects: list[dict[str, Any]], urls: set[str]) -> None:
    """Fill the record from the article object describing this page (and its WebPage)."""
    by_id = {obj["@id"]: obj for obj in objects if isinstance(obj.get("@id"), str)}
    for obj in objects:
        result.types |= type_names(obj)
    article, foreign = _choose_article(objects, urls)
    result.foreign_articles = foreign
    page_obj = next((obj for obj in objects if type_names(obj) & _PAGE_TYPES), None)
    if article is not None:
        result.declares_article = True
        headline = _text(article.get("headline")) or _text(article.get("name"))
        if headline:
            result.titles.append(Value(headline, "json-ld"))
        description = _text(article.get("description"))
        if description:
            result.descriptions.append(Value(description, "json-ld"))
        people = _people(article.get("author"), by_id) or _people(article.get("creator"), by_id)
        if people:
            result.authors = people
            result.authors_source = "json-ld"
        publisher = _people(article.get("publisher"), by_id)
        if publisher:
            result.publisher = publisher[0].name
        _add_dates_and_language(result, article, ("datePublished", "dateCreated"))
        section = _text(article.get("articleSection"))
        if section:
            result.section = Value(section, "json-ld")
        tags = keyword_strings(article.get("keywords"))
        if tags:
            result.tags = tags
            result.tags_source = "json-ld"
        result.image = _image(article.get("image"), by_id)
        for ref in (article.get("url"), _url_of(article.get("mainEntityOfPage"))):
            if isinstance(ref, str) and ref.strip():
                result.canonical.append(Value(ref.strip(), "json-ld"))
        body = article.get("articleBody")
        if isinstance(body, str) and body.strip():
            result.article_body = body
    if page_obj is not None:
        _add_dates_and_language(result, page_obj, ("datePublished",))


def _add_dates_and_language(
    result: Structured, obj: dict[str, Any], published_keys: tuple[str, ...]
) -> None:
    for key in (*published_keys, "dateModified"):
        text = _text(obj.get(key))
        if text:
            target = result.modified if key == "dateModified" else result.published
            target.append(Value(text, "json-ld"))
    language = _text(obj.get("inLanguage"))
    if language:
        result.languages.append(Value(language, "json-ld"))
