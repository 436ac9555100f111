"""Structured metadata: JSON-LD, OpenGraph and other <meta> tags (read here), and microdata."""

from __future__ import annotations

from workers.extract.dom import Page
from workers.extract.jsonld import apply_json_ld, keyword_strings, parse_json_ld
from workers.extract.microdata import apply_microdata
from workers.extract.structured import ImageInfo, Structured, Value
from workers.extract.text import clean_space
from workers.urls import normalize_url


def read_structured(page: Page, page_url: str) -> Structured:
    """Gather title, authors, dates, language, image and the rest from structured data."""
    result = Structured()
    page_urls = {page_url.rstrip("/")}
    if page.canonical:
        canonical = normalize_url(page.canonical, page_url)
        if canonical:
            page_urls.add(canonical.rstrip("/"))
    objects = parse_json_ld(page.json_ld)
    apply_json_ld(result, objects, page_urls)
    _apply_meta(result, page)
    apply_microdata(result, page)
    return result


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
    "published-date",
    "w-published-date",
    "citation_publication_date",
    "published",
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
            tags = keyword_strings(tags[0])
        if not tags:
            tags = keyword_strings(
                (values.get("news_keywords") or values.get("keywords") or [""])[0]
            )
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
