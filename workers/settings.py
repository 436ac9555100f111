"""Typed settings read once from the environment; the only module that reads os.environ."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
# Index templates, Kibana objects and the default sources live here. A checkout finds them
# beside the package; an installed (non-editable) package, as in the Docker image, is told
# where they are by INGEST_CONFIG_DIR.
CONFIG_DIR = Path(os.environ.get("INGEST_CONFIG_DIR") or REPO_ROOT / "config")

# Safe defaults, named once (the fetch limits a source cannot raise by itself).
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 15.0
DEFAULT_FETCH_DEADLINE = 45.0
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
# The hot window of raw pages in Redis: long enough for a parse backlog to drain; older
# pages are read back from the WARC archive.
DEFAULT_PAGE_TTL = 3600
DEFAULT_WARC_MAX_BYTES = 1024**3
DEFAULT_USER_AGENT = "news-ingest/0.1 (+https://github.com/news-ingest; crawler)"


def _env(name: str, *more: str) -> AliasChoices:
    return AliasChoices(name, *more)


class Settings(BaseSettings):
    """Everything configurable, with the environment variable that sets it."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    elasticsearch_url: str = Field(
        "http://127.0.0.1:9200", validation_alias=_env("ELASTICSEARCH_URL")
    )
    elasticsearch_api_key: SecretStr | None = Field(
        None, validation_alias=_env("ELASTICSEARCH_API_KEY")
    )
    elasticsearch_username: str | None = Field(
        None, validation_alias=_env("ELASTICSEARCH_USERNAME")
    )
    elasticsearch_password: SecretStr | None = Field(
        None, validation_alias=_env("ELASTICSEARCH_PASSWORD")
    )
    elasticsearch_ca_certs: str | None = Field(
        None, validation_alias=_env("ELASTICSEARCH_CA_CERTS")
    )
    elasticsearch_verify_certs: bool = Field(
        True, validation_alias=_env("ELASTICSEARCH_VERIFY_CERTS")
    )
    elasticsearch_timeout: float = Field(30.0, validation_alias=_env("ELASTICSEARCH_TIMEOUT"))
    redis_url: str = Field("redis://127.0.0.1:6379/0", validation_alias=_env("REDIS_URL"))
    kibana_url: str = Field("http://127.0.0.1:5601", validation_alias=_env("KIBANA_URL"))
    kibana_api_key: SecretStr | None = Field(None, validation_alias=_env("KIBANA_API_KEY"))
    kibana_username: str | None = Field(None, validation_alias=_env("KIBANA_USERNAME"))
    kibana_password: SecretStr | None = Field(None, validation_alias=_env("KIBANA_PASSWORD"))
    sources_path: Path = Field(CONFIG_DIR / "sources.yaml", validation_alias=_env("INGEST_SOURCES"))
    site_rules_path: Path = Field(
        CONFIG_DIR / "site_rules.yaml", validation_alias=_env("INGEST_SITE_RULES")
    )
    # Languages whose analyzer gets a sub-field (body.english...) where the cluster has them.
    languages: str = Field("en,de,fr,es", validation_alias=_env("INGEST_LANGUAGES"))
    index_prefix: str = Field("news", validation_alias=_env("INGEST_INDEX_PREFIX"))
    user_agent: str = Field(DEFAULT_USER_AGENT, validation_alias=_env("INGEST_USER_AGENT"))
    connect_timeout: float = Field(
        DEFAULT_CONNECT_TIMEOUT, validation_alias=_env("INGEST_CONNECT_TIMEOUT")
    )
    read_timeout: float = Field(DEFAULT_READ_TIMEOUT, validation_alias=_env("INGEST_READ_TIMEOUT"))
    fetch_deadline: float = Field(
        DEFAULT_FETCH_DEADLINE, validation_alias=_env("INGEST_FETCH_DEADLINE")
    )
    max_body_bytes: int = Field(
        DEFAULT_MAX_BODY_BYTES, validation_alias=_env("INGEST_MAX_BODY_BYTES")
    )
    max_redirects: int = Field(DEFAULT_MAX_REDIRECTS, validation_alias=_env("INGEST_MAX_REDIRECTS"))
    page_ttl: int = Field(DEFAULT_PAGE_TTL, ge=1, validation_alias=_env("INGEST_PAGE_TTL"))
    # Unset: no archive (re-parsing then reaches only the pages still in the hot window).
    warc_dir: Path | None = Field(None, validation_alias=_env("INGEST_WARC_DIR"))
    warc_max_bytes: int = Field(
        DEFAULT_WARC_MAX_BYTES, ge=1024, validation_alias=_env("INGEST_WARC_MAX_BYTES")
    )

    @field_validator("warc_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    retry_max_attempts: int = Field(8, ge=1, validation_alias=_env("INGEST_RETRY_MAX_ATTEMPTS"))
    retry_backoff: float = Field(2.0, gt=0, validation_alias=_env("INGEST_RETRY_BACKOFF"))
    retry_backoff_max: float = Field(300.0, gt=0, validation_alias=_env("INGEST_RETRY_BACKOFF_MAX"))
    visibility_timeout: int = Field(1800, validation_alias=_env("INGEST_VISIBILITY_TIMEOUT"))
    # Seconds between two beat ticks; each tick starts a run of every source that is due.
    schedule_tick: float = Field(15.0, gt=0, validation_alias=_env("INGEST_SCHEDULE_TICK"))
    log_format: str = Field("auto", validation_alias=_env("INGEST_LOG_FORMAT"))
    log_level: str = Field("INFO", validation_alias=_env("INGEST_LOG_LEVEL"))
    # Fault injection for tests only, e.g. "reindex:copy@500:SIGKILL" (see workers.reindex).
    failpoint: str | None = Field(None, validation_alias=_env("INGEST_FAILPOINT"))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings()
