"""URL rules: normalisation, canonical ids, domain scoping. Pure functions, no I/O."""

from __future__ import annotations

import hashlib
import posixpath
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never a different page.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref_src",
        "cmpid",
        "ncid",
        "ito",
        "at_medium",
        "at_campaign",
        "_ga",
        "yclid",
    }
)
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left unescaped when a path or query is re-quoted.
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"


def normalize_url(url: str, base: str | None = None) -> str | None:
    """Absolute, normalised form of an http(s) URL, or None when it is not one.

    Lower-cases scheme and host, drops default ports, fragments and tracking parameters,
    resolves dot segments and sorts the remaining query parameters, so two spellings of
    one page compare equal.
    """
    url = url.strip()
    if not url:
        return None
    try:
        if base is not None:
            url = urljoin(base, url)
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # malformed, e.g. an unclosed IPv6 bracket or a bad port
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _normalize_path(parts.path)
    query = _normalize_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def _normalize_path(path: str) -> str:
    if not path:
        return "/"
    trailing = path.endswith("/")
    cleaned = posixpath.normpath(unquote(path))
    if cleaned in (".", "//"):
        cleaned = "/"
    if trailing and not cleaned.endswith("/"):
        cleaned += "/"
    if not cleaned.startswith("/"):
        cleaned = "/" + cleaned
    return quote(cleaned, safe=_SAFE_PATH)


def _normalize_query(query: str) -> str:
    if not query:
        return ""
    pairs = [
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    pairs.sort()
    return urlencode(pairs, safe=_SAFE_QUERY)


def url_id(url: str) -> str:
    """Stable document id for a URL: sha256 of its normalised form, hex."""
    normalised = normalize_url(url) or url
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def host_of(url: str) -> str:
    """Lower-cased host name of a URL ('' when it has none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def in_domains(url: str, domains: list[str] | tuple[str, ...]) -> bool:
    """True when the URL's host is one of the domains or a subdomain of one."""
    host = host_of(url)
    if not host:
        return False
    for entry in domains:
        domain = entry.lower().lstrip(".")
        if host == domain or host.endswith("." + domain):
            return True
    return False
