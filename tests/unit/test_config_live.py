"""The sources file as a live config: reloads on change, keeps the last good version when a
change does not validate; `ingest sources --check` and `ingest urltest`. No Redis."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import structlog

from tests.integration.inprocess import invoke
from workers import app as app_module
from workers.app import SourceCatalog, _celery_config
from workers.errors import ConfigError
from workers.settings import Settings

GOOD = """sources:
  - name: one
    start_urls: ["https://news.example/"]
    allow: ['^/news/']
    deny: ['/comments$']
"""


def _write(path: Path, text: str, stamp: float) -> None:
    """Write the file with a distinct mtime (two writes in one clock tick look the same)."""
    path.write_text(text)
    os.utime(path, (stamp, stamp))


def test_catalog_reloads_when_the_file_changes(tmp_path: Path) -> None:
    """An added source is seen on the next call after the file changed, without a restart."""
    path = tmp_path / "sources.yaml"
    _write(path, GOOD, 1000)
    catalog = SourceCatalog(path)
    assert list(catalog.all()) == ["one"]
    _write(path, GOOD + '  - name: two\n    feeds: ["https://b.example/rss"]\n', 1001)
    assert list(catalog.all()) == ["one", "two"]
    assert catalog.get("two").feeds == ("https://b.example/rss",)


def test_invalid_change_keeps_the_last_good_sources_and_is_logged(tmp_path: Path) -> None:
    """A change that does not validate leaves the last good sources in use, logs
    config_invalid with the error, and a fixed file clears the error."""
    path = tmp_path / "sources.yaml"
    _write(path, GOOD, 1000)
    catalog = SourceCatalog(path)
    catalog.all()
    _write(path, GOOD.replace("'^/news/'", "'(news'") + "    delay: -2\n", 1001)
    with structlog.testing.capture_logs() as logs:
        kept = catalog.all()
        catalog.all()  # the same broken version is not reported twice
    assert [p.pattern for p in kept["one"].allow] == ["^/news/"]
    assert catalog.error is not None
    assert "source #1 (one): allow: invalid regular expression '(news'" in catalog.error
    assert "delay: must be >= 0" in catalog.error
    invalid = [entry for entry in logs if entry["event"] == "config_invalid"]
    assert len(invalid) == 1
    assert invalid[0]["error"] == catalog.error
    assert invalid[0]["kept_last_good"] is True

    _write(path, GOOD.replace("'^/news/'", "'^/world/'"), 1002)
    assert [p.pattern for p in catalog.all()["one"].allow] == ["^/world/"]
    assert catalog.error is None


def test_catalog_with_no_good_version_raises(tmp_path: Path) -> None:
    """A process that never read a valid file (and has no Redis copy) raises the error."""
    path = tmp_path / "sources.yaml"
    _write(path, "sources: [", 1000)
    with pytest.raises(ConfigError, match="invalid YAML"):
        SourceCatalog(path).all()


def test_sources_check_prints_one_line_per_problem(tmp_path: Path) -> None:
    """`ingest sources --check FILE` exits 1 with each problem on its own line, 0 when valid."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD + '  - name: two\n    start_urls: ["https://b.example/"]\n    delay: -1\n'
                   "    depth: 3\n")  # fmt: skip
    result = invoke(["sources", "--check", str(bad)], {})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {bad}: source #2 (two): delay: must be >= 0",
        f"error: {bad}: source #2 (two): depth: unknown key",
    ]
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    result = invoke(["sources", "--check", str(good)], {})
    assert result.returncode == 0
    assert result.stdout.strip() == f"{good}: ok, 1 source(s)"


def test_sources_check_defaults_to_the_configured_file(tmp_path: Path) -> None:
    """Without FILE, --check validates INGEST_SOURCES."""
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources: {}\n")
    result = invoke(["sources", "--check"], {"INGEST_SOURCES": str(bad)})
    assert result.returncode == 1
    assert "expected a top-level 'sources:' list" in result.stderr


@pytest.mark.parametrize(
    ("url", "code", "lines"),
    [
        (
            "https://news.example/news/a.html",
            0,
            ["followed  https://news.example/news/a.html",
             "  rule: allow: pattern '^/news/' matches"],
        ),
        (
            "https://news.example/news/a/comments",
            1,
            ["not followed  https://news.example/news/a/comments",
             "  rule: deny: pattern '/comments$' matches"],
        ),
        (
            "https://news.example/news/?page=9&utm_source=x",
            1,
            ["not followed  https://news.example/news/?page=9",
             "  normalised from: https://news.example/news/?page=9&utm_source=x",
             "  rule: trap max_page: page 9 > 5"],
        ),
        (
            "https://other.example/news/a",
            1,
            ["not followed  https://other.example/news/a",
             "  rule: domain: other.example is not in allowed_domains (news.example)"],
        ),
    ],
)  # fmt: skip
def test_urltest_says_whether_and_why(
    tmp_path: Path, url: str, code: int, lines: list[str]
) -> None:
    """`ingest urltest SOURCE URL` names the deciding rule, says robots.txt is not checked,
    and exits 0 when the link would be followed, 1 when not."""
    path = tmp_path / "sources.yaml"
    path.write_text(GOOD)
    result = invoke(["urltest", "one", url], {"INGEST_SOURCES": str(path)})
    assert result.returncode == code
    assert result.stdout.splitlines() == [
        *lines,
        "  robots.txt: not checked (urltest does not fetch it; the crawl does)",
    ]


def test_urltest_unknown_source_or_bad_url_exit_2(tmp_path: Path) -> None:
    """An unknown source or a URL that is not http(s) is an error (exit 2), not a 'no'."""
    path = tmp_path / "sources.yaml"
    path.write_text(GOOD)
    env = {"INGEST_SOURCES": str(path)}
    unknown = invoke(["urltest", "nope", "https://news.example/"], env)
    assert unknown.returncode == 2
    assert "unknown source 'nope'" in unknown.stderr
    assert invoke(["urltest", "one", "ftp://news.example/"], env).returncode == 2


def test_beat_has_one_tick_entry_at_the_configured_period() -> None:
    """Beat's schedule is a single crawl.tick at INGEST_SCHEDULE_TICK, dropped when stale."""
    settings = Settings(INGEST_SCHEDULE_TICK=2.5)
    schedule = _celery_config(settings)["beat_schedule"]
    assert schedule == {
        "crawl-tick": {"task": "crawl.tick", "schedule": 2.5, "options": {"expires": 2.5}}
    }
    assert Settings.model_fields["schedule_tick"].default == 15.0


def _fake_worker(queues: dict[str, object]) -> object:
    """Stands for the WorkController sent with worker_init: only its consumed queues."""

    class Queues(dict[str, object]):
        consume_from = queues

    class Amqp:
        queues = Queues()

    class App:
        amqp = Amqp()

    class Worker:
        app = App()

    return Worker()


def test_a_parse_worker_compiles_the_site_rules_before_its_pool_forks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """worker_init loads the rules in a worker that parses (its pool processes inherit
    them, and resources() after the fork uses that catalog); a crawl worker does not."""

    rules = tmp_path / "site_rules.yaml"
    rules.write_text((Path(__file__).parents[2] / "config" / "site_rules.yaml").read_text())
    settings = Settings(INGEST_SITE_RULES=str(rules))
    monkeypatch.setattr(app_module, "get_settings", lambda: settings)
    monkeypatch.setattr(app_module, "_rules_catalogs", {})

    app_module._load_site_rules(sender=_fake_worker({"crawl": object()}))
    assert app_module._rules_catalogs == {}

    app_module._load_site_rules(sender=_fake_worker({"parse": object()}))
    catalog = app_module._rules_catalogs[rules]
    loaded = catalog.current()
    assert loaded is not None

    app_module._reset_after_fork()
    assert app_module.site_rules_catalog(rules) is catalog
    assert catalog.current() is loaded  # the compiled rules, not compiled again
