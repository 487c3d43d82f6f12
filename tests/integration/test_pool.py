"""The origin's connection pool against a real PostgreSQL: hand-over to waiters, timeouts, freed
slots and cancelled waiters (none of which may lose or leak a connection)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import psycopg
import pytest
from psycopg.pq import TransactionStatus
from taskmaster.db.context import WRITE_CONTEXT, WriteContext
from taskmaster.db.pool import ConnectionPool, PoolUnavailable
from taskmaster.db.session import Session


@pytest.fixture
async def pool(fresh_db: str) -> AsyncIterator[ConnectionPool]:
    pool = ConnectionPool(fresh_db, min_size=1, max_size=2, acquire_timeout_s=0.3)
    await pool.open()
    yield pool
    await pool.close()


async def _hold(pool: ConnectionPool, release: asyncio.Event) -> int:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT pg_backend_pid()")
        row = await cur.fetchone()
        await release.wait()
    assert row is not None
    return int(row[0])


async def test_a_released_connection_goes_to_the_waiting_request(pool: ConnectionPool) -> None:
    release = asyncio.Event()
    holders = [asyncio.create_task(_hold(pool, release)) for _ in range(2)]
    await asyncio.sleep(0.05)
    assert pool.stats().in_use == 2
    waiter = asyncio.create_task(_hold(pool, asyncio.Event()))
    await asyncio.sleep(0.05)
    assert pool.stats().waiting == 1
    release.set()
    held_pids = set(await asyncio.gather(*holders))
    waiter.cancel()  # it got a connection (one of the two) and now waits on its own event
    with pytest.raises(asyncio.CancelledError):
        await waiter
    stats = pool.stats()
    assert (stats.size, stats.in_use, stats.waiting) == (2, 0, 0)
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT pg_backend_pid()")
        assert (await cur.fetchone())[0] in held_pids  # type: ignore[index]


async def test_waiting_too_long_is_pool_unavailable_and_leaves_no_waiter(
    pool: ConnectionPool,
) -> None:
    release = asyncio.Event()
    holders = [asyncio.create_task(_hold(pool, release)) for _ in range(2)]
    await asyncio.sleep(0.05)
    with pytest.raises(PoolUnavailable, match="no free connection"):
        async with pool.connection():
            pass
    assert pool.stats().waiting == 0
    release.set()
    await asyncio.gather(*holders)
    assert pool.stats().idle == 2


async def test_a_cancelled_waiter_loses_no_connection(pool: ConnectionPool) -> None:
    release = asyncio.Event()
    holders = [asyncio.create_task(_hold(pool, release)) for _ in range(2)]
    await asyncio.sleep(0.05)
    waiter = asyncio.create_task(_hold(pool, asyncio.Event()))
    await asyncio.sleep(0.05)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    release.set()
    await asyncio.gather(*holders)
    stats = pool.stats()
    assert (stats.size, stats.idle, stats.waiting) == (2, 2, 0)


async def test_a_broken_connection_frees_its_slot_for_a_waiter(pool: ConnectionPool) -> None:
    release = asyncio.Event()
    holder = asyncio.create_task(_hold(pool, release))
    await asyncio.sleep(0.05)
    checkout = pool.connection()
    doomed = await checkout.__aenter__()
    waiter = asyncio.create_task(_hold(pool, asyncio.Event()))
    await asyncio.sleep(0.05)
    assert pool.stats().waiting == 1
    await doomed.close()  # e.g. the server ended this backend
    await checkout.__aexit__(None, None, None)
    await asyncio.sleep(0.1)
    # The waiter opened a new connection in the freed slot instead of timing out.
    assert not waiter.done() and pool.stats().in_use == 2
    waiter.cancel()
    release.set()
    await holder
    with pytest.raises(asyncio.CancelledError):
        await waiter


async def test_one_write_is_one_audited_transaction(pool: ConnectionPool) -> None:
    """Session.write_one: the statement sets the audit context of its own transaction (its
    write_context CTE), which its triggers see and which ends with it; one that fails writes
    nothing and leaves its connection idle for the next request; one without the CTE is refused."""
    session = Session(pool, WriteContext("", "req-one-write"), tenancy="*")
    async with pool.connection() as conn:
        await conn.execute("CREATE TABLE written (n int, request_id text)")
        # What the audit trigger does: read the context while the row is written.
        await conn.execute(
            "CREATE FUNCTION stamp_written() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " NEW.request_id := current_setting('app.request_id', true); RETURN NEW; END $$"
        )
        await conn.execute(
            "CREATE TRIGGER stamp BEFORE INSERT ON written FOR EACH ROW"
            " EXECUTE FUNCTION stamp_written()"
        )
    insert = f"WITH {WRITE_CONTEXT} INSERT INTO written (n) SELECT 1 FROM write_context"
    rows = await session.write_one(insert + " RETURNING n, request_id", {})
    assert rows == [(1, "req-one-write")]
    with pytest.raises(psycopg.errors.DivisionByZero):
        await session.write_one(
            f"WITH {WRITE_CONTEXT} INSERT INTO written (n)"
            " SELECT 1 / (n - n) FROM written CROSS JOIN write_context",
            {},
        )
    with pytest.raises(ValueError, match="write_context"):
        await session.write_one("INSERT INTO written (n) VALUES (2)", {})
    async with pool.connection() as conn:
        assert conn.info.transaction_status == TransactionStatus.IDLE
        cur = await conn.execute(
            "SELECT count(*), current_setting('app.request_id', true) FROM written"
        )
        row = await cur.fetchone()
    assert row is not None
    written, context_after = row
    assert written == 1  # neither the failed nor the refused insert wrote anything
    assert context_after in ("", None)  # the audit context was transaction-local
    assert pool.stats().in_use == 0
