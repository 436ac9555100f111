"""The teaser scan's tuning and vocabulary: element roles, class tokens, URL shapes."""

from __future__ import annotations

import re

from workers.extract.flags import CONTENT, EXCLUDED, IN_CAPTION, IN_HEADING, MUTED
from workers.extract.patterns import (
    CAPTION_WORDS,
    CHROME_TOKENS,
    CHROME_WORDS,
    CREDIT_WORDS,
    MUTED_TAGS,
)

# --- tuning -------------------------------------------------------------------------------

# A card is at most this much text and this many paragraphs (headline, summary, caption).
CARD_MAX_TEXT = 1500
CARD_MAX_PARAS = 6
# A box set into a story's prose is not widened over the story: from a card with no paragraph
# of its own, an element holding this many paragraphs and this much more text is the prose.
CARD_PROSE_PARAS = 3
CARD_PROSE_CHARS = 300
# Text outside cards a block container may hold (its heading, "Show more", ad labels).
BLOCK_MAX_OVERHEAD = 300
# The parent of at least GRID_MIN_CARDS sibling cards may hold more: per card this much text
# printed beside it (price, stars, a listing's second row), while the cards' text outweighs it.
GRID_MIN_CARDS = 4
GRID_OVERHEAD_PER_CARD = 150
# An anchor is "standalone" when its text is at least this share of its enclosing block.
STANDALONE_SHARE = 0.6
# Block headings are short.
HEADING_MAX_CHARS = 80
HEADING_MAX_WORDS = 10
# ...an element holding an h1-h6 may hold twice as much text (the heading and a line beside it).
HEADING_ELEMENT_MAX_CHARS = 2 * HEADING_MAX_CHARS
# How many nearby siblings may be looked at for a block heading.
HEADING_LOOKBACK = 1
# ...passing over at most this many siblings in all (empty ad slots, spacers).
HEADING_MAX_STEPS = 8
# A card's headline is cut to this length.
HEADLINE_MAX_CHARS = 300
# A title element nested in the card's title element, holding at least this share of its
# text, is the headline itself ("headline" > "headline-text" + a "read" cue beside it).
NESTED_TITLE_MIN_SHARE = 0.6
# A block's first card that is a bare link this short, outside the list of the other cards,
# is the block's linked heading ("Most read" -> /ranking/), not a story.
HEADING_LINK_MAX_CHARS = 30
HEADING_LINK_MAX_CJK = 20
# ...when the block holds at least this many cards, so that two are left after it.
LINKED_HEADING_MIN_CARDS = 3
# A story link's text: links shorter than this (and without a picture) are never stories.
LINK_MIN_CHARS = 6
# Headline-like link text: this long with this many spaces, or this many CJK characters
# among the first HEADLINE_CJK_WINDOW (menus and kickers are shorter).
HEADLINE_MIN_CHARS = 20
HEADLINE_MIN_SPACES = 3
HEADLINE_MIN_CJK = 8
HEADLINE_CJK_WINDOW = 40
# The least a card's headline may be: this long with a space, or this many CJK characters.
TITLE_MIN_CHARS = 10
TITLE_MIN_CJK = 4
# A "Read also:" label printed before a card's headline is at most this long.
LABEL_MAX_CHARS = 40
# An element with more links than this (outside its heading) is a tab bar, not a heading.
HEADING_MAX_LINKS = 2
# Without a related-style heading or label, a block needs this many cards.
MIN_BLOCK_CARDS = 2
# A numberless link on a site whose pages carry ids, with a last path segment of at most
# this many words, leads to a section, topic or service page ("/politics-government/").
SECTION_MAX_WORDS = 3
# A card's summary is an element holding at least this much text, cut to at most that much.
SUMMARY_MIN_CHARS = 20
SUMMARY_MAX_CHARS = 1000

# --- vocabularies -------------------------------------------------------------------------

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Elements that make a <header>/<footer> inside them local to content rather than the page's.
CONTENT_TAGS = frozenset({"article", "section", "aside", "li", "main"})
# Inline elements an anchor's enclosing block is looked for through.
INLINE = frozenset(
    {"a", "span", "strong", "b", "em", "i", "small", "font", "u", "mark", "time", "sup", "sub"}
    | {"abbr", "cite", "q", "s", "bdi", "bdo", "label"}
)
# Page chrome by element name; <header>/<footer> only outside article/section/aside/li/main.
CHROME = frozenset({"nav", "menu", "address", "header", "footer"})
# Page-level containers: a stray class like "has-navigation" on them excludes nothing.
NEVER_EXCLUDED = frozenset({"html", "body", "main", "article"})
STOP = frozenset({"html", "body", "main", "[document]"})
EXCLUDE_ROLES = frozenset({"navigation", "menu", "menubar", "banner", "contentinfo", "search"})
# The chrome words as whole tokens, with their compounds and plurals, share and comment boxes
# (which the body reads apart: "shared", "commentary"), and author boxes (bylines to the body).
EXCLUDE_TOKENS = frozenset(CHROME_WORDS + CHROME_TOKENS) | {
    "subnav",
    "mainmenu",
    "megamenu",
    "breadcrumbs",
    "pager",
    "paging",
    "share",
    "sharebar",
    "shares",
    "socials",
    "tagcloud",
    "comments",
    "comment",
    "cookies",
    "byline",
    "author",
    "authors",
    "avatar",
}
# Tokens of paid and commercial widgets: nothing inside is a teaser, whatever else the
# element calls itself ("rec-card--sponsored" is still sponsored).
PAID_TOKENS = frozenset(
    {"sponsored", "sponsor", "sponsors", "taboola", "outbrain", "plista", "trc", "partner"}
    | {"partners", "anzeige", "advertorial", "promoted", "paid", "adsbygoogle"}
)
COMMERCE_TOKENS = frozenset(
    {"job", "jobs", "jobboard", "shop", "coupon", "coupons", "voucher", "vouchers", "courses"}
    | {"academy", "price", "offers", "deal", "deals", "preisvergleich"}
)
# Commercial cards are dropped when they are the minority of a page's cards (a shop or job
# widget on a news page), kept when they make up the page (a shop's own category grid).
COMMERCE_MAX_SHARE = 0.5
# Tokens by which a card or block names itself; they outweigh an incidental excluded token.
KEEP_TOKENS = frozenset(
    {"card", "teaser", "teasers", "post", "posts", "story", "stories", "article", "articles"}
    | {"related", "more", "latest", "headline", "title"}
)
TITLE_TOKENS = frozenset({"title", "headline", "heading", "hed", "heads", "titel", "titre", "ttl"})
BLOCK_TITLE_TOKENS = TITLE_TOKENS | {"label", "head", "header"}
SUMMARY_TOKENS = frozenset(
    {"summary", "excerpt", "dek", "deck", "description", "desc", "standfirst"}
    | {"lead", "intro", "abstract", "subtitle", "subheadline", "text", "snippet"}
)
META_TOKENS = frozenset(
    {"date", "time", "timestamp", "byline", "author", "meta", "category", "kicker", "label"}
    | {"tag", "tags", "credit", "caption", "eyebrow", "overline", "topline", "section"}
)
# The caption and credit words, and as whole tokens also "legend" (a word the body would find
# inside "legendary") and the credit line's other names.
CAPTION_TOKENS = frozenset(CAPTION_WORDS) | {"legend"}
CREDIT_TOKENS = frozenset(CREDIT_WORDS) | {
    "credits",
    "photographer",
    "photocredit",
    "mediarights",
    "rights",
}
# Tab panes: a story listed in two panes ("Most read", "Most shared") is two teasers.
PANE_TOKENS = frozenset({"tabpanel", "pane", "panel", "tabcontent"})
# A card's tab pane is looked for at most this many levels above it.
PANE_MAX_DEPTH = 6
# Ranks and counters printed inside a linked headline ("1", "2.") are not part of it.
RANK_TOKENS = frozenset({"rank", "num", "number", "platz", "position", "counter", "index"})
# Small lines above a headline, inside its element: "Politics", "Exclusive", "WWF-Studie".
KICKER_TOKENS = frozenset(
    {"kicker", "dachzeile", "topline", "overline", "eyebrow", "roofline", "supertitle"}
    | {"overhead", "flag", "rubric", "category", "label", "tag", "marker", "spitzmarke"}
)
CAPTION_CONTEXT = CAPTION_TOKENS | CREDIT_TOKENS
SKIP_IMAGE_TOKENS = frozenset({"avatar", "logo", "icon", "author", "sprite", "emoji", "badge"})
# Path segments of pages that are not stories.
NON_STORY_SEGMENTS = frozenset(
    {"tag", "tags", "topic", "topics", "author", "authors", "autor", "autoren", "category"}
    | {"categories", "kategorie", "profile", "profiles", "user", "users", "search", "suche"}
    | {"login", "signin", "signup", "register", "subscribe", "subscription", "newsletter"}
    | {"newsletters", "account", "abo", "contact", "impressum", "imprint", "privacy"}
    | {"datenschutz", "terms", "about", "feed", "rss", "page", "comments", "cart"}
    | {"theme", "themes", "thema", "themen"}
    # paid content
    | {"sponsored", "partner", "partners", "anzeige", "advertorial", "promoted", "brandstudio"}
)
# A site's puzzles (a path segment) and games portal (a host's first label): their links open
# a game, not a story, and are treated as the shop's are. "games" as a path is a news section.
PUZZLE_SEGMENTS = frozenset(
    {"puzzles", "crossword", "crosswords", "sudoku", "kreuzwortraetsel", "raetsel"}
    | {"mots-croises", "crucigramas", "cruciverba"}
)
GAMES_HOST_LABELS = frozenset({"games", "spiele", "jeux", "juegos", "giochi"}) | PUZZLE_SEGMENTS
# Path segments of the shop, job, coupon, course, notice and games sections of a site.
COMMERCE_SEGMENTS = (
    frozenset(
        {"job", "jobs", "remote-jobs", "stellenmarkt", "products", "product", "shop", "coupons"}
        | {"vouchers", "gutscheine", "courses", "course", "classifieds", "preisvergleich"}
        | {"angebote"}
    )
    | PUZZLE_SEGMENTS
)
# First labels of hosts that sell or entertain rather than report: jobs.example.com,
# shop.example.com, games.example.com.
COMMERCE_HOST_LABELS = (
    frozenset(
        {"jobs", "job", "shop", "store", "vouchers", "coupons", "gutscheine", "academy", "deals"}
        | {"stellen", "dating", "tickets", "abo", "subscribe", "notices", "classifieds"}
        | {"listings"}
    )
    | GAMES_HOST_LABELS
)
NON_STORY_SUFFIXES = (
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".svg",
    ".pdf",
    ".mp3",
    ".mp4",
    ".xml",
    ".rss",
    ".zip",
)
SOCIAL_HOSTS = (
    "facebook.com",
    "twitter.com",
    "x.com",
    "linkedin.com",
    "pinterest.com",
    "reddit.com",
    "whatsapp.com",
    "wa.me",
    "t.me",
    "telegram.me",
    "instagram.com",
    "tiktok.com",
    "flipboard.com",
    "vk.com",
    "news.google.com",
    "apps.apple.com",
    "play.google.com",
    "threads.net",
    "bsky.app",
    "mastodon.social",
)
# App install and deep-link services: their links open an app store, not a story.
APP_LINK_HOSTS = ("adjust.com", "app.link", "onelink.me", "page.link", "appsflyer.com")
# Hosts whose links are never stories: social networks, app stores and app links.
OFF_SITE_HOSTS = SOCIAL_HOSTS + APP_LINK_HOSTS

TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
LABEL_TRIM = " \t\n:|-–—»›>•·"
EMPTY: frozenset[str] = frozenset()
# Second-level labels under country domains: "co.uk", "com.au", "or.jp".
SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go"})
COUNTRY_TLD_CHARS = 2
# Drawings: a <title> inside one names a shape, not the page.
DRAWINGS = frozenset({"svg", "math"})
# Elements read for page facts: links, <base>, canonical <link>, og: <meta>, <title>.
LINKING = frozenset({"a", "base", "link", "meta", "title"})
SITE_NAME_META = frozenset({"og:site_name", "application-name"})
TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s*::\s*|\s+·\s+")


# Flags an element's name alone sets on it and its descendants.
NAME_FLAGS = {
    **dict.fromkeys(MUTED_TAGS, EXCLUDED | MUTED),
    **dict.fromkeys(CONTENT_TAGS, CONTENT),
    **dict.fromkeys(HEADINGS, IN_HEADING),
    "figcaption": IN_CAPTION,
}
