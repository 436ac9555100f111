"""The loose reading of a broken RSS or Atom feed, with feedparser (the fallback of feeds.py).

lxml's recovering parser drops what it cannot place: in ``<link>a?x=1&y=2</link>`` the bare
``&`` ends the text, so the link loses its query. feedparser reads such feeds the way feed
readers do. It is given the bytes (never a URL: nothing is fetched) and answers in plain
strings; feeds.py turns them into its own records with its own URL and date rules.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import feedparser  # type: ignore[import-untyped]  # feedparser ships no type stubs


@dataclass(frozen=True, slots=True)
class LooseEntry:
    """One entry as feedparser read it: link candidates in order of preference, raw texts."""

    links: list[str] = field(default_factory=list)
    title: str | None = None
    published: str | None = None
    summary: str | None = None
    updated: str | None = None


def loose_feed(body: bytes) -> tuple[str | None, list[LooseEntry]]:
    """The title and entries of an RSS/Atom body read leniently; (None, []) when none."""
    if b"<!ENTITY" in body:
        # feeds.py refuses entity declarations; one that lxml's recovery did not see as a
        # DTD is refused here too rather than handed to another XML parser.
        return None, []
    parsed = feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
    entries: list[LooseEntry] = []
    for item in parsed.get("entries", []):
        links = [str(link.get("href") or "") for link in item.get("links", [])]
        links.insert(0, str(item.get("link") or ""))
        ident = str(item.get("id") or "")
        if ident.startswith(("http://", "https://")) and item.get("guidislink", True):
            links.append(ident)
        # Plain dict look-ups: feedparser's own get() answers "updated" with the
        # publication date (with a warning) when the feed gives only one.
        published = dict.get(item, "published")
        updated = dict.get(item, "updated")
        entries.append(
            LooseEntry(
                links=[link for link in links if link],
                title=item.get("title"),
                published=published,
                summary=item.get("summary"),
                updated=updated,
            )
        )
    title = parsed.get("feed", {}).get("title")
    return (str(title) if title else None), entries
