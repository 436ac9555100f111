"""Class/id and phrase patterns that mark page furniture, captions, bylines and article bodies."""

from __future__ import annotations

import re
from functools import lru_cache

from workers.extract.flags import (
    BYLINE,
    CAPTION,
    DATELINE,
    HIDDEN,
    JUNK,
    POSITIVE,
    STRUCTURAL_JUNK,
    SUBTITLE_HINT,
)

# Elements whose text is never read and whose links are never teasers: raw text (scripts,
# styles), drawings, frames, form controls and the document's head. The teaser scan mutes
# these (walk.py and teasers/vocab.NAME_FLAGS).
MUTED_TAGS = frozenset(
    {"script", "style", "template", "noscript", "svg", "select", "button", "head", "iframe"}
)
# The body reads no prose from these: the muted elements, and besides them formulas, plugins
# and media (whose children are fallback text), form fields, image maps, dialogs and menus.
# The teaser scan still reads the links inside these ones (a <menu> is page chrome to it).
SKIP_TAGS = MUTED_TAGS | {
    "math",
    "object",
    "embed",
    "canvas",
    "textarea",
    "option",
    "datalist",
    "video",
    "audio",
    "map",
    "input",
    "dialog",
    "menu",
}
# Elements the walk never descends into: raw text, or drawings whose parts carry no prose.
OPAQUE_TAGS = frozenset({"script", "style", "svg", "math"})

# Elements that start a new text block.
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "picture",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)

HEADING_LEVEL = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


_JUNK_TAGS = {"nav": STRUCTURAL_JUNK, "aside": STRUCTURAL_JUNK, "footer": STRUCTURAL_JUNK}
_CAPTION_TAGS = {"figure", "figcaption", "picture"}

_SEP = r"(?:^|[\s_\-:])"
_END = r"(?:$|[\s_\-:])"

# Class words of page chrome (menus, footers, pagers, share bars, tag lists, cookie banners),
# the same for the body and the teaser scan (teasers/vocab EXCLUDE_TOKENS): these the body finds
# anywhere in a class name...
CHROME_WORDS = (
    "navbar",
    "navigation",
    "breadcrumb",
    "pagination",
    "sharing",
    "social",
    "cookie",
    "consent",
    "skiplink",
    "toolbar",
)
# ...and these short ones only as whole class tokens.
CHROME_TOKENS = ("nav", "menu", "footer", "tags", "tag", "keywords")

# Substrings distinctive enough to flag furniture wherever they appear in a class or id.
_JUNK_SUBSTRINGS = re.compile(
    "|".join(CHROME_WORDS)
    + r"|share(?!d)|related|newsletter|subscri|signup|sign-up|comment(?!ary)|disqus|"
    r"advert|sponsor|promo|outbrain|taboola|plista|sidebar|"
    r"popup|modal|recommend|tooltip|skip-link|newsticker|trending|"
    r"most-?read|most-?popular|mostviewed|most-?viewed|read-?more|also-?read|more-?stories|"
    r"more-?news|more-?articles|see-?also|further-?reading|paywall-?(?:banner|prompt|offer)|"
    r"login|register|carousel|gallery|jwplayer|video-?player|"
    # Quoted posts (a tweet's text in its blockquote) are story; these embeds carry only
    # platform chrome ("View this post on Instagram") until their scripts run.
    r"instagram-media|tiktok-embed|embed-?(?:instagram|youtube)|"
    r"table-?of-?contents|footnote-?ref|feedback|survey|bookmark|follow-?us|"
    r"topbar|masthead|site-?header|site-?footer|page-?footer|"
    r"inline-?ad|ad-?slot|adslot|ad-?container|ad-?wrapper|adunit|ad-?unit|"
    r"dfp|gpt-ad|nativead|native-ad|marketing|affiliate|print-?only|no-?print"
)
# Short words that only count as whole class tokens.
_JUNK_TOKENS = re.compile(
    _SEP + "(" + "|".join(CHROME_TOKENS) + r"|ad|ads|adv|advert|rail|topics|"
    r"d-none|toc|player|poll|quiz|rating|ratings|tools|actions|listen|audio|print|"
    r"banner|badge|disclaimer|more|next|prev|previous|breaking|related|video|bio|"
    r"infobox|info-box|factbox|fact-box|cta|toaster|slide-?in|slidein)" + _END
)
# Class words of image captions and of photo credits: the body finds them anywhere in a class
# name, the teaser scan as whole class tokens (teasers/vocab CAPTION_TOKENS, CREDIT_TOKENS).
CAPTION_WORDS = ("caption", "figcaption")
CREDIT_WORDS = ("credit", "copyright")
_CAPTION_SUBSTRINGS = re.compile(
    "|".join(CAPTION_WORDS + CREDIT_WORDS)
    + r"|photo-?info|image-?info|img-?info|bildunterschrift|legende|media-?info|image-?source|"
    r"bildquelle"
)
_BYLINE_SUBSTRINGS = re.compile(
    r"byline|author|writer|contributor|journalist|autor|auteur|firma|signature|"
    r"reporter-?name|credits?-?name"
)
_BYLINE_TOKENS = re.compile(_SEP + r"(by|source)" + _END)
_DATELINE_SUBSTRINGS = re.compile(
    r"dateline|timestamp|published|publish-?(?:date|time|info|on)|pubdate|posted-?on|"
    r"(?:article|post|entry|story)-?(?:date|time|info|meta)|post-?meta|entry-?meta|"
    r"meta-?data|date-?time|datetime|updated|reading-?time|readtime|lesezeit|read-?time"
)
_DATELINE_TOKENS = re.compile(_SEP + r"(date|time|info|meta|stand)" + _END)
_POSITIVE = re.compile(
    r"(?:article|story|entry|post|news|content|main|page|text)[-_]{0,2}(?:body|content|text|copy)|"
    r"body[-_]?(?:text|copy|content)|rich[-_]?text|articlebody|field--name-body|"
    r"article-?detail|story-?detail|news-?detail|paywall|article-?main"
)
_SUBTITLE = re.compile(
    r"standfirst|subtitle|sub-title|subheadline|sub-headline|subhead(?!ing)|dek(?:$|[\s_-])|"
    r"deck(?:$|[\s_-])|lede|lead(?:$|\s|text|-text|__text|_text|-paragraph)|intro|summary|"
    r"excerpt|abstract|"
    r"description|strapline|chapo|chapeau|vorspann|entradilla|sottotitolo|kicker-?text|"
    r"teaser|sapo|ingress|ingres|"
    r"bajada|occhiello|"
    r"leadtext|lead-text|articlelead|article-?lead|article__lead|summary-?text"
)
_HIDDEN_CLASS = re.compile(
    r"sr-only|visually-?hidden|screen-?reader|a11y-?hidden|offscreen|u-hidden-visually"
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")


_MAX_TOKEN_CHARS = 48
_MAX_TOKEN_HYPHENS = 5

# Flags implied by the tag name alone.
TAG_FLAGS = {
    **_JUNK_TAGS,
    **dict.fromkeys(_CAPTION_TAGS, CAPTION),
}


@lru_cache(maxsize=16384)
def classify_attrs(name: str, class_id: str) -> int:
    """Flags implied by an element's tag name and its class/id text (lower-cased)."""
    flags = TAG_FLAGS.get(name, 0)
    if class_id:
        tokens = class_id.split()
        for token in tokens:
            # Long hyphenated ids are slugs of headlines ("...-promoted-..."), not roles.
            if len(token) <= _MAX_TOKEN_CHARS and token.count("-") <= _MAX_TOKEN_HYPHENS:
                flags |= _classify_token(token)
        # "hidden" hides unless a responsive utility ("md:block") shows it on other screens.
        if _HIDING_TOKENS.intersection(tokens) and not any(":" in token for token in tokens):
            flags |= HIDDEN
    return flags


_HIDING_TOKENS = frozenset(
    {"hidden", "is-hidden", "d-none", "hide", "hidecompletely", "u-hidden", "js-hidden"}
)


@lru_cache(maxsize=16384)
def _classify_token(token: str) -> int:
    if "__" in token:
        # BEM "block__element--modifier": the element names this node's role; the block
        # names the component around it ("sidebar-grid__content" is content, not a sidebar).
        element = token.rsplit("__", 1)[1].split("--", 1)[0]
        return _classify_token(element) | (_classify_token_text(token) & POSITIVE)
    return _classify_token_text(token)


_TOKEN_RULES: tuple[tuple[re.Pattern[str], int], ...] = (
    (_HIDDEN_CLASS, HIDDEN),
    (_CAPTION_SUBSTRINGS, CAPTION),
    (_POSITIVE, POSITIVE),
    (_SUBTITLE, SUBTITLE_HINT),
    (_BYLINE_SUBSTRINGS, BYLINE),
    (_BYLINE_TOKENS, BYLINE),
    (_DATELINE_SUBSTRINGS, DATELINE),
    (_DATELINE_TOKENS, DATELINE),
    (_JUNK_SUBSTRINGS, JUNK),
    (_JUNK_TOKENS, JUNK),
)
# One pass that rules out most class names ("row", "col-md-6") before the detailed checks.
_ANY_RULE = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in _TOKEN_RULES))


def _classify_token_text(token: str) -> int:
    if not _ANY_RULE.search(token):
        return 0
    flags = 0
    for pattern, flag in _TOKEN_RULES:
        if not flags & flag and pattern.search(token):
            flags |= flag
    return flags


def is_hidden_style(style: str) -> bool:
    """True when an inline style hides the element."""
    return bool(_HIDDEN_STYLE.search(style))


# --- phrases: one list each, read by the body filter and the teaser scan -------------------

# Labels that introduce links to other stories ("Also read:", "Lesen Sie auch").
SEE_ALSO_PHRASES = (
    "read also", "also read", "see also", "read next", "up next", "next up", "related",
    "more on this", "more from",
    "more for you", "more stories", "more news", "further reading", "recommended",
    "you may also like", "you might also like",
    "lesen sie auch", "lesen sie mehr", "mehr zum thema", "mehr dazu", "auch interessant",
    "das könnte sie auch interessieren", "weitere artikel", "zum thema",
    "lire aussi", "à lire aussi", "a lire aussi", "voir aussi", "sur le même sujet",
    "lee también", "ver también", "te puede interesar", "noticias relacionadas",
    "leia também", "veja também", "leggi anche", "potrebbe interessarti", "lees ook",
    "läs också", "les også", "læs også", "czytaj też", "czytaj także",
    "читайте также", "смотрите также", "اقرأ أيضا", "اقرأ أيضاً",
    "관련기사", "関連記事", "相关新闻", "相關新聞",
)  # fmt: skip
# Links that only lead on to the rest of a story ("Read more", "Weiterlesen").
READ_MORE_PHRASES = (
    "read more", "keep reading", "read on", "read the full story", "read the full article",
    "continue reading", "full story", "view more", "see more", "show more", "show less",
    "learn more", "weiterlesen", "lire la suite", "lire plus", "leer más", "seguir leyendo",
    "leggi tutto", "leggi di più", "leia mais", "läs mer", "les mer", "læs mere", "lees meer",
    "czytaj więcej", "подробнее", "читать далее", "더보기", "続きを読む",
)  # fmt: skip
# Words that are a "read more" link only when they are the whole label ("More »").
READ_MORE_WORDS = ("more", "mehr")
# Headings of teaser blocks besides the see-also labels ("Most read", "Latest").
BLOCK_HEADING_PHRASES = (
    "more on", "more in", "more like this", "latest", "popular", "watch next", "most read",
    "most popular", "most viewed", "most shared", "trending", "top stories", "editor's picks",
    "editors picks", "editors' picks", "don't miss", "dont miss", "meistgelesen",
)  # fmt: skip
# Lines that ask the reader to do something, or label an advertisement.
CALL_TO_ACTION_PHRASES = (
    "watch", "listen", "click here", "sign up", "subscribe", "advertisement", "advertising",
    "sponsored", "share this", "share on", "follow us", "follow on", "anzeige", "werbung",
    "publicité", "publicidad", "pubblicità", "реклама", "إعلان",
)  # fmt: skip


def _alternation(*phrases: tuple[str, ...]) -> str:
    """A regex alternation of phrases, longest first, so no phrase shadows a longer one."""
    words = sorted({phrase for group in phrases for phrase in group}, key=len, reverse=True)
    return "|".join(re.escape(word) for word in words)


# Lines that introduce links to other stories or ask the reader to do something.
BOILERPLATE_LINE = re.compile(
    r"^\W*(?:" + _alternation(SEE_ALSO_PHRASES, READ_MORE_PHRASES, CALL_TO_ACTION_PHRASES) + r")\b",
    re.IGNORECASE,
)
# Whole-line labels of page widgets set into the story: a table of contents, the like and
# share bars of blog platforms ("Like this:", "Like Loading..."). Only the whole line.
WIDGET_LABEL = re.compile(
    r"^\W*(?:table of contents|contents|like this|like loading|"
    r"share this(?: post| article| story| page)?)\W*$",
    re.IGNORECASE,
)
# A whole label that is a "read more" link.
READ_MORE_LABEL = re.compile(
    r"^\W*(?:" + _alternation(READ_MORE_PHRASES, READ_MORE_WORDS) + r")\W*$", re.IGNORECASE
)
# A whole label that sends to a section or list, not to one story ("See all", "Alle
# Schlagzeilen anzeigen", "Voir tout"): never a story link, whatever it points at.
SHOW_ALL_LABEL = re.compile(
    r"^\W*(?:(?:see|view|show|browse|explore)\s+all(?:\s+\w+){0,2}|all\s+(?:the\s+)?(?:news|stories|"
    r"headlines|articles|posts|videos)|alle\s+(?:\w+\s+){0,2}(?:anzeigen|ansehen)|alle\s+"
    r"(?:schlagzeilen|nachrichten|artikel|meldungen|beiträge|videos)|voir\s+tou[ts]|tou(?:te)?s\s+"
    r"les\s+(?:actualités|articles|infos|vidéos)|ver\s+tod[oa]s?|todas\s+las\s+noticias|"
    r"vedi\s+tutt[eoi]|tutte\s+le\s+notizie)\W*$",
    re.IGNORECASE,
)
# A label or heading naming a block of links to other stories ("More for you", "Lire aussi").
RELATED_LABEL = re.compile(
    r"^\W*(?:" + _alternation(SEE_ALSO_PHRASES, BLOCK_HEADING_PHRASES, ("read more",)) + r")",
    re.IGNORECASE,
)
# Labels and headings that mark paid content: links under them are never teasers.
SPONSORED_LABEL = re.compile(
    r"^\W*(?:sponsored|paid (?:content|post|partner)|partner (?:content|news|stories)|"
    r"promoted|advertorial|anzeige|werbung|publicité|publicidad|pubblicità|"
    r"from (?:our|the web|around the web)|around the web|you may like|recommended by)\b",
    re.IGNORECASE,
)

# Paywall and registration notices printed where the story stops.
PAYWALL_LINE = re.compile(
    r"r[ée]serv[ée]e?s? aux abonn[ée]s|il vous reste \d|d[ée]j[àa] abonn[ée]|"
    r"exclusiv[oa]s? para (?:suscriptores|assinantes)|s[óo]lo para suscriptores|"
    r"nur f[üu]r abonnent|f[üu]r abonnenten|jetzt abonnieren|bereits abonnent|"
    r"subscribers? only|for subscribers|reserved for subscribers|subscribe to (?:continue|read)|"
    r"already a subscriber|sign in to (?:continue|read|unlock)|"
    r"register to (?:continue|read|unlock)|"
    r"create (?:a free )?account to|riservato agli abbonati|solo per gli abbonati|"
    r"alleen voor abonnees|kun for abonnenter|endast f[öo]r prenumeranter",
    re.IGNORECASE,
)

# A shop's buy button, as its visible label ("Add to cart", "In den Warenkorb").
SHOP_BUTTON = re.compile(
    r"^\W*(?:add to (?:shopping )?(?:cart|bag|basket|trolley)|buy now|"
    r"in den warenkorb|ajouter au panier|añadir al carrito|aggiungi al carrello)\b",
    re.IGNORECASE,
)
SHOP_BUTTON_MAX_CHARS = 60

# Class/id text of reader comments and replies, which no furniture-named box of the story
# may be taken for, however much prose it holds.
COMMENT_BOX = re.compile(r"comment|disqus|repl(?:y|ies)|respons|discussion|forum|review")
