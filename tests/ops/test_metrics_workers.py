"""Two granian workers, one ``/metrics``: every scrape accounts for both workers (multiprocess
mode over PROMETHEUS_MULTIPROC_DIR), whichever of them answers it, and no counter goes backwards."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import OriginProcess, issue_key, start_origin
from tests.integration.operations import prometheus

ROUTE = "/api/v1/tasks"
REQUESTS = 2000
SCRAPES = 20
CLIENTS = 16  # connections, spread by the kernel over both workers' accept loops


@pytest.fixture
def two_workers(fresh_db: str, tmp_path: Path) -> Iterator[tuple[OriginProcess, str]]:
    _, key = issue_key(fresh_db, ["admin"])
    process = start_origin(fresh_db, tmp_path / "origin.log", workers=2, LOG_REQUESTS="false")
    yield process, key
    process.stop()


def _counters(families: dict[str, prometheus.Family]) -> dict[tuple[str, tuple], float]:
    """Every sample that must never decrease: counters and histogram buckets/sums/counts."""
    found = {}
    for family in families.values():
        if family.type in ("counter", "histogram"):
            for name, labels, value in family.samples:
                found[(name, tuple(sorted(labels.items())))] = value
    return found


def test_every_scrape_counts_every_worker_and_never_decreases(
    two_workers: tuple[OriginProcess, str],
) -> None:
    process, key = two_workers
    headers = {"X-API-Key": key}

    def burst(n: int) -> list[int]:
        with httpx.Client(base_url=process.url, headers=headers, timeout=30) as http:
            return [http.get(ROUTE, params={"limit": 1}).status_code for _ in range(n)]

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = [s for batch in pool.map(burst, [REQUESTS // CLIENTS] * CLIENTS) for s in batch]
    assert statuses == [200] * REQUESTS

    previous: dict[tuple[str, tuple], float] = {}
    pids: set[str] = set()
    for _ in range(SCRAPES):
        # A new connection per scrape, so that either worker may answer it.
        response = httpx.get(f"{process.url}/metrics", headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        families = prometheus.parse(response.text)
        counted = prometheus.value(
            families, "taskmaster_http_requests_total", method="GET", route=ROUTE, status="200"
        )
        assert counted == REQUESTS
        pids |= {labels["pid"] for _, labels, _ in families["taskmaster_process_info"].samples}
        now = _counters(families)
        went_down = {k: (v, now.get(k, 0.0)) for k, v in previous.items() if now.get(k, 0.0) < v}
        assert not went_down
        previous = now
    assert len(pids) == 2, "both workers report into the one exposition"
