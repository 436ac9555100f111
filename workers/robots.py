"""robots.txt rules (RFC 9309): parse once, then answer allow/deny and crawl-delay. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

# RFC 9309 asks crawlers to parse at least 500 KiB; more than that is ignored.
MAX_ROBOTS_BYTES = 512 * 1024


@dataclass(frozen=True, slots=True)
class _Rule:
    allow: bool
    path: str
    pattern: re.Pattern[str]


@dataclass(slots=True)
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[_Rule] = field(default_factory=list)
    crawl_delay: float | None = None


@dataclass(frozen=True, slots=True)
class RobotsPolicy:
    """The rules of one host that apply to one user agent."""

    rules: tuple[_Rule, ...] = ()
    crawl_delay: float | None = None

    @classmethod
    def allow_all(cls) -> RobotsPolicy:
        return cls()

    @classmethod
    def deny_all(cls) -> RobotsPolicy:
        return cls(rules=(_rule(allow=False, path="/"),))

    def allows(self, url: str) -> bool:
        """True when the URL may be fetched: the longest matching rule wins, allow on ties."""
        parts = urlsplit(url)
        target = _normalise_path(parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if target == "/robots.txt":
            return True
        best: _Rule | None = None
        for rule in self.rules:
            if not rule.pattern.match(target):
                continue
            if (
                best is None
                or len(rule.path) > len(best.path)
                or (len(rule.path) == len(best.path) and rule.allow and not best.allow)
            ):
                best = rule
        return best is None or best.allow


def _normalise_path(path: str) -> str:
    # Compare percent-encoded forms consistently: decode, then leave the raw characters.
    return unquote(path)


def _rule(allow: bool, path: str) -> _Rule:
    path = _normalise_path(path)
    anchored = path.endswith("$")
    body = path[:-1] if anchored else path
    regex = ".*".join(re.escape(piece) for piece in body.split("*"))
    return _Rule(allow=allow, path=path, pattern=re.compile(regex + ("$" if anchored else "")))


def parse_robots(text: str, user_agent: str) -> RobotsPolicy:
    """The policy for `user_agent` from a robots.txt body.

    Groups naming our product token apply (merged if several); otherwise the `*` group;
    otherwise everything is allowed.
    """
    token = user_agent.split("/", maxsplit=1)[0].strip().lower()
    groups: list[_Group] = []
    current: _Group | None = None
    last_was_agent = False
    for raw_line in text[:MAX_ROBOTS_BYTES].splitlines():
        line = raw_line.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, _, value = line.partition(":")
        key = key.strip().lower()
        value = value.strip()
        if key == "user-agent":
            if current is None or not last_was_agent:
                current = _Group()
                groups.append(current)
            current.agents.append(value.lower())
            last_was_agent = True
            continue
        last_was_agent = False
        if current is None:
            continue
        if key in ("allow", "disallow"):
            if value:
                current.rules.append(_rule(allow=key == "allow", path=value))
        elif key == "crawl-delay":
            try:
                current.crawl_delay = max(0.0, float(value))
            except ValueError:
                continue
    mine = [group for group in groups if any(agent == token for agent in group.agents)]
    if not mine:
        mine = [group for group in groups if "*" in group.agents]
    if not mine:
        return RobotsPolicy.allow_all()
    rules = tuple(rule for group in mine for rule in group.rules)
    delays = [group.crawl_delay for group in mine if group.crawl_delay is not None]
    return RobotsPolicy(rules=rules, crawl_delay=max(delays) if delays else None)
