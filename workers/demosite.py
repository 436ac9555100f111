"""A small synthetic news site over HTTP, for the demo stack and the integration tests.

Every page is generated from invented words: a home page of teaser cards, article pages
with JSON-LD, a byline, an agency credit, a lead image and a "More For You" block, plus an
RSS feed, a sitemap and robots.txt. With `publish_every`, a new story appears on a timer,
so a scheduled crawl has something fresh to find. Tests add misbehaving routes.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

SYLLABLES = (
    "var", "nel", "tor", "bri", "ost", "ka", "lin", "dor", "mar", "vel", "sen", "tal",
    "quo", "ber", "ish", "an", "ul", "rem", "pha", "zin", "gor", "lo", "vi", "den",
)  # fmt: skip
ROLES = ("mayor", "minister", "council leader", "harbour master", "chief engineer", "judge")
THINGS = (
    "the harbour plan", "the rail link", "the water budget", "the school reform",
    "the bridge repairs", "the festival permit", "the wind farm", "the tram extension",
)  # fmt: skip
VERBS = ("approved", "rejected", "delayed", "defended", "questioned", "revised", "announced")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SECTIONS = ("City", "Region", "Business", "Culture")
# Sections linked from every page's navigation bar.
NAV_SECTIONS = ("City", "Region")
AGENCIES = ("PTI", "Reuters", "AFP")


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


def _name(rng: random.Random) -> str:
    return f"{_word(rng, 2).title()} {_word(rng, 3).title()}"


@dataclass(frozen=True, slots=True)
class Story:
    """One generated article; `marker` is a word that appears in no other story."""

    number: int
    slug: str
    headline: str
    standfirst: str
    author: str
    agency: str
    section: str
    published: datetime
    paragraphs: tuple[str, ...]
    marker: str
    caption: str
    credit: str

    @property
    def path(self) -> str:
        return f"/news/{self.slug}-{self.number}.html"

    @property
    def image_path(self) -> str:
        return f"/images/{self.number}.jpg"

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def make_story(number: int, published: datetime) -> Story:
    """Story `number`, the same every time it is generated."""
    rng = random.Random(number * 7919)
    place = _word(rng, 3).title()
    person = _name(rng)
    role = rng.choice(ROLES)
    thing = rng.choice(THINGS)
    verb = rng.choice(VERBS)
    marker = f"{_word(rng, 3)}{number}"
    day = DAYS[published.weekday()]
    paragraphs = [
        f"The {role} of {place}, {person}, {verb} {thing} on {day}, ending weeks of debate "
        f"in the town hall.",
        f"Residents of the {marker} district had asked for a vote before any decision, and "
        f"several of them followed the session from the public gallery.",
        f"{person} told reporters that {thing} would be reviewed again in spring, once the "
        f"new figures from the regional office are published.",
        "Opponents said the plan left too many questions open, while supporters pointed to "
        "the cost of waiting another year.",
        f"A spokesperson for the regional office of {place} confirmed that the documents "
        f"would be made public within a fortnight.",
    ]
    headline = f"{place} {role} {verb} {thing}"
    return Story(
        number=number,
        slug=f"{place.lower()}-{thing.split()[-1].replace(' ', '-')}",
        headline=headline[0].upper() + headline[1:],
        standfirst=f"The decision on {thing} in {place} follows weeks of public debate.",
        author=_name(rng),
        agency=rng.choice(AGENCIES),
        section=rng.choice(SECTIONS),
        published=published,
        paragraphs=tuple(paragraphs),
        marker=marker,
        caption=f"The town hall of {place} during {day}'s session.",
        credit=f"Photo: {_name(rng)}",
    )


def _teaser_card(story: Story, level: str = "h3") -> str:
    return f"""
    <article class="card">
      <figure><img src="{story.image_path}" alt="{html.escape(story.headline)}">
        <figcaption>{html.escape(story.caption)} <span class="credit">{story.credit}</span>
        </figcaption></figure>
      <{level}><a href="{story.path}">{html.escape(story.headline)}</a></{level}>
      <p class="summary">{html.escape(story.standfirst)}</p>
    </article>"""


class NewsSite:
    """The site's content and routes; thread-safe, served by `serve`."""

    def __init__(self, stories: int = 5, publish_every: float = 0.0, name: str = "Demo Times"):
        self.name = name
        self.initial = stories
        self.publish_every = publish_every
        self.started = time.time()
        # The first stories are dated an hour apart up to the hour the site started, so
        # they are recent for any max_age; later ones when they appear.
        start_hour = datetime.fromtimestamp(self.started, UTC).replace(
            minute=0, second=0, microsecond=0
        )
        self.epoch = start_hour - timedelta(hours=stories)
        # Feeds this site's pages announce with <link rel="alternate"> (paths).
        self.announced_feeds: list[str] = []
        self.extra_routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self.robots = "User-agent: *\nDisallow: /private/\n"
        # Extra links on the home page, e.g. to misbehaving routes a test adds.
        self.extra_links: list[str] = []
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()

    def count(self) -> int:
        if self.publish_every <= 0:
            return self.initial
        return self.initial + int((time.time() - self.started) // self.publish_every)

    def stories(self) -> list[Story]:
        """Published stories, newest first."""
        return [make_story(n, self.published(n)) for n in range(self.count(), 0, -1)]

    def story(self, number: int) -> Story | None:
        if 1 <= number <= self.count():
            return make_story(number, self.published(number))
        return None

    def published(self, number: int) -> datetime:
        """When story `number` appeared."""
        if number <= self.initial:
            return self.epoch + timedelta(hours=number)
        seconds = (number - self.initial) * self.publish_every
        return datetime.fromtimestamp(self.started + seconds, UTC).replace(microsecond=0)

    def record_hit(self, path: str) -> None:
        with self._lock:
            self.hits[path] = self.hits.get(path, 0) + 1

    # pages ------------------------------------------------------------------------------

    def home(self) -> str:
        extra = "".join(f'<li><a href="{link}">{link}</a></li>' for link in self.extra_links)
        return self._listing("Latest news", self.stories()[:20], f"<ul>{extra}</ul>")

    def section(self, name: str) -> str:
        stories = [story for story in self.stories() if story.section.lower() == name][:20]
        return self._listing(name.title(), stories)

    def _listing(self, heading: str, stories: list[Story], extra: str = "") -> str:
        cards = "".join(_teaser_card(story) for story in stories)
        return self._layout(
            f"{heading} | {self.name}",
            f'<main><h1>{heading}</h1><section class="grid">{cards}</section>{extra}</main>',
        )

    def article(self, story: Story, base: str) -> str:
        others = [s for s in self.stories() if s.number != story.number][:4]
        more = "".join(_teaser_card(s, "h4") for s in others)
        body = "".join(f"<p>{html.escape(p)}</p>" for p in story.paragraphs)
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.headline,
            "description": story.standfirst,
            "datePublished": story.published.isoformat(),
            "author": [{"@type": "Person", "name": story.author}],
            "articleSection": story.section,
            "inLanguage": "en",
            "image": f"{base}{story.image_path}",
            "mainEntityOfPage": f"{base}{story.path}",
        }
        content = f"""
<main><article class="story">
  <p class="kicker">{story.section}</p>
  <h1>{html.escape(story.headline)}</h1>
  <p class="standfirst">{html.escape(story.standfirst)}</p>
  <p class="byline">By <a href="/authors/{story.number}">{story.author}</a>
     · <time datetime="{story.published.isoformat()}">{story.published:%d %B %Y}</time></p>
  <figure class="lead"><img src="{story.image_path}" alt="">
    <figcaption>{html.escape(story.caption)} ({story.credit})</figcaption></figure>
  <div class="body">{body}<p>({story.agency})</p></div>
</article>
<aside class="more"><h2>More For You</h2>{more}</aside></main>"""
        head = f"""
<link rel="canonical" href="{base}{story.path}">
<meta property="og:title" content="{html.escape(story.headline)}">
<meta property="og:type" content="article">
<meta name="author" content="{story.author}">
<meta property="article:published_time" content="{story.published.isoformat()}">
<script type="application/ld+json">{json.dumps(data)}</script>"""
        return self._layout(f"{story.headline} | {self.name}", content, head)

    def feed(self, base: str) -> str:
        items = "".join(
            f"<item><title>{html.escape(s.headline)}</title><link>{base}{s.path}</link>"
            f"<pubDate>{s.published:%a, %d %b %Y %H:%M:%S +0000}</pubDate>"
            f"<description>{html.escape(s.standfirst)}</description></item>"
            for s in self.stories()[:20]
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{self.name}</title><link>{base}/</link>{items}</channel></rss>"
        )

    def sitemap(self, base: str) -> str:
        urls = "".join(
            f"<url><loc>{base}{s.path}</loc><lastmod>{s.published.isoformat()}</lastmod></url>"
            for s in self.stories()
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        )

    def _layout(self, title: str, content: str, head: str = "") -> str:
        head += "".join(
            f'<link rel="alternate" type="application/rss+xml" href="{path}">'
            for path in self.announced_feeds
        )
        nav = "".join(f' <a href="/section/{name.lower()}">{name}</a>' for name in NAV_SECTIONS)
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>{head}</head>
<body><header><nav><a href="/">Home</a>{nav}</nav></header>
{content}
<footer><p>© {self.name}. Invented stories for testing.</p></footer></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        site = self.server.site
        path = urlsplit(self.path).path
        site.record_hit(path)
        if path in site.extra_routes:
            site.extra_routes[path](self)
            return
        base = f"http://{self.headers.get('Host', 'localhost')}"
        if path == "/":
            self._send(200, "text/html; charset=utf-8", site.home())
        elif path == "/robots.txt":
            self._send(200, "text/plain", site.robots)
        elif path == "/feed.xml":
            self._send(200, "application/rss+xml", site.feed(base))
        elif path == "/sitemap.xml":
            self._send(200, "application/xml", site.sitemap(base))
        elif path.startswith("/section/") and path.count("/") == 2:
            self._send(200, "text/html; charset=utf-8", site.section(path.rsplit("/", 1)[1]))
        elif path.startswith("/images/"):
            self._send(200, "image/jpeg", "")
        elif path.startswith("/news/") and path.endswith(".html"):
            number = path.rsplit("-", 1)[-1].removesuffix(".html")
            story = site.story(int(number)) if number.isdigit() else None
            if story is None:
                self._send(404, "text/html", "<h1>Not found</h1>")
            else:
                self._send(200, "text/html; charset=utf-8", site.article(story, base))
        else:
            self._send(404, "text/html", "<h1>Not found</h1>")

    def _send(self, status: int, content_type: str, text: str) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A crawler hanging up mid-response is not the site's problem."""

    def __init__(self, address: tuple[str, int], site: NewsSite) -> None:
        super().__init__(address, _Handler)
        self.site = site


def serve(site: NewsSite, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Start serving `site` in a background thread; port 0 picks a free one."""
    server = _Server((host, port), site)
    threading.Thread(target=server.serve_forever, name="news-site", daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--stories", type=int, default=5)
    parser.add_argument("--publish-every", type=float, default=120.0, help="seconds; 0 = never")
    args = parser.parse_args()
    site = NewsSite(stories=args.stories, publish_every=args.publish_every)
    server = _Server((args.host, args.port), site)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
