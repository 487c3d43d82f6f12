"""One stream, transport-neutral: replay from the log, then live from the hub (docs/stream.md).

:func:`frames` yields :class:`Frame` s; ``routes`` writes them as SSE or WebSocket messages.

No gap, no duplicate: the stream registers with the hub *before* replaying, so everything the
hub offers from then on is queued; the replay then reads the log (ids below the xid watermark
only, a gap-free prefix) from the caller's last id until it has caught up, and the queue is drained
skipping ids already sent. A queue that overflows during a long replay is dropped and the
replay continues from the log; one that overflows while live cuts the stream (``overflow``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import msgspec
from taskmaster.db.session import Session
from taskmaster.stream.hub import QUERIES, Event, EventHub, Subscriber, event_of

REPLAY_BATCH = 500


@dataclass(frozen=True, slots=True)
class Frame:
    """``event`` None: an event of the log (SSE's default ``message``); else a control frame:
    ``reset``, ``overflow``, ``end`` or ``heartbeat``. ``data`` is a JSON object's text."""

    event: str | None
    id: int | None
    data: str


HEARTBEAT = Frame("heartbeat", None, "{}")


def _control(event: str, id_: int | None, **fields: object) -> Frame:
    return Frame(event, id_, msgspec.json.encode(fields).decode())


def _frame(event: Event) -> Frame:
    return Frame(None, event.id, event.json)


async def _replay_page(db: Session, after: int) -> list[Event]:
    # Under the caller's tenancy: row-level security filters the other projects' rows.
    async with db.read() as conn:
        cur = await conn.execute(QUERIES["events_after"], {"after": after, "limit": REPLAY_BATCH})
        return [event_of(row) for row in await cur.fetchall()]


async def _log_position(db: Session) -> tuple[int, int]:
    """("now": the highest id that is or could have been readable, highest id retention deleted)."""
    async with db.read() as conn:
        cur = await conn.execute(QUERIES["position"])
        row = await cur.fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def live_start(db: Session, last_id: int | None) -> int | None:
    """The ``live_from`` of :meth:`EventHub.subscribe`: the log's "now" for a stream without a
    last id (read before subscribing), None for one that replays."""
    return None if last_id is not None else (await _log_position(db))[0]


async def _start(
    db: Session, hub: EventHub, sub: Subscriber, last_id: int | None
) -> tuple[int, Frame | None]:
    """Where the live part starts, and a ``reset`` frame when ``last_id`` cannot be replayed."""
    if last_id is None:
        return sub.after, None  # set by live_start when it subscribed
    newest, purged = await _log_position(db)
    if last_id < purged or last_id > newest:
        why = "expired" if last_id < purged else "unknown"
        # The frame's id moves the client's Last-Event-ID on: it resyncs, then reads on live.
        return newest, _control(
            "reset", newest, reason=why, last_event_id=last_id, resume_from=newest,
        )  # fmt: skip
    return last_id, None


async def frames(
    db: Session, hub: EventHub, sub: Subscriber, last_id: int | None, heartbeat_s: float
) -> AsyncIterator[list[Frame]]:
    """The frames of one stream, in batches (one write each); ends on overflow or ``end``.
    ``sub`` is already registered with the hub (so the caller could refuse before starting)."""
    await hub.ready.wait()
    sent, reset = await _start(db, hub, sub, last_id)
    if reset is not None:
        yield [reset]
    if last_id is not None and reset is None:
        while True:  # replay until caught up with the log
            page = await _replay_page(db, sent)
            batch = [_frame(e) for e in page if sub.filter.matches(e)]
            if page:
                sent = page[-1].id
            if batch:
                yield batch
            if len(page) < REPLAY_BATCH:
                if not sub.overflowed:
                    break
                sub.overflowed = False  # dropped while replaying: the log still has it all
    while True:
        if sub.ended is not None:
            yield [_control("end", None, reason=sub.ended)]
            return
        if sub.overflowed:
            yield [_control("overflow", sent, reason="slow consumer", last_event_id=sent)]
            return
        if sub.queue:
            fresh = [e for e in sub.queue if e.id > sent]  # the replay may have sent some
            sub.queue.clear()
            if fresh:
                sent = fresh[-1].id
                yield [_frame(e) for e in fresh]
            continue
        sub.wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(sub.wake.wait(), heartbeat_s)
            continue
        yield [HEARTBEAT]
