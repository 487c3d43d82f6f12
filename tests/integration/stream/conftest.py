"""The stream tests' origin: its own database, served as the least-privilege ``taskmaster_app``
role (row-level security in force), a small pool (so connection counts mean something), a 1 s
heartbeat (revocation is re-checked on it) and a cap of 500 streams per key."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import OriginProcess, PgServer, issue_key, start_origin
from tests.integration.keys.test_least_privilege import as_role

STREAM_CAP = 500
POOL_MAX = 4


@pytest.fixture(scope="module")
def stream_db(pg_server: PgServer, migrated_template: str) -> Iterator[str]:
    name = pg_server.create_database(template=migrated_template)
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture(scope="module")
def stream_origin(
    stream_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OriginProcess]:
    process = start_origin(
        as_role(stream_db, "taskmaster_app"),
        tmp_path_factory.mktemp("stream-origin") / "origin.log",
        STREAM_HEARTBEAT_S="1",
        STREAM_MAX_PER_PRINCIPAL=str(STREAM_CAP),
        DATABASE_POOL_MIN="1",
        DATABASE_POOL_MAX=str(POOL_MAX),
    )
    yield process
    process.stop()


@pytest.fixture(scope="module")
def admin_headers(stream_db: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_key(stream_db, ['admin'])[1]}"}


@pytest.fixture
def admin_http(
    stream_origin: OriginProcess, admin_headers: dict[str, str]
) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stream_origin.url, timeout=10, headers=admin_headers) as http:
        yield http
