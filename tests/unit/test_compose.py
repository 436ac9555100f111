"""docker-compose.yml wiring: no Docker engine runs here, so the file itself is checked."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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
    assert command.split(" -Q ", 1)[1].split()[0].split(",")[0] == queue
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


def _config_dir_seen(package_root: Path, env_value: str | None) -> str:
    """CONFIG_DIR and the default sources path as an installed copy of the package sees them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_")}
    env["PYTHONPATH"] = str(package_root)
    if env_value is not None:
        env["INGEST_CONFIG_DIR"] = env_value
    probe = (
        "from workers.settings import CONFIG_DIR, Settings;"
        "print(CONFIG_DIR, Settings().sources_path, (CONFIG_DIR / 'elasticsearch').is_dir())"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=package_root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def test_an_installed_package_finds_its_config_through_the_image_env(tmp_path: Path) -> None:
    """The image installs the package without -e, so no config/ sits beside it; the image's
    INGEST_CONFIG_DIR names the folder it copies config/ into, and settings read it there."""
    shutil.copytree(
        REPO / "workers", tmp_path / "workers", ignore=shutil.ignore_patterns("__pycache__")
    )
    alone = _config_dir_seen(tmp_path, None)
    assert alone.endswith("False"), alone  # the failure the image must avoid

    dockerfile = (REPO / "Dockerfile").read_text()
    assert "COPY config ./config" in dockerfile and "WORKDIR /app" in dockerfile
    assert "INGEST_CONFIG_DIR=/app/config" in dockerfile
    # /app/config in the image is this checkout's config/ here.
    seen = _config_dir_seen(tmp_path, str(REPO / "config"))
    assert seen == f"{REPO / 'config'} {REPO / 'config' / 'sources.yaml'} True"


def test_beat_tick_has_its_own_queue_and_every_launcher_consumes_it(
    compose: dict[str, Any],
) -> None:
    """The tick is routed to the schedule queue, not behind a backlog of fetches in
    `crawl`, and the crawl workers of compose, scripts/run and the test stack consume both."""
    from workers.app import SCHEDULE_QUEUE, app  # noqa: PLC0415

    def queue_of(task: str) -> str:
        return str(app.amqp.router.route({}, task)["queue"].name)

    assert queue_of("crawl.tick") == SCHEDULE_QUEUE
    assert queue_of("crawl.fetch") == "crawl"
    assert queue_of("parse.page") == "parse"
    expected = f"crawl,{SCHEDULE_QUEUE}"
    assert f"-Q {expected} " in _command(compose["services"]["worker-crawl"])
    assert f"worker -Q {expected} " in (REPO / "scripts" / "run").read_text()
    assert (
        f'"{expected}" if queue == "crawl"'
        in (REPO / "tests" / "integration" / "conftest.py").read_text()
    )
