"""The parsed page's soup: how it is parsed and how its attribute values are read."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup
from bs4.builder._lxml import LXMLTreeBuilder
from bs4.element import AttributeDict

# Elements kept in the tree without their contents: drawings, whose shapes and <title>s
# every reader already treats as opaque (patterns.OPAQUE_TAGS, teasers.vocab.DRAWINGS). An
# icon-heavy page spends about a tenth of its elements inside them.
HOLLOW_TAGS = frozenset({"svg", "math"})


class _HtmlTreeBuilder(LXMLTreeBuilder):
    """bs4's lxml HTML builder without the XML namespace bookkeeping, and with drawings
    kept hollow (HOLLOW_TAGS).

    lxml's HTML parser hands over no namespaces (a prefixed name such as ``xlink:href``
    arrives as a plain string), so the inherited start/end, written for XML as well, spend
    their time on namespace maps that stay empty on every HTML page. The tree built is the
    one the inherited builder builds, less what sits inside a drawing.
    """

    def initialize_soup(self, soup: BeautifulSoup) -> None:
        super().initialize_soup(soup)
        self._hollow_depth = 0

    def start(self, tag: Any, attrib: Any, nsmap: Any = None) -> None:
        if self._hollow_depth:
            self._hollow_depth += 1
            return
        soup = self.soup
        assert soup is not None
        soup.handle_starttag(
            tag, None, None, AttributeDict(attrib), namespaces=self.active_namespace_prefixes[-1]
        )
        if tag in HOLLOW_TAGS:
            self._hollow_depth = 1

    def end(self, tag: Any) -> None:
        if self._hollow_depth > 1:
            self._hollow_depth -= 1
            return
        self._hollow_depth = 0
        soup = self.soup
        assert soup is not None
        soup.endData()
        soup.handle_endtag(tag, None)

    def data(self, data: Any) -> None:
        if not self._hollow_depth:
            super().data(data)

    def comment(self, text: Any) -> None:
        if not self._hollow_depth:
            super().comment(text)

    def pi(self, target: str, data: str) -> None:
        if not self._hollow_depth:
            super().pi(target, data)


def parse_html(html: str) -> BeautifulSoup:
    """The page's tree, parsed from UTF-8 bytes with every attribute kept as a plain string.

    lxml parses bytes about twice as fast as a str. The text is already decoded (its charset
    chosen upstream), so it is re-encoded as UTF-8 and lxml is told so: a stale
    ``<meta charset>`` in the page is not obeyed, and a lone surrogate becomes "?" rather than
    an error. Multi-valued attributes (class, rel) stay strings, which saves splitting them on
    every element; readers take them through attr_text() and attr_words(). Attributes are
    held in a plain dict: bs4's lxml builder otherwise stores them through a dict subclass
    that coerces None, bool and numbers to strings, values lxml never hands over. The
    builder (_HtmlTreeBuilder) skips the XML namespace work and keeps drawings hollow.
    """
    return BeautifulSoup(
        html.encode("utf-8", "replace"),
        builder=_HtmlTreeBuilder,
        from_encoding="utf-8",
        multi_valued_attributes=None,
        attribute_dict_class=AttributeDict,
    )


def attr_text(value: object) -> str:
    """An attribute's value as text; a token list (from a default bs4 parse) joined by spaces."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(map(str, value))
    return ""


def attr_words(value: object) -> list[str]:
    """The whitespace-separated tokens of an attribute value such as rel or class."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(token) for token in value]
    return []
