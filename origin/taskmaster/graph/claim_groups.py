"""Claim groups: the claims of concurrent requests, leased by one statement (issue 14).

Under load, claims (``POST /tasks/next/claim``) wait for a claim slot
(:class:`~taskmaster.db.pool.Gate`). The claims waiting meanwhile that share everything but their
agent, request id and count (the acting key and person, the tenancy, the project, the assignee and
the lease length: :class:`GroupKey`) form a group, up to 16 claims and 100 tasks, and the group is
leased by one ``claim_group`` statement when its slot comes: the best tasks to the request that
came first (one, or its ``count``), the next best to the second, and so on; a request the queue
has no task left for gets the 404 it would have got alone, one it has fewer for gets fewer, as a
batch does. A claim that finds a slot free forms a group of one and runs its own statement
(``claim_next:…:<count>``).

Why: a claim statement's fixed cost (its transaction, its scan of the queue head, the round trip)
was about half a single claim's database CPU; a batch of ten paid it once for ten tasks. Queue
systems fetch alike: one fetch per queue and node serves the node's waiting workers.

What a request sees does not change: it gets its own tasks (never another request's), leased to
its own agent, with their versions; their audit rows name its own request (``app.claim_requests``,
migration ``claim_group_requests``). What is shared is the transaction: a statement that fails
fails every request of its group with the same error. A request that goes away before its
group's statement runs is left out of it; one that goes away after has its tasks leased until the
leases lapse, as a claim whose answer was lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

from taskmaster.db.context import WriteContext
from taskmaster.db.pool import ConnectionPool, Gate
from taskmaster.db.session import Session
from taskmaster.db.table import claim_slots, write_rows

MAX_GROUP = 16  # claims per statement
MAX_SLOTS = 100  # tasks per statement (as many as one batch may ask for)

Leased = list[tuple[int, str]]  # the tasks leased for one claim, best first: version, JSON
# The statement that leases ``slots`` tasks: grouped (claim_group, each task's agent and request
# from the arrays), or for one claim alone (claim_next, its own agent and audit context).
Statements = Callable[[int, bool], str]


@dataclass(frozen=True, slots=True)
class GroupKey:
    """What the claims of one statement share (the statement's parameters but the agent)."""

    tenancy: str
    key_id: str
    user_id: str
    project_id: UUID | None
    assignee: str | None
    ttl_seconds: int


@dataclass(frozen=True, slots=True)
class _Ask:
    agent: str
    count: int
    db: Session  # the request's own (its audit context)
    answer: asyncio.Future[Leased]


@dataclass(slots=True)
class _Group:
    asks: list[_Ask] = field(default_factory=list)
    slots: int = 0
    closed: bool = False  # no claim joins it any more, and its riders left the gate's count

    def fits(self, count: int) -> bool:
        return len(self.asks) < MAX_GROUP and self.slots + count <= MAX_SLOTS


class ClaimGroups:
    """The groups of one pool (one per worker process), each waiting for a claim slot."""

    def __init__(self) -> None:
        self._open: dict[GroupKey, _Group] = {}
        self._running: set[asyncio.Task[None]] = set()

    async def claim(
        self, db: Session, key: GroupKey, agent: str, count: int, statements: Statements
    ) -> Leased:
        """The tasks leased for this request (up to ``count``, best first; none: none left),
        once its group's statement ran."""
        answer: asyncio.Future[Leased] = asyncio.get_running_loop().create_future()
        group = self._open.get(key)
        if group is None or not group.fits(count):
            group = self._open[key] = _Group()
            task = asyncio.create_task(self._run(db, key, group, statements))
            self._running.add(task)  # a reference, until it is done
            task.add_done_callback(self._running.discard)
        else:
            claim_slots(db).ride(1)  # waits with the group (the gate's count of waiting claims)
        group.asks.append(_Ask(agent, count, db, answer))
        group.slots += count
        return await answer

    async def _run(self, db: Session, key: GroupKey, group: _Group, statements: Statements) -> None:
        gate = claim_slots(db)
        try:
            async with gate:
                self._close(key, group, gate)
                asks = [ask for ask in group.asks if not ask.answer.done()]  # gone: left out
                if not asks:
                    return
                rows = await _lease(key, asks, statements)
        except BaseException as exc:  # the statement's failure is every member's
            self._close(key, group, gate)
            for ask in group.asks:
                if not ask.answer.done():
                    ask.answer.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        leased = {rank: (version, rendered) for rank, version, rendered in rows}
        first = 1
        for ask in asks:  # each claim's ranks follow the previous claim's
            ranks = range(first, first + ask.count)
            first += ask.count
            if not ask.answer.done():
                ask.answer.set_result([leased[rank] for rank in ranks if rank in leased])

    def _close(self, key: GroupKey, group: _Group, gate: Gate) -> None:
        """No claim joins ``group`` from now on (later ones form the next); its riders stop
        waiting at the gate. A full group is no longer open when it closes (the next claim
        opened another in its place), but its riders still waited until now."""
        if group.closed:
            return
        group.closed = True
        if self._open.get(key) is group:
            del self._open[key]
        gate.ride(1 - len(group.asks))


async def _lease(key: GroupKey, asks: list[_Ask], statements: Statements) -> list[tuple[Any, ...]]:
    params: dict[str, Any] = {
        "project_id": key.project_id,
        "assignee": key.assignee,
        "ttl_seconds": key.ttl_seconds,
    }
    if len(asks) == 1:  # the request's own session: its context, its request id
        (ask,) = asks
        statement = statements(ask.count, False)
        return await write_rows(ask.db, statement, params | {"agent": ask.agent})
    # The statement's own request id is empty: each leased task's audit row names its request.
    pool = asks[0].db.pool
    group_db = Session(pool, WriteContext(key.key_id, "", key.user_id), tenancy=key.tenancy)
    params |= {  # one entry per task asked for, in rank order
        "agents": [ask.agent for ask in asks for _ in range(ask.count)],
        "request_ids": [ask.db.context.request_id for ask in asks for _ in range(ask.count)],
    }
    return await write_rows(group_db, statements(sum(ask.count for ask in asks), True), params)


_GROUPS: WeakKeyDictionary[ConnectionPool, ClaimGroups] = WeakKeyDictionary()


def claim_groups(pool: ConnectionPool) -> ClaimGroups:
    """The pool's claim groups (made on first use)."""
    groups = _GROUPS.get(pool)
    if groups is None:
        groups = _GROUPS[pool] = ClaimGroups()
    return groups
