"""The Recorder's flush against a real PostgreSQL: usage and access rows land together, a batch
the database refuses is dropped (and counted) without stopping the next one, and a flush that
cannot reach the database keeps everything for the next."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import psycopg
import pytest
from taskmaster.auth.recorder import AccessEntry, Recorder
from taskmaster.db.pool import ConnectionPool

from tests.conftest import issue_key


@pytest.fixture
async def pool(fresh_db: str) -> AsyncIterator[ConnectionPool]:
    pool = ConnectionPool(fresh_db, min_size=1, max_size=1)
    await pool.open()
    yield pool
    await pool.close()


def _entry(key_id: str | None, request_id: str, duration_ms: int = 3) -> AccessEntry:
    return AccessEntry(
        api_key_id=key_id, request_id=request_id, method="GET", path="/api/v1/tasks",
        status_code=200, duration_ms=duration_ms, client_ip="10.0.0.7", user_agent="tests",
        created_at=time.time(),
    )  # fmt: skip


def _logged(url: str) -> list[tuple[str, int]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT request_id, duration_ms FROM api_access_logs ORDER BY id"
        ).fetchall()
    return [(str(r), int(d)) for r, d in rows]


def _usage(url: str, key_id: str) -> tuple[int, str | None]:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT usage_count, host(last_used_ip) FROM api_keys WHERE id = %s", (key_id,)
        ).fetchone()
    assert row is not None
    return int(row[0]), row[1]


async def test_a_flush_writes_usage_and_access_rows(pool: ConnectionPool, fresh_db: str) -> None:
    key_id, _ = issue_key(fresh_db)
    recorder = Recorder(pool)
    for n in range(3):
        recorder.record_use(key_id, "10.0.0.7")
        recorder.record_access(_entry(key_id, f"req-{n}"))
    recorder.record_access(_entry(None, "anonymous"))
    await recorder.flush()
    assert _logged(fresh_db) == [("req-0", 3), ("req-1", 3), ("req-2", 3), ("anonymous", 3)]
    assert _usage(fresh_db, key_id) == (3, "10.0.0.7")
    assert recorder.dropped == 0


async def test_every_field_arrives_as_recorded(pool: ConnectionPool, fresh_db: str) -> None:
    recorder = Recorder(pool)
    odd = 'é "quoted" \\ back\tslash ✓'
    at = 1_764_633_600.123456
    entry = AccessEntry(
        api_key_id=None, request_id=None, method="PATCH", path=f"/api/v1/x?q={odd}",
        status_code=599, duration_ms=0, client_ip="2001:db8::1", user_agent=odd, created_at=at,
    )  # fmt: skip
    recorder.record_access(entry)
    await recorder.flush()
    with psycopg.connect(fresh_db) as conn:
        row = conn.execute(
            "SELECT api_key_id, request_id, method, path, status_code, duration_ms,"
            " host(client_ip), user_agent, extract(epoch FROM created_at)::float8"
            " FROM api_access_logs"
        ).fetchone()
    assert row == (None, None, "PATCH", f"/api/v1/x?q={odd}", 599, 0, "2001:db8::1", odd, at)


async def test_a_refused_batch_is_dropped_and_the_next_one_lands(
    pool: ConnectionPool, fresh_db: str
) -> None:
    key_id, _ = issue_key(fresh_db)
    recorder = Recorder(pool)
    recorder.record_use(key_id, "10.0.0.7")
    recorder.record_access(_entry(key_id, "fine"))
    recorder.record_access(_entry(key_id, "refused", duration_ms=-1))  # the CHECK refuses it
    await recorder.flush()
    assert recorder.dropped == 2  # the whole batch: one transaction
    assert _logged(fresh_db) == []
    assert _usage(fresh_db, key_id) == (0, None)
    recorder.record_use(key_id, "10.0.0.8")
    recorder.record_access(_entry(key_id, "next"))
    await recorder.flush()
    assert _logged(fresh_db) == [("next", 3)]
    assert _usage(fresh_db, key_id) == (1, "10.0.0.8")


async def test_an_unreachable_database_keeps_the_batch(fresh_db: str) -> None:
    key_id, _ = issue_key(fresh_db)
    closed = ConnectionPool(fresh_db, min_size=1, max_size=1)
    await closed.open()
    await closed.close()
    recorder = Recorder(closed)
    recorder.record_use(key_id, "10.0.0.7")
    recorder.record_access(_entry(key_id, "kept"))
    with pytest.raises(Exception):  # noqa: B017 - whatever the pool raises, nothing is lost
        await recorder.flush()
    assert recorder.dropped == 0
    reopened = ConnectionPool(fresh_db, min_size=1, max_size=1)
    await reopened.open()
    try:
        recorder._pool = reopened
        await recorder.flush()
    finally:
        await reopened.close()
    assert _logged(fresh_db) == [("kept", 3)]
    assert _usage(fresh_db, key_id) == (1, "10.0.0.7")
