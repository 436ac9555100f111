"""The parsed page's soup: how it is parsed and how its attribute values are read."""

from __future__ import annotations

from bs4 import BeautifulSoup
from bs4.element import AttributeDict


def parse_html(html: str) -> BeautifulSoup:
    """The page's tree, parsed from UTF-8 bytes with every attribute kept as a plain string.

    lxml parses bytes about twice as fast as a str. The text is already decoded (its charset
    chosen upstream), so it is re-encoded as UTF-8 and lxml is told so: a stale
    ``<meta charset>`` in the page is not obeyed, and a lone surrogate becomes "?" rather than
    an error. Multi-valued attributes (class, rel) stay strings, which saves splitting them on
    every element; readers take them through attr_text() and attr_words(). Attributes are
    held in a plain dict: bs4's lxml builder otherwise stores them through a dict subclass
    that coerces None, bool and numbers to strings, values lxml never hands over.
    """
    return BeautifulSoup(
        html.encode("utf-8", "replace"),
        "lxml",
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
