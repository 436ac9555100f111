"""Clients built from settings, shared by the Celery app and the CLI (which skips the app)."""

from __future__ import annotations

from pydantic import SecretStr

from workers.index import SearchIndex, make_client
from workers.settings import CONFIG_DIR, Settings


def secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def search_index(settings: Settings) -> SearchIndex:
    """The index store under the configured prefix, with the configured credentials."""
    client = make_client(
        settings.elasticsearch_url,
        api_key=secret(settings.elasticsearch_api_key),
        username=settings.elasticsearch_username,
        password=secret(settings.elasticsearch_password),
        ca_certs=settings.elasticsearch_ca_certs,
        verify_certs=settings.elasticsearch_verify_certs,
        timeout=settings.elasticsearch_timeout,
    )
    languages = tuple(
        code.strip().lower() for code in settings.languages.split(",") if code.strip()
    )
    return SearchIndex(client, settings.index_prefix, CONFIG_DIR / "elasticsearch", languages)
