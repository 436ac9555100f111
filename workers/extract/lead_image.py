"""Lead image: site rule, structured data, else the body's first picture; caption, credit."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from workers.extract.body import BodyResult
from workers.extract.captions import credit_name, split_credit
from workers.extract.dom import Page
from workers.extract.fields import select
from workers.extract.flags import CAPTION
from workers.extract.images import img_src, is_pixel, srcset_src
from workers.extract.rules import SiteRule
from workers.extract.structured import Structured
from workers.extract.text import clean_space
from workers.models import Image, Provenance
from workers.urls import normalize_url


def pick_image(
    soup: BeautifulSoup,
    page: Page,
    structured: Structured,
    body: BodyResult,
    url: str,
    rule: SiteRule | None,
) -> tuple[Image, Provenance] | None:
    """Lead image (absolute URL) with caption and credit: rule, structured data, DOM."""
    if rule and rule.image:
        for tag in select(soup, rule.image):
            src = _img_src(tag)
            absolute = normalize_url(src, url) if src else None
            if absolute:
                return Image(absolute, *_figure_caption(page, tag)), "rule"
    info = structured.image
    if info is not None:
        absolute = normalize_url(info.url, url)
        if absolute:
            caption, credit = info.caption, info.credit
            if caption is None or credit is None:
                dom_caption, dom_credit = _caption_for(page, absolute, url)
                caption = caption or dom_caption
                credit = credit or dom_credit
            return Image(absolute, caption, credit), info.source
    if body.container is None:
        return None
    end = page.nodes[body.container].end
    for index in page.images:
        if (body.container <= index < end and not body.excluded[index]) or (
            body.container <= index < end and page.nodes[index].context & CAPTION
        ):
            tag = page.nodes[index].tag
            src = _img_src(tag)
            absolute = normalize_url(src, url) if src else None
            if absolute:
                return Image(absolute, *_figure_caption(page, tag)), "dom"
    return None


def _img_src(tag: Tag) -> str | None:
    """The picture an <img> (or the first <img> inside `tag`) shows, lazy-loading included."""
    image = tag if tag.name == "img" else tag.find("img")
    if not isinstance(image, Tag):
        content = tag.get("content")
        return content if isinstance(content, str) else None
    if is_pixel(image.attrs):
        return None
    found = img_src(image.attrs)
    if found is None:
        # lxml nests the <img> of a <picture> inside its (unclosed) <source> elements
        picture = image.find_parent("picture")
        for source in picture.find_all("source") if isinstance(picture, Tag) else ():
            found = srcset_src(source.attrs) if isinstance(source, Tag) else None
            if found:
                break
    return found


def _caption_for(page: Page, image_url: str, page_url: str) -> tuple[str | None, str | None]:
    stem = image_url.rsplit("/", 1)[-1].split("?", maxsplit=1)[0]
    if len(stem) < 6:
        return None, None
    for index in page.images:
        src = _img_src(page.nodes[index].tag)
        if src and stem in src:
            return _figure_caption(page, page.nodes[index].tag)
    return None, None


def _figure_caption(page: Page, tag: Tag) -> tuple[str | None, str | None]:
    """Caption and photo credit printed in the image's <figure>."""
    figure = tag if tag.name == "figure" else tag.find_parent("figure")
    if not isinstance(figure, Tag):
        return None, None
    caption_tag = figure.find("figcaption")
    if not isinstance(caption_tag, Tag):
        return None, None
    credit_tag = caption_tag.find(class_=_CREDIT_CLASS)
    credit = clean_space(credit_tag.get_text(" ")) if isinstance(credit_tag, Tag) else None
    caption: str | None = clean_space(caption_tag.get_text(" "))
    if credit:
        if caption and caption.endswith(credit):
            caption = caption[: -len(credit)].rstrip(" |-\u2013\u2014/")
        credit = credit_name(credit) or credit
    else:
        caption, credit = split_credit(caption or "")
    return caption or None, credit or None


_CREDIT_CLASS = re.compile(r"credit|copyright|source", re.IGNORECASE)
