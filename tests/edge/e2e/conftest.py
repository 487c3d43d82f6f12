"""The end-to-end layer: the real Worker on real Pyodide (the local runner) in front of the real
origin and PostgreSQL, both holding the same EDGE_SIGNING_SECRET; keys are made by the real
`taskmaster keys` CLI.

Whether a request reached the origin is read from the origin's own access log
(`api_access_logs`, one row per request it served, keyed by the request id the edge forwards).
The log is written in batches: `settle` sends a marker request and waits for its row, after which
every earlier request that reached the origin is in the table too (one FIFO buffer).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from taskmaster.people.settings import DEV_JWT_KEYS

from tests.conftest import EDGE_SECRET, OriginProcess, PgServer, start_origin

from ..runner import Runner

TASKMASTER = Path(sys.executable).parent / "taskmaster"
CLIENT_IP = "203.0.113.10"


def cli(database_url: str, *args: str) -> dict:
    """Run `taskmaster keys <args> --json` against `database_url`; its JSON answer."""
    done = subprocess.run(
        [str(TASKMASTER), "keys", *args, "--json"],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def cli_key(database_url: str, scopes: str, *options: str) -> dict:
    """A key made by the CLI: {"id", "key", "prefix", "scopes", …}."""
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    return cli(database_url, "create", "--name", name, "--scopes", scopes, *options)


def rid(tag: str) -> str:
    return f"e2e-{tag}-{uuid.uuid4().hex[:12]}"


def reached(database_url: str, request_id: str) -> list[tuple[str, str, int]]:
    """(method, path, status) of every request the origin served under this request id."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT method::text, path, status_code FROM api_access_logs"
            " WHERE request_id = %s ORDER BY created_at, id",
            (request_id,),
        ).fetchall()
    return [(str(m), str(p), int(s)) for m, p, s in rows]


def settle(http: httpx.Client, database_url: str, key: str) -> None:
    """Send a marker through the edge and wait until the origin has logged it."""
    marker = rid("marker")
    headers = {"X-API-Key": key, "X-Request-Id": marker, "Cache-Control": "no-cache"}
    response = http.get("/api/v1/tasks?limit=1", headers=headers)  # never an edge-cache hit
    assert response.status_code == 200, response.text
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if any(path.startswith("/api/v1/tasks") for _, path, _ in reached(database_url, marker)):
            return
        time.sleep(0.1)
    pytest.fail("the origin never logged the marker request")


def start_real_origin(
    pg_server: PgServer, template: str, log_dir: Path
) -> tuple[str, OriginProcess]:
    name = pg_server.create_database(template=template)
    url = pg_server.url(name)
    return url, start_origin(url, log_dir / "origin.log", EDGE_SIGNING_SECRET=EDGE_SECRET)


@pytest.fixture(scope="module")
def stack(
    pg_server: PgServer,
    migrated_template: str,
    tmp_path_factory: pytest.TempPathFactory,
    runner_factory,
) -> Iterator[tuple[str, OriginProcess, Runner]]:
    """(database URL, origin, edge runner) of this module: its own database and origin; verdicts
    of valid keys are trusted for 2 s so revocation shows within the test. The edge holds the
    origin's (development) JWT signing keys, so people's access tokens pass it."""
    database_url, origin = start_real_origin(
        pg_server, migrated_template, tmp_path_factory.mktemp("e2e-origin")
    )
    runner = runner_factory(
        origin.url,
        EDGE_SIGNING_SECRET=EDGE_SECRET,
        KEY_CACHE_TTL_SECONDS="2",
        KEY_NEGATIVE_TTL_SECONDS="5",
        IP_RATE_LIMIT="100000",
        JWT_SIGNING_KEYS=DEV_JWT_KEYS,
        USER_RATE_LIMIT_PER_MINUTE="100000",
        USER_RATE_LIMIT_BURST="100000",
    )
    yield database_url, origin, runner
    origin.stop()
    pg_server.drop_database(database_url.rsplit("/", 1)[1])


@pytest.fixture
def db_url(stack) -> str:
    return stack[0]


@pytest.fixture
def real_origin(stack) -> OriginProcess:
    return stack[1]


@pytest.fixture
def edge(stack) -> Iterator[httpx.Client]:
    """An HTTP client of the edge runner, playing a client at CLIENT_IP."""
    with httpx.Client(
        base_url=stack[2].url, timeout=30, headers={"CF-Connecting-IP": CLIENT_IP}
    ) as http:
        yield http
