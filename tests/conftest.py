"""Shared fixtures: a real PostgreSQL, migrated by the real dbmate, and the real origin over HTTP.

Chain (after PgQueuer): server → migrated template database → databases cloned from it
(``CREATE DATABASE … TEMPLATE``) → the origin served by granian on a free port.

With ``DATABASE_URL`` set, its server is used (the tests create and drop their own databases on
it); otherwise a throwaway embedded PostgreSQL is started in a temporary directory.

Every route but ``/health`` needs an API key: ``client`` sends the session's ``admin_key``;
``anonymous_client`` sends none; ``make_key(scopes=[...], **columns)`` mints more keys in the
session origin's database and returns ``(id, plain_key)``; :func:`issue_key` does the same for any
database URL. The origins started here trust edge signatures made with :data:`EDGE_SECRET`.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from psycopg import sql
from taskmaster.devdb import POSTGRES_BIN_PATH, LocalPostgres, free_port

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "db" / "migrations"
SCHEMA_FILE = ROOT / "db" / "schema.sql"
BIN = Path(sys.executable).parent
TEMPLATE_DB = "tm_test_template"
EDGE_SECRET = "test-edge-signing-secret-0123456789abcdef"


@dataclass
class PgServer:
    """A PostgreSQL server the tests may create and drop databases on."""

    base_url: str  # URL of the maintenance database, without query string

    def url(self, dbname: str) -> str:
        parts = urlsplit(self.base_url)
        return urlunsplit(parts._replace(path=f"/{dbname}"))

    def admin(self, sql: str) -> None:
        with psycopg.connect(self.base_url, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self, template: str | None = None) -> str:
        name = f"tm_test_{uuid.uuid4().hex[:12]}"
        clause = f" TEMPLATE {template}" if template else ""
        self.admin(f'CREATE DATABASE "{name}"{clause}')
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def dbmate(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": url + ("&" if "?" in url else "?") + "sslmode=disable",
        "PATH": f"{POSTGRES_BIN_PATH}:{BIN}:{os.environ.get('PATH', '')}",
    }
    return subprocess.run(
        [str(BIN / "dbmate"), "--migrations-dir", str(MIGRATIONS), *args],
        env=env,
        check=check,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgServer]:
    external = os.environ.get("DATABASE_URL")
    if external:
        parts = urlsplit(external)
        yield PgServer(urlunsplit(parts._replace(path="/postgres", query="")))
        return
    server = LocalPostgres(tmp_path_factory.mktemp("pg") / "data", free_port())
    server.start()
    try:
        yield PgServer(server.url())
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def migrated_template(pg_server: PgServer) -> Iterator[str]:
    """A database with every migration applied; tests clone it rather than migrating again."""
    pg_server.drop_database(TEMPLATE_DB)
    pg_server.admin(f'CREATE DATABASE "{TEMPLATE_DB}"')
    dbmate(pg_server.url(TEMPLATE_DB), "--no-dump-schema", "up")
    yield TEMPLATE_DB
    pg_server.drop_database(TEMPLATE_DB)


@pytest.fixture
def fresh_db(pg_server: PgServer, migrated_template: str) -> Iterator[str]:
    """URL of a migrated database of this test's own, dropped afterwards."""
    name = pg_server.create_database(template=migrated_template)
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture(scope="session")
def origin_db(pg_server: PgServer, migrated_template: str) -> Iterator[str]:
    """The database the session's origin serves."""
    name = pg_server.create_database(template=migrated_template)
    yield pg_server.url(name)
    pg_server.drop_database(name)


@dataclass
class OriginProcess:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_origin(
    database_url: str, log_path: Path, *, workers: int = 1, **extra_env: str
) -> OriginProcess:
    """Serve the real origin with granian on a free loopback port and wait until it is live.
    Its workers share a fresh ``PROMETHEUS_MULTIPROC_DIR`` (one /metrics for all of them)."""
    port = free_port()
    metrics_dir = log_path.parent / f"metrics-{port}"
    metrics_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TASKMASTER_ENV": "development",
        "PYTHONPATH": str(ROOT / "origin"),
        "EDGE_SIGNING_SECRET": EDGE_SECRET,
        "AUTH_FLUSH_INTERVAL_S": "0.2",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        **extra_env,
    }
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            str(BIN / "granian"),
            "--interface",
            "asgi",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ws",  # GET /api/v1/stream also answers WebSocket upgrades
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "taskmaster.app:create_asgi_app",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"origin exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return OriginProcess(url, process, log_path)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"origin did not start:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def origin(origin_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OriginProcess]:
    process = start_origin(origin_db, tmp_path_factory.mktemp("origin") / "origin.log")
    yield process
    process.stop()


def issue_key(
    database_url: str, scopes: Sequence[str] = ("admin",), **columns: Any
) -> tuple[str, str]:
    """Insert an API key straight into a database; returns ``(id, plain_key)``.

    ``columns`` are api_keys columns (``rate_limit_per_minute=5``, ``allowed_ips=["10.0.0.0/8"]``,
    ``allowed_endpoints=[...]``, ``expires_at=...``, ``name=...``).
    """
    from taskmaster.keys import format as keyformat

    plain = keyformat.generate_key()
    values: dict[str, Any] = {
        "name": f"test-{uuid.uuid4().hex[:8]}",
        "owner": "tests",
        **columns,
        "key_hash": keyformat.key_hash(plain),
        "key_prefix": keyformat.display_prefix(plain),
        "scopes": list(scopes),
    }
    if "allowed_ips" in values:
        values["allowed_ips"] = [
            ipaddress.ip_network(v, strict=False) for v in values["allowed_ips"]
        ]
    query = sql.SQL("INSERT INTO api_keys ({}) VALUES ({}) RETURNING id").format(
        sql.SQL(", ").join(map(sql.Identifier, values)),
        sql.SQL(", ").join(map(sql.Placeholder, values)),
    )
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(query, values).fetchone()
    assert row is not None
    return str(row[0]), plain


@pytest.fixture(scope="session")
def make_key(origin_db: str) -> Callable[..., tuple[str, str]]:
    """``make_key(scopes=["tasks:read"], **columns) -> (id, plain_key)`` in the origin's database."""

    def make(scopes: Sequence[str] = ("admin",), **columns: Any) -> tuple[str, str]:
        return issue_key(origin_db, scopes, **columns)

    return make


@pytest.fixture(scope="session")
def admin_key(make_key: Callable[..., tuple[str, str]]) -> str:
    """A plain key with the ``admin`` scope, sent by ``client``."""
    return make_key(["admin"], name="session admin")[1]


@pytest.fixture
def client(origin: OriginProcess, admin_key: str) -> Iterator[httpx.Client]:
    """An HTTP client of the session origin authenticated with ``admin_key``."""
    headers = {"Authorization": f"Bearer {admin_key}"}
    with httpx.Client(base_url=origin.url, timeout=10, headers=headers) as http:
        yield http


@pytest.fixture
def anonymous_client(origin: OriginProcess) -> Iterator[httpx.Client]:
    """An HTTP client of the session origin that sends no key."""
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        yield http


@pytest.fixture
def db(origin_db: str) -> Iterator[psycopg.Connection]:
    """A direct connection to the origin's database, to check what the API wrote."""
    with psycopg.connect(origin_db, autocommit=True) as conn:
        yield conn
