"""A key with a bad checksum is refused before any database lookup: with the database stopped it
still gets 401 (a lookup would have been a 503), while a well-formed unknown key gets 503."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from taskmaster.devdb import LocalPostgres, free_port
from taskmaster.keys.format import generate_key

from tests.conftest import OriginProcess, dbmate, start_origin
from tests.helpers import assert_problem


@pytest.fixture
def stoppable(tmp_path: Path) -> Iterator[tuple[LocalPostgres, OriginProcess]]:
    server = LocalPostgres(tmp_path / "pg", free_port())
    server.start()
    url = server.url("nolookup")
    dbmate(url, "--no-dump-schema", "up")
    origin = start_origin(
        url, tmp_path / "origin.log", DATABASE_CONNECT_TIMEOUT_S="1", DATABASE_POOL_TIMEOUT_S="1"
    )
    try:
        yield server, origin
    finally:
        origin.stop()
        server.destroy()


def test_bad_checksum_needs_no_database(stoppable: tuple[LocalPostgres, OriginProcess]) -> None:
    server, origin = stoppable
    good = generate_key()
    typo = good[:-1] + ("0" if good[-1] != "0" else "1")
    server.stop("immediate")
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        for _ in range(3):
            response = http.get("/api/v1/tasks", headers={"X-API-Key": typo})
            assert_problem(response, 401, "invalid-api-key")
        # Proof that the database really is out of reach for a key that needs a lookup.
        response = http.get("/api/v1/tasks", headers={"X-API-Key": good})
        assert_problem(response, 503, "database-unavailable")
