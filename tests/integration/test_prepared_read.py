"""``db/prepared.py``: the hottest read prepared once per pool connection and run on libpq directly
must read as a cursor does, survive psycopg's DEALLOCATE ALL (after a ROLLBACK) and fail as
psycopg fails, counted by the statement observer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest
from taskmaster.db.observe import OBSERVER
from taskmaster.db.pool import ConnectionPool
from taskmaster.db.prepared import ReadById

READ = ReadById("test_read", "SELECT %(id)s::text AS id, 7::int8 AS n, NULL::text AS nothing")
NOTHING = ReadById("test_nothing", "SELECT 1 WHERE %(id)s IS NULL")


@pytest.fixture
async def pool(fresh_db: str) -> AsyncIterator[ConnectionPool]:
    pool = ConnectionPool(fresh_db, name="prepared-test", min_size=1, max_size=1)
    await pool.open()
    yield pool
    await pool.close()


async def test_reads_the_row_as_the_server_writes_it(pool: ConnectionPool) -> None:
    an_id = uuid.uuid4()
    async with pool.connection() as conn:
        before = OBSERVER.queries.get(("prepared-test", "ok"), 0)  # the checkout's own counted
        assert await READ.fetch(conn, an_id) == [str(an_id).encode(), b"7", b""]
        assert await NOTHING.fetch(conn, an_id) is None
        assert OBSERVER.queries[("prepared-test", "ok")] - before == 2
    # The same answer through psycopg's own cursor (a connection not of the pool).
    async with await psycopg.AsyncConnection.connect(pool._conninfo, autocommit=True) as own:
        assert await READ.fetch(own, an_id) == [str(an_id).encode(), b"7", b""]
    assert OBSERVER.queries[("prepared-test", "ok")] - before == 2


async def test_prepares_again_after_psycopg_deallocates_everything(pool: ConnectionPool) -> None:
    an_id = uuid.uuid4()
    async with pool.connection() as conn:
        assert await READ.fetch(conn, an_id) is not None
        await conn.execute("DEALLOCATE ALL")  # as psycopg itself does after a ROLLBACK
        assert await READ.fetch(conn, an_id) == [str(an_id).encode(), b"7", b""]


async def test_fails_as_psycopg_does(pool: ConnectionPool) -> None:
    failing = ReadById("test_failing", "SELECT 1 / 0 WHERE %(id)s IS NOT NULL")
    before = OBSERVER.errors.get("DivisionByZero", 0)
    async with pool.connection() as conn:
        with pytest.raises(psycopg.errors.DivisionByZero):
            await failing.fetch(conn, uuid.uuid4())
        assert await READ.fetch(conn, uuid.uuid4()) is not None  # the connection is still good
    assert OBSERVER.errors["DivisionByZero"] - before == 1


def test_takes_exactly_one_id_parameter() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        ReadById("two", "SELECT %(id)s, %(other)s")
