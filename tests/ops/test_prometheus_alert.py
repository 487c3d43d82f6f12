"""A real Prometheus scrapes a running origin with the shipped rules; PostgreSQL is stopped, and
``TaskmasterDatabaseDown`` reaches ``firing`` (read from Prometheus's own API) within its ``for:``
plus two scrape intervals."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from taskmaster.devdb import LocalPostgres, free_port

from tests.conftest import OriginProcess, dbmate, start_origin

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "rules"
SCRAPE_S = 1
ALERT = "TaskmasterDatabaseDown"
TOKEN = "prometheus-scrape-token-for-the-tests-0123456789"


def _for_seconds(alert: str) -> float:
    for group in yaml.safe_load((RULES / "taskmaster-alerts.yml").read_text())["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == alert:
                duration = rule["for"]
                assert duration.endswith("s"), duration
                return float(duration[:-1])
    raise AssertionError(f"no alert {alert}")


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[LocalPostgres, OriginProcess, str]]:
    server = LocalPostgres(tmp_path / "pg", free_port())
    server.start()
    url = server.url("watched")
    dbmate(url, "--no-dump-schema", "up")
    origin = start_origin(
        url,
        tmp_path / "origin.log",
        METRICS_TOKEN_SHA256=hashlib.sha256(TOKEN.encode()).hexdigest(),
    )
    port = free_port()
    config = {
        "global": {"scrape_interval": f"{SCRAPE_S}s", "evaluation_interval": f"{SCRAPE_S}s",
                   "scrape_timeout": "900ms"},
        "rule_files": [str(RULES / "taskmaster-recording.yml"), str(RULES / "taskmaster-alerts.yml")],
        "scrape_configs": [{
            "job_name": "taskmaster",
            "authorization": {"type": "Bearer", "credentials": TOKEN},
            "static_configs": [{"targets": [origin.url.removeprefix("http://")]}],
        }],
    }  # fmt: skip
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    binary = shutil.which("prometheus")
    assert binary, "prometheus is missing: `make test` installs Debian's prometheus package"
    log = (tmp_path / "prometheus.log").open("wb")
    prometheus = subprocess.Popen(
        [binary, f"--config.file={tmp_path / 'prometheus.yml'}",
         f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    try:
        yield server, origin, f"http://127.0.0.1:{port}"
    finally:
        prometheus.terminate()
        prometheus.wait(10)
        origin.stop()
        server.destroy()


def _query(api: str, expr: str) -> list[dict]:
    response = httpx.get(f"{api}/api/v1/query", params={"query": expr}, timeout=5)
    response.raise_for_status()
    return response.json()["data"]["result"]


def _state(api: str, alert: str) -> str | None:
    response = httpx.get(f"{api}/api/v1/alerts", timeout=5)
    response.raise_for_status()
    states = [
        a["state"] for a in response.json()["data"]["alerts"] if a["labels"]["alertname"] == alert
    ]
    return states[0] if states else None


def _wait(check: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except (httpx.TransportError, httpx.HTTPStatusError):
            pass  # not listening yet, or 503 while its storage starts
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_database_down_alert_fires_from_a_real_prometheus(
    watched: tuple[LocalPostgres, OriginProcess, str],
) -> None:
    server, _, api = watched
    # Scraped, and the database is up: nothing pending yet.
    _wait(lambda: [r["value"][1] for r in _query(api, "taskmaster_database_up")] == ["1"], 30)
    assert _state(api, ALERT) is None

    server.stop("immediate")
    stopped = time.monotonic()
    _wait(lambda: _state(api, ALERT) == "firing", 60)
    elapsed = time.monotonic() - stopped
    limit = _for_seconds(ALERT) + 2 * SCRAPE_S
    print(f"{ALERT} firing {elapsed:.1f}s after the stop (for: + 2 scrapes = {limit:.0f}s)")
    # The scrape still succeeds (the token needs no database): it is the database that is down.
    assert [r["value"][1] for r in _query(api, 'up{job="taskmaster"}')] == ["1"]
    # +0.5 s: only this test's own observation (it polls the API every 0.2 s), not Prometheus.
    assert elapsed <= limit + 0.5, f"firing after {elapsed:.1f}s, limit {limit}s"
