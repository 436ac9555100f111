"""Class/id and phrase patterns that mark page furniture, captions, bylines and article bodies."""

from __future__ import annotations

import re
from functools import lru_cache

# Elements whose subtree never carries article prose.
SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "embed",
        "canvas",
        "select",
        "textarea",
        "option",
        "datalist",
        "button",
        "video",
        "audio",
        "map",
        "input",
        "dialog",
        "menu",
    }
)

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

# Flags a single element can carry; a node's context is the union over its ancestors.
JUNK = 1  # navigation, share bars, related stories, comments, ads...
CAPTION = 2  # figures, captions, photo credits
BYLINE = 4  # author lines
HIDDEN = 8  # not rendered
POSITIVE = 16  # looks like the article body container
TEASER = 32  # a teaser block found by the teaser scanner
STRUCTURAL_JUNK = 64  # nav/aside/footer elements (weaker than class evidence)
SUBTITLE_HINT = 128  # looks like a standfirst / dek
DATELINE = 256  # publication dates, reading times, article meta rows

_JUNK_TAGS = {"nav": STRUCTURAL_JUNK, "aside": STRUCTURAL_JUNK, "footer": STRUCTURAL_JUNK}
_CAPTION_TAGS = {"figure", "figcaption", "picture"}

_SEP = r"(?:^|[\s_\-:])"
_END = r"(?:$|[\s_\-:])"

# Substrings distinctive enough to flag furniture wherever they appear in a class or id.
_JUNK_SUBSTRINGS = re.compile(
    r"share(?!d)|sharing|social|related|newsletter|subscri|signup|sign-up|comment(?!ary)|disqus|"
    r"advert|sponsor|promo|outbrain|taboola|plista|breadcrumb|pagination|sidebar|cookie|"
    r"consent|popup|modal|recommend|toolbar|tooltip|skip-link|skiplink|newsticker|trending|"
    r"most-?read|most-?popular|mostviewed|most-?viewed|read-?more|also-?read|more-?stories|"
    r"more-?news|more-?articles|see-?also|further-?reading|paywall-?(?:banner|prompt|offer)|"
    r"login|register|carousel|gallery|jwplayer|video-?player|"
    # Quoted posts (a tweet's text in its blockquote) are story; these embeds carry only
    # platform chrome ("View this post on Instagram") until their scripts run.
    r"instagram-media|tiktok-embed|embed-?(?:instagram|youtube)|"
    r"table-?of-?contents|footnote-?ref|feedback|survey|bookmark|follow-?us|"
    r"topbar|navbar|navigation|masthead|site-?header|site-?footer|page-?footer|"
    r"inline-?ad|ad-?slot|adslot|ad-?container|ad-?wrapper|adunit|ad-?unit|"
    r"dfp|gpt-ad|nativead|native-ad|marketing|affiliate|print-?only|no-?print"
)
# Short words that only count as whole class tokens.
_JUNK_TOKENS = re.compile(
    _SEP + r"(ad|ads|adv|advert|nav|menu|rail|tags|tag|topics|keywords|footer|"
    r"d-none|toc|player|poll|quiz|rating|ratings|tools|actions|listen|audio|print|"
    r"banner|badge|disclaimer|more|next|prev|previous|breaking|related|video|bio|"
    r"infobox|info-box|factbox|fact-box|cta|toaster|slide-?in|slidein)" + _END
)
_CAPTION_SUBSTRINGS = re.compile(
    r"caption|credit|copyright|photo-?info|image-?info|img-?info|bildunterschrift|legende|"
    r"figcaption|media-?info|image-?source|bildquelle"
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


# Lines that introduce links to other stories or ask the reader to do something.
BOILERPLATE_LINE = re.compile(
    r"^\W*(?:read more|read also|also read|see also|related|more on this|more from|"
    r"recommended|watch|listen|click here|sign up|subscribe|advertisement|advertising|"
    r"sponsored|share this|share on|follow us|follow on|lesen sie auch|lesen sie mehr|"
    r"mehr zum thema|mehr dazu|auch interessant|das könnte sie auch interessieren|anzeige|"
    r"werbung|weiterlesen|zum thema|lire aussi|à lire aussi|a lire aussi|lire la suite|"
    r"voir aussi|publicité|lee también|leer más|ver también|publicidad|leia também|"
    r"leia mais|veja também|leggi anche|leggi di più|pubblicità|lees ook|lees meer|"
    r"läs också|läs mer|les også|les mer|læs også|læs mere|czytaj też|czytaj także|"
    r"читайте также|смотрите также|реклама|اقرأ أيضا|اقرأ أيضاً|إعلان)\b",
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
