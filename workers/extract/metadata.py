"""Structured metadata: JSON-LD (lenient), OpenGraph and other <meta> tags, and microdata."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from workers.extract.dom import Page
from workers.extract.patterns import CAPTION
from workers.extract.text import clean_space
from workers.models import Provenance
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


@dataclass(slots=True)
class Person:
    """A credited name and whether the source said it is an organisation."""

    name: str
    is_org: bool
    # Profile URL or @id, when given ("https://site/author/admin/").
    url: str | None = None


@dataclass(slots=True)
class Value:
    """A metadata value and where it came from."""

    text: str
    source: Provenance


@dataclass(slots=True)
class ImageInfo:
    """A lead image from structured data."""

    url: str
    caption: str | None
    credit: str | None
    source: Provenance


@dataclass(slots=True)
class Structured:
    """Everything structured data says about the page, before DOM heuristics."""

    titles: list[Value] = field(default_factory=list)
    descriptions: list[Value] = field(default_factory=list)
    authors: list[Person] = field(default_factory=list)
    authors_source: Provenance | None = None
    meta_authors: list[Value] = field(default_factory=list)
    publisher: str | None = None
    site_name: str | None = None
    published: list[Value] = field(default_factory=list)
    modified: list[Value] = field(default_factory=list)
    section: Value | None = None
    tags: list[str] = field(default_factory=list)
    tags_source: Provenance | None = None
    languages: list[Value] = field(default_factory=list)
    image: ImageInfo | None = None
    canonical: list[Value] = field(default_factory=list)
    article_body: str | None = None
    # True when JSON-LD, og:type or microdata declare the page an article.
    declares_article: bool = False
    # Article objects in JSON-LD that describe other pages (listing markup).
    foreign_articles: int = 0
    # Every schema.org type named in JSON-LD (lower-cased), and og:type, for the page kind.
    types: set[str] = field(default_factory=set)
    og_type: str = ""


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


def _strings(value: Any) -> list[str]:
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


def read_structured(page: Page, page_url: str) -> Structured:
    """Gather title, authors, dates, language, image and the rest from structured data."""
    result = Structured()
    page_urls = {page_url.rstrip("/")}
    if page.canonical:
        canonical = normalize_url(page.canonical, page_url)
        if canonical:
            page_urls.add(canonical.rstrip("/"))
    objects = parse_json_ld(page.json_ld)
    _apply_json_ld(result, objects, page_urls)
    _apply_meta(result, page)
    _apply_microdata(result, page)
    return result


def _apply_json_ld(result: Structured, objects: list[dict[str, Any]], urls: set[str]) -> None:
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
        tags = _strings(article.get("keywords"))
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


_META_TITLE = ("og:title", "twitter:title", "parsely-title", "dc.title", "sailthru.title")
_META_DESCRIPTION = ("og:description", "description", "twitter:description", "dc.description")
_META_PUBLISHED = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "publication_date",
    "parsely-pub-date",
    "sailthru.date",
    "cxenseparse:recs:publishtime",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "dc.date.created",
    "date",
    "article.published",
    "og:published_time",
    "published_time",
    "release_date",
    "created",
)
_META_MODIFIED = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
    "article.updated",
    "lastmod",
)
_META_AUTHOR = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "cxenseparse:author",
    "byl",
    "twitter:creator",
)
_META_LANGUAGE = ("content-language", "og:locale", "language", "dc.language", "lang")


def _apply_meta(result: Structured, page: Page) -> None:
    values: dict[str, list[str]] = {}
    for _attr, key, raw in page.metas:
        content = raw.strip()
        if content:
            values.setdefault(key, []).append(content)

    def first(keys: tuple[str, ...], target: list[Value]) -> None:
        for key in keys:
            for content in values.get(key, ()):
                cleaned = clean_space(content)
                if cleaned:
                    target.append(Value(cleaned, "meta"))

    first(_META_TITLE, result.titles)
    first(_META_DESCRIPTION, result.descriptions)
    first(_META_PUBLISHED, result.published)
    first(_META_MODIFIED, result.modified)
    first(_META_LANGUAGE, result.languages)
    first(_META_AUTHOR, result.meta_authors)
    og_type = values.get("og:type", [""])[0].lower()
    result.og_type = og_type
    if og_type.startswith("article") or "article:published_time" in values:
        result.declares_article = True
    site = values.get("og:site_name") or values.get("application-name")
    if site:
        result.site_name = clean_space(site[0])
    if result.section is None:
        section = values.get("article:section") or values.get("section")
        if section:
            result.section = Value(clean_space(section[0]), "meta")
    if not result.tags:
        tags = values.get("article:tag") or []
        if len(tags) == 1:
            tags = _strings(tags[0])
        if not tags:
            tags = _strings((values.get("news_keywords") or values.get("keywords") or [""])[0])
        if tags:
            result.tags = [clean_space(tag) for tag in tags if clean_space(tag)]
            result.tags_source = "meta"
    if result.image is None:
        for key in ("og:image", "og:image:url", "og:image:secure_url", "twitter:image"):
            if values.get(key):
                alt = values.get("og:image:alt") or values.get("twitter:image:alt")
                result.image = ImageInfo(values[key][0], alt[0] if alt else None, None, "meta")
                break
    for key in ("og:url",):
        for content in values.get(key, ()):
            result.canonical.append(Value(content, "meta"))


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


def _apply_microdata(result: Structured, page: Page) -> None:
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
        result.tags = _strings(found["keywords"])
        result.tags_source = "microdata"
    if result.image is None and found.get("image"):
        result.image = ImageInfo(found["image"], None, None, "microdata")
    if not result.authors and authors:
        result.authors = [Person(name, is_org=False) for name in authors]
        result.authors_source = "microdata"
