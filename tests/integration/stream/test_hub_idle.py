"""The stream hub without streams: it stops polling (its connection runs no statement), and a
stream that opens afterwards (``live()`` then ``subscribe``) still gets an event committed right
after it subscribed, and none committed while nobody listened."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest
from taskmaster.settings import StreamSettings
from taskmaster.stream.hub import EventHub, StreamFilter

POLL_MS = 20.0


@pytest.fixture
async def hub(fresh_db: str) -> AsyncIterator[EventHub]:
    hub = EventHub(fresh_db, StreamSettings(poll_interval_ms=POLL_MS))
    hub.start()
    yield hub
    await hub.stop()


def _make_project(url: str) -> str:
    project = str(uuid.uuid4())
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO projects (id, name, slug) VALUES (%s, 'idle hub', %s)",
            (project, f"idle-{project[:8]}"),
        )
    return project


def _state_change(url: str, pid: int) -> object:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT state_change FROM pg_stat_activity WHERE pid = %s", (pid,)
        ).fetchone()
    assert row is not None
    return row[0]


async def _hub_pid(hub: EventHub, url: str) -> int:
    await hub.live()  # the hub has connected and polled once
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ).fetchall()
    assert len(rows) == 1, rows
    return int(rows[0][0])


async def test_a_hub_without_streams_runs_no_statement(hub: EventHub, fresh_db: str) -> None:
    pid = await _hub_pid(hub, fresh_db)
    await asyncio.sleep(POLL_MS / 1000 * 3)  # the hub finds no stream and stops
    assert not hub.ready.is_set()
    before = _state_change(fresh_db, pid)
    await asyncio.sleep(POLL_MS / 1000 * 10)  # ten polling intervals
    assert _state_change(fresh_db, pid) == before  # its connection sat idle all along


async def test_a_stream_opened_on_an_idle_hub_gets_what_follows(
    hub: EventHub, fresh_db: str
) -> None:
    project = _make_project(fresh_db)
    await _hub_pid(hub, fresh_db)
    await asyncio.sleep(POLL_MS / 1000 * 3)
    assert not hub.ready.is_set()
    _make_project(fresh_db)  # an event while nobody listens
    await hub.live()
    sub = hub.subscribe(StreamFilter(None), "tests", None, None)
    try:
        with psycopg.connect(fresh_db, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO tasks (project_id, title) VALUES (%s, 'after the subscribe')",
                (project,),
            )
        for _ in range(200):
            if sub.queue:
                break
            await asyncio.sleep(POLL_MS / 1000)
        await asyncio.sleep(POLL_MS / 1000 * 5)  # and whatever else the hub would offer
        events = list(sub.queue)
    finally:
        hub.unsubscribe(sub)
    assert events and events[0].type == "task.created", events
    assert all(e.project_id == project and e.type.startswith("task.") for e in events), events
