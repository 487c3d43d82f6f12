"""``Client.stream()`` / ``AsyncClient.stream()`` against the real session origin: typed events,
resumed by themselves after the connection is cut (through a TCP relay the test can sever),
``reset`` handed to ``on_reset``, refusals raised."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator
from uuid import UUID

import psycopg
import pytest
from taskmaster_client import AsyncClient, BadRequest, Client, StreamEnded, Unauthorized
from taskmaster_client.models import Event, Reset

from tests.conftest import OriginProcess, issue_key


class Relay:
    """A loopback TCP relay to the origin; ``cut()`` severs every connection through it."""

    def __init__(self, target: str) -> None:
        host, port = target.removeprefix("http://").split(":")
        self._target = (host, int(port))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.connections = 0
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._target)
            with self._lock:
                self.connections += 1
                self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with self._lock:
            sockets, self._open = self._open, []
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def close(self) -> None:
        self.cut()
        self._listener.close()


@pytest.fixture
def relay(origin: OriginProcess) -> Iterator[Relay]:
    r = Relay(origin.url)
    yield r
    r.close()


def _project(tm: Client) -> UUID:
    slug = f"s-{uuid.uuid4().hex[:10]}"
    return tm.projects.create(name=slug, slug=slug).id


def _log_position(database_url: str) -> int:
    """The newest event id: a resume point before the test's own writes."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT event_log_readable_before() - 1").fetchone()
    return int(row[0]) if row else 0


def test_stream_yields_typed_events_and_resumes_after_a_cut(
    origin: OriginProcess, origin_db: str, admin_key: str, relay: Relay
) -> None:
    with Client(origin.url, admin_key) as tm, Client(relay.url, admin_key) as watcher:
        project = _project(tm)
        start = _log_position(origin_db)
        first = tm.tasks.create(title="before the cut", project_id=project)
        # From before that write: the iterator connects on its first next().
        events = watcher.stream(project_id=[project], types="task.*", last_event_id=start,
                                reconnect_wait=0.1)  # fmt: skip
        got = [next(events)]
        relay.cut()  # the client's connection dies; writes go on meanwhile
        missed = [tm.tasks.create(title=f"missed {n}", project_id=project).id for n in range(10)]
        got += [next(events) for _ in range(10)]
        events.close()
    assert all(isinstance(e, Event) for e in got)
    assert got[0].resource.id == first.id and got[0].type == "task.created"
    assert [e.resource.id for e in got[1:]] == missed  # exactly those, in order, once
    assert [e.id for e in got] == sorted({e.id for e in got})
    assert relay.connections >= 2  # it reconnected by itself


def test_a_reset_goes_to_on_reset_then_the_stream_goes_on(
    origin: OriginProcess, origin_db: str, admin_key: str
) -> None:
    resets: list[Reset] = []
    with Client(origin.url, admin_key) as tm:
        project = _project(tm)
        tm.tasks.create(title="aged", project_id=project)
        with psycopg.connect(origin_db, autocommit=True) as conn:
            conn.execute("UPDATE event_log SET created_at = now() - interval '30 days'")
            conn.execute("SELECT purge_event_log(7)")
        later: list[UUID] = []

        def on_reset(reset: Reset) -> None:  # resync here; then write something to see live
            resets.append(reset)
            later.append(tm.tasks.create(title="after the reset", project_id=project).id)

        events = tm.stream(project_id=[project], last_event_id=0, on_reset=on_reset)
        first = next(events)
        events.close()
    assert len(resets) == 1 and resets[0].reason == "expired"
    assert first.resource.id == later[0] and first.id > resets[0].resume_from


def test_refusals_raise(origin: OriginProcess, origin_db: str) -> None:
    key_id, key = issue_key(origin_db, ["tasks:read"])
    with Client(origin.url, key) as tm:
        with pytest.raises(BadRequest):
            next(tm.stream(types="not a type"))
        with psycopg.connect(origin_db, autocommit=True) as conn:
            conn.execute("UPDATE api_keys SET revoked_at = now() WHERE id = %s", (key_id,))
        with pytest.raises(Unauthorized):
            next(tm.stream())
    assert StreamEnded("revoked").reason == "revoked"


def test_async_stream_resumes_after_a_cut(
    origin: OriginProcess, origin_db: str, admin_key: str, relay: Relay
) -> None:
    async def scenario() -> tuple[list[Event], list[UUID]]:
        async with AsyncClient(origin.url, admin_key) as tm, AsyncClient(relay.url, admin_key) as w:
            slug = f"as-{uuid.uuid4().hex[:10]}"
            project = (await tm.projects.create(name=slug, slug=slug)).id
            start = _log_position(origin_db)
            created = [(await tm.tasks.create(title="one", project_id=project)).id]
            events = w.stream(project_id=[project], last_event_id=start, reconnect_wait=0.1)
            got = [await anext(events)]
            relay.cut()
            created += [
                (await tm.tasks.create(title=f"m{n}", project_id=project)).id for n in range(3)
            ]
            got += [await anext(events) for _ in range(3)]
            await events.aclose()
            return got, created

    got, created = asyncio.run(scenario())
    assert [e.resource.id for e in got] == created
