"""``DATABASE_READ_URL``: safe reads come from the replica (a second database standing in for it,
with different rows), writes and key look-ups from the primary, and reads fall back to the
primary when the replica is gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.conftest import OriginProcess, PgServer, issue_key, start_origin


def _add_project(url: str, slug: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO projects (name, slug) VALUES (%s, %s) RETURNING id", (slug, slug)
        ).fetchone()
    assert row is not None
    return str(row[0])


@pytest.fixture
def replicated(
    pg_server: PgServer, migrated_template: str, fresh_db: str, tmp_path: Path
) -> Iterator[tuple[OriginProcess, httpx.Client, str, str, str]]:
    replica_name = pg_server.create_database(template=migrated_template)
    replica_url = pg_server.url(replica_name)
    # The key exists on the primary only: authentication must never read the replica.
    _, key = issue_key(fresh_db, ["admin"])
    _add_project(fresh_db, "on-primary")
    replica_project = _add_project(replica_url, "on-replica")
    process = start_origin(fresh_db, tmp_path / "origin.log", DATABASE_READ_URL=replica_url)
    try:
        with httpx.Client(base_url=process.url, timeout=10, headers={"X-API-Key": key}) as http:
            yield process, http, fresh_db, replica_name, replica_project
    finally:
        process.stop()
        pg_server.drop_database(replica_name)


def _slugs(http: httpx.Client) -> set[str]:
    response = http.get("/api/v1/projects")
    assert response.status_code == 200, response.text
    return {p["slug"] for p in response.json()["data"]}


def test_reads_come_from_the_replica_and_writes_go_to_the_primary(
    replicated: tuple[OriginProcess, httpx.Client, str, str, str],
) -> None:
    _, http, primary_url, _, replica_project = replicated
    assert _slugs(http) == {"on-replica"}
    assert http.get(f"/api/v1/projects/{replica_project}").status_code == 200

    created = http.post("/api/v1/projects", json={"name": "new", "slug": "written"})
    assert created.status_code == 201, created.text
    with psycopg.connect(primary_url) as conn:
        slugs = {r[0] for r in conn.execute("SELECT slug FROM projects")}
    assert slugs == {"on-primary", "written"}
    assert _slugs(http) == {"on-replica"}  # the replica is not written to (no replication here)

    health = http.get("/health/detailed").json()
    assert health["status"] == "ok"
    assert health["replica"]["status"] == "ok"
    assert {p["name"] for p in health["pools"]} == {"primary", "replica"}


def test_reads_fall_back_to_the_primary_when_the_replica_is_gone(
    pg_server: PgServer, replicated: tuple[OriginProcess, httpx.Client, str, str, str]
) -> None:
    _, http, _, replica_name, _ = replicated
    assert _slugs(http) == {"on-replica"}  # the replica pool holds live connections now
    pg_server.drop_database(replica_name)  # cuts them and makes new ones fail
    assert _slugs(http) == {"on-primary"}
    assert _slugs(http) == {"on-primary"}
    health = http.get("/health/detailed").json()
    assert health["status"] == "degraded"
    assert health["replica"]["status"] == "down"
    assert health["database"]["status"] == "ok"
