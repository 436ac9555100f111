"""docker-compose.yml wiring: no Docker engine runs here, so the file itself is checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import elasticsearch
import pytest
import yaml

from workers.sources import load_sources

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return data


def _command(service: dict[str, Any]) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else str(command)


def test_stack_has_every_service(compose: dict[str, Any]) -> None:
    """The stack names redis, elasticsearch, kibana, a worker per queue, beat and flower."""
    assert {
        "redis",
        "elasticsearch",
        "kibana",
        "worker-crawl",
        "worker-parse",
        "worker-index",
        "beat",
        "flower",
    } <= set(compose["services"])


def test_redis_keeps_an_append_only_file(compose: dict[str, Any]) -> None:
    """Redis runs with appendonly so queued tasks survive a restart."""
    redis = compose["services"]["redis"]
    assert "--appendonly yes" in _command(redis)
    assert any(str(v).endswith(":/data") for v in redis["volumes"])


def test_elasticsearch_is_single_node_and_matches_the_client(compose: dict[str, Any]) -> None:
    """Elasticsearch is single-node and of the major version the Python client speaks."""
    es = compose["services"]["elasticsearch"]
    assert es["environment"]["discovery.type"] == "single-node"
    image_version = es["image"].rsplit(":", 1)[1]
    assert image_version.split(".")[0] == str(elasticsearch.__versionstr__).split(".")[0]
    assert compose["services"]["kibana"]["image"].endswith(":" + image_version)


@pytest.mark.parametrize("queue", ["crawl", "parse", "index"])
def test_each_queue_has_its_own_worker(compose: dict[str, Any], queue: str) -> None:
    """worker-<queue> consumes exactly that queue from the image built from the Dockerfile."""
    service = compose["services"][f"worker-{queue}"]
    command = _command(service)
    assert "celery -A workers.app worker" in command
    assert f"-Q {queue}" in command
    assert service["build"] == "."
    env = service["environment"]
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert env["ELASTICSEARCH_URL"].startswith("http://elasticsearch:")
    assert {"redis", "elasticsearch"} <= set(service["depends_on"])


def test_beat_and_flower_use_the_same_app(compose: dict[str, Any]) -> None:
    """beat schedules and flower watches the same Celery app the workers run."""
    assert "celery -A workers.app beat" in _command(compose["services"]["beat"])
    assert "celery -A workers.app flower" in _command(compose["services"]["flower"])


def test_compose_sources_file_is_valid(compose: dict[str, Any]) -> None:
    """The sources file the compose stack points at loads and names reachable services."""
    env = compose["services"]["worker-crawl"]["environment"]
    path = REPO / env["INGEST_SOURCES"].removeprefix("/app/")
    sources = load_sources(path)
    hosts = {url.split("/")[2].split(":")[0] for s in sources.values() for url in s.seeds}
    assert hosts <= set(compose["services"])


def test_dockerfile_copies_what_exists() -> None:
    """Every path the Dockerfile copies is in the repo."""
    for line in (REPO / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            *sources, _dest = line.split()[1:]
            for source in sources:
                assert (REPO / source).exists(), source


def test_kibana_objects_are_imported_once_kibana_is_healthy(compose: dict[str, Any]) -> None:
    """kibana-import runs `ingest kibana import` once the kibana service is healthy."""
    kibana = compose["services"]["kibana"]
    assert "/api/status" in _command({"command": kibana["healthcheck"]["test"]})
    job = compose["services"]["kibana-import"]
    assert "workers.cli kibana import" in _command(job)
    assert job["depends_on"] == {"kibana": {"condition": "service_healthy"}}
    assert job["environment"]["KIBANA_URL"] == "http://kibana:5601"
    assert job["restart"] == "no"
    assert any(volume.startswith("./config:") for volume in job["volumes"])


@pytest.mark.parametrize("service", ["worker-crawl", "worker-parse"])
def test_crawl_and_parse_share_the_warc_archive(compose: dict[str, Any], service: str) -> None:
    """The archive directory is set and on a named volume both crawl and parse workers mount."""
    spec = compose["services"][service]
    directory = spec["environment"]["INGEST_WARC_DIR"]
    assert f"warc-data:{directory}" in spec["volumes"]
    assert "warc-data" in compose["volumes"]
