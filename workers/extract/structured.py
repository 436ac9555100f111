"""What structured data says about a page: the record that JSON-LD, meta and microdata fill."""

from __future__ import annotations

from dataclasses import dataclass, field

from workers.models import Provenance


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
