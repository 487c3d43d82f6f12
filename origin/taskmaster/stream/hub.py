"""The stream hub: one per origin process, fanning the event log out to every open stream.

It holds one dedicated connection (never a pool connection) and, while a stream is open (or
about to be: :meth:`EventHub.live`), every ``EVENT_LOG_POLL_MS``:

1. reads the readable events (ids below the xid watermark ``event_log_readable_before()``, a
   gap-free prefix of the log: docs/stream.md, "Ids") after the highest id it has dispatched,
   in id order, and offers each to the streams whose filter it matches (the event's JSON is
   encoded once, in SQL); its position then moves to the watermark - 1 ("now" for new streams);
2. every ``STREAM_HEARTBEAT_S``, re-checks the keys and login sessions of its streams in one
   query and ends the streams of those revoked, expired, logged out or of a deactivated user.

Writers do nothing for the hub (no NOTIFY: ``pg_notify`` at commit serialises the committing
transactions), so it polls.

A stream's buffer is bounded (``STREAM_QUEUE_MAX``): a consumer that falls further behind is
marked overflowed and cut off (it resumes with Last-Event-ID from the log). A lost connection is
re-opened with back-off; the hub continues from the last id it dispatched, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from taskmaster.db.pool import listener_connection
from taskmaster.db.sql import load_queries
from taskmaster.errors import ApiError, FieldError
from taskmaster.settings import StreamSettings

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))
logger = logging.getLogger("taskmaster.stream")

FETCH_BATCH = 1000
# An event type (``task.created``), every type of a resource (``task.*``) or every type (``*``).
TYPE_PATTERN = re.compile(r"^(\*|[a-z_]+\.\*|[a-z_]+\.[a-z_]+)$")
MAX_TYPES = 50


@dataclass(frozen=True, slots=True)
class Event:
    """One readable row of the event log, as the hub and a replay read it."""

    id: int
    type: str
    project_id: str | None
    task_ids: tuple[str, ...]
    json: str  # the event's JSON object (docs/stream.md), sent as is


def event_of(row: tuple[Any, ...]) -> Event:
    id_, type_, project_id, task_ids, json = row
    return Event(id_, type_, project_id, tuple(t for t in task_ids if t), json)


def parse_types(raw: str | None) -> tuple[str, ...]:
    """``types=task.*,deployment.completed`` → exact names and ``resource.`` prefixes."""
    if raw is None or not raw.strip():
        return ()
    items = [item.strip() for item in raw.split(",") if item.strip()]
    bad = [item for item in items if not TYPE_PATTERN.match(item)]
    if bad or len(items) > MAX_TYPES:
        message = (
            f"{bad[0]!r} is not an event type, 'resource.*' or '*'"
            if bad
            else f"at most {MAX_TYPES} types"
        )
        raise ApiError(
            400,
            "invalid-parameter",
            "Bad request",
            f"types: {message}.",
            errors=[FieldError(field="types", message=message)],
        )
    if "*" in items:
        return ()
    return tuple(item[:-1] if item.endswith("*") else item for item in items)


@dataclass(frozen=True, slots=True)
class StreamFilter:
    """What one stream receives. ``tenancy`` None: every project (the caller's ``app.projects``
    is ``*``); otherwise only events of those projects (never one without a project)."""

    tenancy: frozenset[str] | None
    projects: frozenset[str] = frozenset()
    types: tuple[str, ...] = ()  # exact names, or prefixes ending in "."
    task_id: str | None = None

    def matches(self, event: Event) -> bool:
        project = event.project_id
        if self.tenancy is not None and project not in self.tenancy:
            return False
        if self.projects and project not in self.projects:
            return False
        if self.task_id is not None and self.task_id not in event.task_ids:
            return False
        if self.types:
            name = event.type
            return any(name == t or (t[-1] == "." and name.startswith(t)) for t in self.types)
        return True


def tenancy_filter(tenancy: str) -> frozenset[str] | None:
    """The projects a request's ``app.projects`` value allows (None: all)."""
    if tenancy == "*":
        return None
    return frozenset(p for p in tenancy.strip("{}").split(",") if p)


class Subscriber:
    """One open stream's mailbox: a bounded queue of matching events and a wake-up."""

    __slots__ = (
        "_max",
        "after",
        "ended",
        "filter",
        "key_id",
        "overflowed",
        "principal",
        "queue",
        "session_id",
        "wake",
    )  # fmt: skip

    def __init__(
        self, flt: StreamFilter, principal: str, key_id: str | None, session_id: str | None,
        queue_max: int,
    ) -> None:  # fmt: skip
        self.filter = flt
        self.principal = principal
        self.key_id = key_id
        self.session_id = session_id
        self.queue: deque[Event] = deque()
        self.wake = asyncio.Event()
        self.overflowed = False
        self.ended: str | None = None  # why the hub ended it (e.g. "revoked")
        self.after = 0  # a live stream's start: it is offered only the events after this id
        self._max = queue_max

    def offer(self, event: Event) -> None:
        if self.overflowed or event.id <= self.after:
            return
        if len(self.queue) >= self._max:
            self.overflowed = True
            self.queue.clear()  # it is cut off: what it would have read is in the log
        else:
            self.queue.append(event)
        self.wake.set()

    def end(self, reason: str) -> None:
        self.ended = reason
        self.wake.set()


def _uuid_or_none(value: str | None) -> str | None:
    try:
        return str(UUID(value)) if value else None
    except ValueError:
        return None


class EventHub:
    def __init__(
        self, conninfo: str, settings: StreamSettings, *, connect_timeout_s: int = 2
    ) -> None:
        self._conninfo = conninfo
        self._settings = settings
        self._connect_timeout_s = connect_timeout_s
        self._subscribers: set[Subscriber] = set()
        self._per_principal: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None
        self.position = 0  # every id up to this one has been offered to the streams
        self.ready = asyncio.Event()  # set while the position is known (the hub polls)
        self._wanted = 0  # callers of live() not subscribed yet: the hub must not go idle
        self._wake = asyncio.Event()  # live() asks an idle hub to poll again

    # ---- streams -------------------------------------------------------------------------

    async def live(self) -> None:
        """Return once the hub polls; call it right before :meth:`subscribe`, with no await in
        between (else the hub may idle again). With no stream open the hub does not poll (nobody
        to dispatch to): this wakes it and its position is read afresh, so the new stream still
        gets every event committed after it subscribed (``subscribe`` starts a live one at the
        later of its ``live_from`` and that position), as with a hub that never stopped."""
        if self.ready.is_set():
            return
        self._wanted += 1
        try:
            self._wake.set()
            await self.ready.wait()
        finally:
            self._wanted -= 1

    def subscribe(
        self,
        flt: StreamFilter,
        principal: str,
        key_id: str | None,
        session_id: str | None,
        live_from: int | None = None,
    ) -> Subscriber:
        """A new stream's mailbox; 429 when its key or user already has the most streams.
        ``live_from``: a stream without a last id, opened when the log's "now" was this id: it is
        offered only later events, also while the hub is still dispatching earlier ones to other
        streams (its position lags then); None for a stream that replays from its last id."""
        cap = self._settings.max_per_principal
        if self._per_principal.get(principal, 0) >= cap:
            raise ApiError(
                429,
                "too-many-streams",
                "Too many streams",
                f"This key or user already has {cap} open streams on this server; close one "
                "or resume later.",
                headers={"Retry-After": "5"},
            )
        sub = Subscriber(
            flt, principal, _uuid_or_none(key_id), _uuid_or_none(session_id),
            self._settings.queue_max,
        )  # fmt: skip
        if live_from is not None:
            sub.after = max(live_from, self.position)
        self._subscribers.add(sub)
        self._per_principal[principal] = self._per_principal.get(principal, 0) + 1
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        if sub in self._subscribers:
            self._subscribers.discard(sub)
            left = self._per_principal.get(sub.principal, 1) - 1
            if left > 0:
                self._per_principal[sub.principal] = left
            else:
                self._per_principal.pop(sub.principal, None)

    def __len__(self) -> int:
        return len(self._subscribers)

    def dispatch(self, events: list[Event]) -> None:
        subscribers = list(self._subscribers)
        for event in events:
            for sub in subscribers:
                if sub.filter.matches(event):
                    sub.offer(event)
        if events:
            self.position = events[-1].id

    # ---- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="stream-hub")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        for sub in list(self._subscribers):
            sub.end("shutdown")

    async def _run(self) -> None:
        delay = 0.2
        while True:
            conn: AsyncConnection[Any] | None = None
            try:
                conn = await listener_connection(self._conninfo, self._connect_timeout_s)
                await self._serve(conn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("stream hub connection lost (%s); reconnecting", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            finally:
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await conn.close()

    async def _serve(self, conn: AsyncConnection[Any]) -> None:
        # The hub reads every project's events (each stream filters by its caller's tenancy)
        # and checks every stream's key (api_keys' row-level security: admin).
        await conn.execute(
            "SELECT set_config('app.projects', '*', false), set_config('app.is_admin', 'on', false)"
        )
        loop = asyncio.get_running_loop()
        poll_s = self._settings.poll_interval_ms / 1000
        next_check = loop.time() + self._settings.heartbeat_s
        while True:
            if not self._subscribers and not self._wanted:
                await self._idle()
            await self._poll(conn)
            self.ready.set()
            if loop.time() >= next_check:
                await self._revalidate(conn)
                next_check = loop.time() + self._settings.heartbeat_s
            await asyncio.sleep(poll_s)

    async def _idle(self) -> None:
        """Wait for :meth:`live` without polling; the next poll then starts at "now" (as a new
        hub does: the events meanwhile were for nobody)."""
        self.ready.clear()
        self._wake.clear()
        await self._wake.wait()

    async def _poll(self, conn: AsyncConnection[Any]) -> None:
        """Dispatch every event below the watermark, then move the position up to it."""
        cur = await conn.execute(QUERIES["position"])
        row = await cur.fetchone()
        now = int(row[0]) if row else 0
        if not self.ready.is_set():
            self.position = now  # a new hub starts live
            return
        # The fetch's own watermark is at least ``now`` (read later): all below ``now`` is read.
        await self._fetch(conn)
        self.position = max(self.position, now)

    async def _fetch(self, conn: AsyncConnection[Any]) -> None:
        while True:
            cur = await conn.execute(
                QUERIES["events_after"], {"after": self.position, "limit": FETCH_BATCH}
            )
            events = [event_of(row) for row in await cur.fetchall()]
            self.dispatch(events)
            if len(events) < FETCH_BATCH:
                return

    async def _revalidate(self, conn: AsyncConnection[Any]) -> None:
        """End the streams whose key or login session can no longer be used."""
        subs = list(self._subscribers)
        keys = sorted({s.key_id for s in subs if s.key_id})
        sessions = sorted({s.session_id for s in subs if s.session_id})
        if not keys and not sessions:
            return
        cur = await conn.execute(QUERIES["live_principals"], {"keys": keys, "sessions": sessions})
        live = {(kind, value) for kind, value in await cur.fetchall()}
        for sub in subs:
            if (sub.key_id and ("key", sub.key_id) not in live) or (
                sub.session_id and ("session", sub.session_id) not in live
            ):
                sub.end("revoked")
