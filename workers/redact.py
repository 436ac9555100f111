"""Credentials out of text: `https://user:secret@host` becomes `https://user:***@host`."""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any

# scheme://userinfo@ where userinfo is user or user:password (no whitespace, '/' or '@').
_USERINFO = re.compile(
    r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]*)(?P<password>:[^/@\s]*)?@"
)
# Authorization header values and api keys that a client error message may quote.
_AUTH_HEADER = re.compile(
    r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(basic|apikey|bearer)\s+[^\s'\",}]+"
)


def redact(text: str) -> str:
    """The text with every password in a URL and every Authorization value masked."""
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)
    return _AUTH_HEADER.sub(lambda m: f"{m[1]}{m[2]} ***", text)


def redact_event(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> Mapping[str, Any]:
    """structlog processor: redact every string value of a log event."""
    return {key: redact(value) if isinstance(value, str) else value for key, value in event.items()}
