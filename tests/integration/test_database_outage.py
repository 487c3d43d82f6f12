"""The database going away yields a quick 503 problem (no hang), and the origin recovers by itself.

This test stops and restarts a PostgreSQL of its own (always the embedded one), so it never disturbs
the server the rest of the suite uses.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from taskmaster.devdb import LocalPostgres, free_port

from tests.conftest import OriginProcess, dbmate, issue_key, start_origin
from tests.helpers import assert_problem


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[tuple[LocalPostgres, OriginProcess, str]]:
    server = LocalPostgres(tmp_path / "pg", free_port())
    server.start()
    url = server.url("outage")
    dbmate(url, "--no-dump-schema", "up")
    _, key = issue_key(url, ["admin"])
    origin = start_origin(
        url,
        tmp_path / "origin.log",
        DATABASE_CONNECT_TIMEOUT_S="2",
        DATABASE_POOL_TIMEOUT_S="1",
    )
    try:
        yield server, origin, key
    finally:
        origin.stop()
        server.destroy()


def test_database_down_is_503_then_recovers(
    own_stack: tuple[LocalPostgres, OriginProcess, str],
) -> None:
    server, origin, key = own_stack
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=origin.url, timeout=10, headers=headers) as client:
        created = client.post("/api/v1/tasks", json={"title": "before the outage"})
        assert created.status_code == 201

        server.stop("immediate")
        for _ in range(3):  # the pooled connections die, then new ones are refused: all 503
            response = client.get("/api/v1/tasks")
            assert_problem(response, 503, "database-unavailable")
            assert response.headers["retry-after"] == "5"
        response = client.post("/api/v1/tasks", json={"title": "during the outage"})
        assert_problem(response, 503, "database-unavailable")
        assert int(response.headers["retry-after"]) > 0
        assert client.get("/health").status_code == 200  # liveness does not need the database
        assert_problem(client.get("/health/detailed"), 503)

        server.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            response = client.get("/api/v1/tasks")
            if response.status_code == 200:
                break
            time.sleep(0.2)
        assert response.status_code == 200, response.text
        titles = [task["title"] for task in response.json()["data"]]
        assert titles == ["before the outage"]  # the failed POST wrote nothing
