"""Task-graph rules: cycle-free dependency writes, ready work, leases, subtask batches and the
graph reports (validate / fix / blockers / critical path).

Concurrency, in one place:

- **Dependency writes** take one transaction-scoped advisory lock over the whole graph before the
  reachability check, then check and insert in the same transaction. Under READ COMMITTED each
  statement reads a fresh snapshot, so the check sees every edge committed before the lock was
  granted, and no edge can commit between the check and the insert. A per-project lock would not
  be enough (edges may cross projects, so two projects' writers could close one cycle);
  SERIALIZABLE would also work but turns every conflict into a retry loop for the caller. The
  check is one indexed walk of milliseconds, and only ordering edges (``depends_on``/``blocks``)
  take the lock, so serialising those writes costs little.
- **Claims** lock the chosen row with ``FOR UPDATE SKIP LOCKED``: concurrent claimers never wait
  on each other and never take the same task; a row another claimer committed meanwhile is
  re-checked against the ready filter and skipped.
- **Subtask counters** and **parent-chain cycles** are enforced by triggers (see the migration
  ``add_task_subtask_counters``), so every path that writes tasks keeps them.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec

from taskmaster.db.context import WRITE_CONTEXT
from taskmaster.db.session import Session
from taskmaster.db.sql import load_queries
from taskmaster.db.table import (
    Db,
    Table,
    body_params,
    claim_slots,
    precondition_failed,
    reading,
    transaction,
    write_rows,
)
from taskmaster.errors import ApiError, FieldError, not_found
from taskmaster.graph import algorithms
from taskmaster.graph.claim_groups import GroupKey, claim_groups
from taskmaster.graph.schemas import (
    MAX_CLAIM_COUNT,
    Blocker,
    Blockers,
    ClaimRequest,
    CriticalPath,
    DanglingEdge,
    DuplicateEdges,
    GraphFix,
    GraphValidation,
    HeartbeatRequest,
    LeasedTask,
    NextClaimRequest,
    PathTask,
    ReleaseRequest,
    RemovedEdge,
    SubtaskBatch,
)
from taskmaster.projects.service import PROJECTS
from taskmaster.tasks.schemas import Task, TaskDependency, TaskDependencyWrite, TaskStatusChange
from taskmaster.tasks.service import DEPENDENCIES, TASKS
from taskmaster.tasks.service import QUERIES as TASK_QUERIES

QUERIES = load_queries(
    Path(__file__).with_name("queries.sql"),
    {
        "task_columns": TASK_QUERIES["fragment:task_columns"],
        "task_json_columns": TASK_QUERIES["fragment:task_json_columns"],
        "record_status_change": TASK_QUERIES["fragment:record_status_change"],
        "write_context": WRITE_CONTEXT,
    },
)

# Every edge whose dependent task is in one project (``GET /projects/{id}/dependencies``, the
# console's graph): one keyset list instead of a request per task. The project is the parent (a
# missing or foreign one is a 404) and each edge keeps the tasks' own tenancy.
PROJECT_DEPENDENCIES: Table[TaskDependency] = replace(
    DEPENDENCIES,
    scope="project_id = %(project_id)s",  # the dependent task's, kept by triggers
    parent=PROJECTS,
)

# Each "next" statement once per scope (see queries.sql): constant text, nothing from input.
# "any" states the always-true clause that only the global claim queue index's predicate carries
# (migration add_task_claim_queue): the project statement cannot use that index, which a LIMIT
# makes PostgreSQL pick whenever it guesses that a filtered walk finds the project's first task
# early (it does not when other projects' tasks come first).
SCOPES: dict[str, str] = {
    "project": "t.project_id = %(project_id)s",
    "any": "t.lease_token >= 0",
}
for _name in ("next_ready", "claim_next"):
    for _scope, _predicate in SCOPES.items():
        QUERIES[f"{_name}:{_scope}"] = QUERIES[_name].replace("/*scope*/", _predicate)  # type: ignore[assignment]
# A claim states its count as a literal, one statement per count (1-100) and scope, made here:
# under "LIMIT $n" PostgreSQL costs the generic plan as if the scan read a tenth of the queue, so
# the prepared statement was planned afresh on every call (about 1 ms for a single claim, the
# inlining of tenancy_allows included, and 1.1 of a batch of ten's 3.8 ms of server CPU); with a
# literal the generic plan wins from the sixth call on.
for _scope in SCOPES:
    for _count in range(1, MAX_CLAIM_COUNT + 1):
        QUERIES[f"claim_next:{_scope}:{_count}"] = QUERIES[f"claim_next:{_scope}"].replace(  # type: ignore[assignment]
            "%(count)s", str(_count)
        )
# A claim group leasing n tasks (graph/claim_groups.py) states LIMIT n too, made on first use
# (n goes up to 100: a group never asks for more tasks than one batch may).
_GROUP_STATEMENTS: dict[tuple[str, int], str] = {}


def _group_statement(scope: str, slots: int) -> str:
    statement = _GROUP_STATEMENTS.get((scope, slots))
    if statement is None:
        statement = _GROUP_STATEMENTS[(scope, slots)] = (
            QUERIES["claim_group"]
            .replace("/*scope*/", SCOPES[scope])
            .replace("%(count)s", str(slots))
        )
    return statement


def claim_statement(scope: str, slots: int, grouped: bool) -> str:
    """The statement that leases ``slots`` tasks in ``scope``: a claim group's, or one claim's."""
    return _group_statement(scope, slots) if grouped else QUERIES[f"claim_next:{scope}:{slots}"]


CLAIM_STATEMENTS = {scope: partial(claim_statement, scope) for scope in SCOPES}
ORDERING_TYPES = frozenset({"depends_on", "blocks"})
MAX_BLOCKERS = 1000
MAX_BLOCKER_DEPTH = 1000


def conflict(code: str, detail: str) -> ApiError:
    return ApiError(409, code, "Conflict", detail)


def _arrow(path: list[Any]) -> str:
    return " -> ".join(str(node) for node in path)


# ---- dependencies ------------------------------------------------------------------------------


def ordering_edge(task_id: UUID, other_id: UUID, dependency_type: str) -> tuple[UUID, UUID]:
    """``(dependent, prerequisite)`` of an edge row: ``A blocks B`` means B depends on A."""
    if dependency_type == "blocks":
        return other_id, task_id
    return task_id, other_id


async def add_dependency(db: Db, task_id: UUID, body: TaskDependencyWrite) -> TaskDependency:
    """Insert an edge; 409 naming the cycle when it would close one (see the module docstring)."""
    if body.dependency_type not in ORDERING_TYPES or task_id == body.depends_on_task_id:
        # 'related' orders nothing; a self-edge is the CHECK constraint's 422.
        return await DEPENDENCIES.create(db, body, {"task_id": task_id})
    dependent, prerequisite = ordering_edge(task_id, body.depends_on_task_id, body.dependency_type)
    async with transaction(db) as conn:
        await conn.execute(QUERIES["lock_dependency_graph"])
        params = {"start": prerequisite, "goal": dependent}
        cur = await conn.execute(QUERIES["check_ordering_edge"], params)
        row = await cur.fetchone()
        assert row is not None
        duplicate, closes_cycle = row
        if duplicate:
            raise conflict(
                "duplicate-dependency",
                f"task {dependent} already depends on task {prerequisite} "
                "(A depends_on B and B blocks A are the same dependency)",
            )
        if closes_cycle:
            cur = await conn.execute(QUERIES["reachable_edges"], {"start": prerequisite})
            edges = await cur.fetchall()
            graph: dict[UUID, list[UUID]] = {}
            for node, succ in edges:
                graph.setdefault(node, []).append(succ)
            back = algorithms.shortest_path(graph, prerequisite, dependent) or [dependent]
            cycle = [dependent, *back]
            raise conflict(
                "dependency-cycle",
                f"this dependency would close a cycle: {_arrow(cycle)} "
                "(each task depends on the next)",
            )
        return await DEPENDENCIES.create(conn, body, {"task_id": task_id})


# ---- ready work and leases --------------------------------------------------------------------


async def _task_or_none(conn: Any, query: str, params: dict[str, Any]) -> Task | None:
    cur = await conn.execute(query, params)
    row = await cur.fetchone()
    return Task(*row) if row is not None else None


async def _leased_or_none(conn: Any, query: str, params: dict[str, Any]) -> LeasedTask | None:
    cur = await conn.execute(query, params)
    row = await cur.fetchone()
    return LeasedTask(*row) if row is not None else None


def no_ready_task(project_id: UUID | None) -> ApiError:
    where = f" in project {project_id}" if project_id else ""
    return ApiError(404, "no-ready-task", "Not found", f"no task is ready{where}")


def _scope(project_id: UUID | None) -> str:
    return "project" if project_id is not None else "any"


async def next_task(db: Db, project_id: UUID | None, assignee: str | None) -> Task:
    params = {"project_id": project_id, "assignee": assignee}
    async with reading(db) as conn:
        task = await _task_or_none(conn, QUERIES[f"next_ready:{_scope(project_id)}"], params)
    if task is None:
        raise no_ready_task(project_id)
    return task


async def claim_next(db: Db, body: NextClaimRequest) -> tuple[int | None, bytes]:
    """Up to ``count`` tasks (one without it) leased in one statement, as the JSON of the answer's
    ``data``: the task (and its version, for the ETag), or with ``count`` a list of them, best
    first (no version); 404 when none. PostgreSQL renders each task (``claim_next`` in
    queries.sql): a batch of ten wide rows is neither decoded nor re-encoded here."""
    scope = _scope(body.project_id)
    if isinstance(db, Session):
        key = _group_key(db, body)
        leased = await claim_groups(db.pool).claim(
            db, key, body.agent, body.count or 1, CLAIM_STATEMENTS[scope]
        )
    else:  # outside a request (a pool of its own): alone
        count = body.count or 1
        async with claim_slots(db):  # DATABASE_CLAIM_CONCURRENCY claims at once per worker
            rows = await write_rows(db, QUERIES[f"claim_next:{scope}:{count}"], body_params(body))
        leased = [(version, rendered) for _, version, rendered in sorted(rows)]
    if not leased:
        raise no_ready_task(body.project_id)
    if body.count is None:
        ((version, rendered),) = leased
        return version, rendered.encode()
    return None, b"[" + ",".join(rendered for _, rendered in leased).encode() + b"]"


def _group_key(db: Session, body: NextClaimRequest) -> GroupKey:
    context = db.context
    return GroupKey(
        db.tenancy, context.key_id, context.user_id, body.project_id, body.assignee,
        body.ttl_seconds,
    )  # fmt: skip


async def claim(db: Db, task_id: UUID, body: ClaimRequest) -> LeasedTask:
    params = body_params(body) | {"id": task_id}
    async with transaction(db) as conn:
        task = await _leased_or_none(conn, QUERIES["claim_task"], params)
        if task is not None:
            return task
        state = await _lease_state(conn, task_id)
    if state.owner is not None and state.live and state.owner != body.agent:
        raise conflict("lease-held", f"task {task_id} is leased to {state.owner!r}")
    if state.status not in ("pending", "in_progress"):
        raise conflict(
            "not-claimable",
            f"task {task_id} is {state.status}; only pending tasks (or in-progress ones whose "
            "lease expired) can be claimed",
        )
    if state.status == "in_progress" and not state.live and state.owner is None:
        raise conflict("not-claimable", f"task {task_id} is in progress without a lease")
    if state.blocked:
        raise conflict(
            "task-blocked",
            f"task {task_id} has unfinished prerequisites (GET /api/v1/tasks/{task_id}/blockers)",
        )
    # Free, unblocked, yet not taken: another request held the row lock (SKIP LOCKED skipped it).
    raise conflict("claim-contended", f"task {task_id} is being changed by another request")


class LeaseState(msgspec.Struct, array_like=True):
    status: str
    owner: str | None
    live: bool
    blocked: bool
    token: int
    version: int


async def _lease_state(conn: Any, task_id: UUID) -> LeaseState:
    cur = await conn.execute(QUERIES["lease_state"], {"id": task_id})
    row = await cur.fetchone()
    if row is None:
        raise not_found("task", task_id)
    return LeaseState(*row)


async def _lease_write(db: Db, query: str, params: dict[str, Any]) -> tuple[Any, ...] | LeaseState:
    """The row of a lease holder's write (one round trip, ``write_rows``), or, when it touched
    nothing, the task's lease state to say why (read on the primary, after the write)."""
    rows = await write_rows(db, query, params)
    if rows:
        return rows[0]
    async with transaction(db) as conn:
        return await _lease_state(conn, params["id"])


def stale_token(task_id: UUID, given: int, state: LeaseState) -> ApiError:
    held = f"leased to {state.owner!r} under token {state.token}" if state.owner else "not leased"
    return conflict(
        "stale-lease-token",
        f"lease token {given} of task {task_id} is not its current lease (the task is {held}): "
        "the lease lapsed and the task was claimed again",
    )


async def heartbeat(db: Db, task_id: UUID, body: HeartbeatRequest) -> LeasedTask:
    found = await _lease_write(db, QUERIES["heartbeat_task"], body_params(body) | {"id": task_id})
    if isinstance(found, LeaseState):
        raise _not_held(task_id, body.agent, body.lease_token, found)
    return LeasedTask(*found)


async def release(db: Db, task_id: UUID, body: ReleaseRequest) -> Task:
    found = await _lease_write(db, QUERIES["release_task"], body_params(body) | {"id": task_id})
    if isinstance(found, LeaseState):
        raise _not_held(task_id, body.agent, body.lease_token, found)
    return Task(*found)


def _not_held(task_id: UUID, agent: str, token: int | None, state: LeaseState) -> ApiError:
    """409 for a write only the lease holder may make (naming the holder)."""
    if token is not None and state.owner == agent and state.token != token:
        return stale_token(task_id, token, state)
    held = f"leased to {state.owner!r}" if state.owner else "not leased"
    return conflict("lease-not-held", f"task {task_id} is {held}, not to {agent!r}")


async def change_status_fenced(
    db: Db,
    task_id: UUID,
    body: TaskStatusChange,
    if_version: int | None,
    lease_token: int,
) -> Task:
    """The status change under ``X-Lease-Token``: only while that token is the current lease."""
    params = {
        "id": task_id,
        "status": body.status,
        "note": body.note,
        "if_version": if_version,
        "lease_token": lease_token,
    }
    found = await _lease_write(db, QUERIES["change_status_fenced"], params)
    if not isinstance(found, LeaseState):
        return Task(*found)
    state = found
    if state.owner is not None and state.token == lease_token:
        raise precondition_failed("task", task_id, state.version)  # the token held, If-Match not
    raise stale_token(task_id, lease_token, state)


# ---- blockers ---------------------------------------------------------------------------------


async def blockers(db: Db, task_id: UUID) -> Blockers:
    params = {"id": task_id, "limit": MAX_BLOCKERS + 1, "max_depth": MAX_BLOCKER_DEPTH}
    async with reading(db) as conn:
        cur = await conn.execute(QUERIES["blockers"], params)
        rows = await cur.fetchall()
    if not rows:
        await TASKS.require(db, task_id)
    found = [Blocker(*row) for row in rows[:MAX_BLOCKERS]]
    return Blockers(
        task_id=task_id, blocked=bool(found), blockers=found, truncated=len(rows) > MAX_BLOCKERS
    )


# ---- project graph reports --------------------------------------------------------------------


async def _require_project(conn: Any, project_id: UUID) -> None:
    cur = await conn.execute(QUERIES["project_exists"], {"project_id": project_id})
    row = await cur.fetchone()
    if not row or not row[0]:
        raise not_found("project", project_id)


class _Report(msgspec.Struct):
    edges: list[TaskDependency]
    cycles: list[list[UUID]]
    dangling: list[DanglingEdge]
    duplicates: list[DuplicateEdges]


async def _inspect(conn: Any, project_id: UUID) -> _Report:
    """Every dependency row touching the project, classified (one query, then linear work)."""
    await _require_project(conn, project_id)
    cur = await conn.execute(QUERIES["project_edges"], {"project_id": project_id})
    rows = await cur.fetchall()
    edges: list[TaskDependency] = []
    dangling: list[DanglingEdge] = []
    groups: dict[tuple[str, UUID, UUID], list[TaskDependency]] = {}
    ordering: list[tuple[UUID, UUID]] = []
    nodes: dict[UUID, None] = {}
    for *columns, task_exists, depends_on_exists in rows:
        edge = TaskDependency(*columns)
        edges.append(edge)
        if not (task_exists and depends_on_exists):
            missing = [edge.task_id] if not task_exists else []
            missing += [edge.depends_on_task_id] if not depends_on_exists else []
            dangling.append(DanglingEdge(dependency=edge, missing_task_ids=missing))
            continue
        if edge.dependency_type == "related":
            a, b = sorted((edge.task_id, edge.depends_on_task_id), key=str)
            key = ("related", a, b)
        else:
            dependent, prerequisite = ordering_edge(
                edge.task_id, edge.depends_on_task_id, edge.dependency_type
            )
            key = ("ordering", dependent, prerequisite)
            ordering.append((dependent, prerequisite))
            nodes[dependent] = nodes[prerequisite] = None
        groups.setdefault(key, []).append(edge)
    duplicates = [  # rows arrive oldest first, so the first of a group is kept
        DuplicateEdges(kept=group[0], duplicates=group[1:])
        for group in groups.values()
        if len(group) > 1
    ]
    cycles = algorithms.find_cycles(algorithms.adjacency(nodes, ordering))
    return _Report(edges, cycles, dangling, duplicates)


async def validate(db: Db, project_id: UUID) -> GraphValidation:
    async with reading(db) as conn:
        report = await _inspect(conn, project_id)
    return GraphValidation(
        project_id=project_id,
        valid=not (report.cycles or report.dangling or report.duplicates),
        edge_count=len(report.edges),
        cycles=report.cycles,
        dangling=report.dangling,
        duplicates=report.duplicates,
    )


async def fix(db: Db, project_id: UUID, dry_run: bool) -> GraphFix:
    """Remove dangling and duplicate rows under the graph lock (so the report cannot go stale
    between reading and deleting)."""
    async with transaction(db) as conn:
        await conn.execute(QUERIES["lock_dependency_graph"])
        report = await _inspect(conn, project_id)
        removed = [RemovedEdge(dependency=d.dependency, reason="dangling") for d in report.dangling]
        removed += [
            RemovedEdge(dependency=edge, reason="duplicate")
            for group in report.duplicates
            for edge in group.duplicates
        ]
        if removed and not dry_run:
            ids = [item.dependency.id for item in removed]
            await conn.execute(QUERIES["delete_edges"], {"ids": ids})
    return GraphFix(project_id=project_id, dry_run=dry_run, removed=removed, cycles=report.cycles)


async def critical_path(db: Db, project_id: UUID) -> CriticalPath:
    params = {"project_id": project_id}
    async with reading(db) as conn:
        await _require_project(conn, project_id)
        cur = await conn.execute(QUERIES["open_tasks"], params)
        tasks = {row[0]: PathTask(*row) for row in await cur.fetchall()}
        cur = await conn.execute(QUERIES["project_ordering_edges"], params)
        edges = await cur.fetchall()
    graph = algorithms.adjacency(tasks, edges)
    weights = {task_id: task.estimated_hours for task_id, task in tasks.items()}
    result = algorithms.longest_chain(graph, weights)
    if result is None:
        cycle = algorithms.find_cycles(graph)[0]
        raise conflict(
            "dependency-cycle",
            f"the project's unfinished tasks form a cycle: {_arrow(cycle)}; "
            "see /dependencies/validate",
        )
    total, chain = result
    return CriticalPath(
        project_id=project_id,
        total_estimated_hours=round(total, 2),
        tasks=[tasks[task_id] for task_id in chain],
    )


# ---- subtasks ---------------------------------------------------------------------------------


async def create_subtasks(db: Db, parent_id: UUID, batch: SubtaskBatch) -> list[Task]:
    """Every subtask or none: one transaction; references are checked first so that a refusal
    names the entry (``tasks[i]``) at fault."""
    items = [msgspec.structs.replace(item, parent_task_id=parent_id) for item in batch.tasks]
    projects = sorted({item.project_id for item in items if item.project_id}, key=str)
    async with transaction(db) as conn:
        cur = await conn.execute(QUERIES["lock_parent"], {"id": parent_id})
        if await cur.fetchone() is None:
            raise not_found("task", parent_id)
        if projects:
            cur = await conn.execute(QUERIES["unknown_projects"], {"ids": projects})
            unknown = {row[0] for row in await cur.fetchall()}
            if unknown:
                index = next(i for i, item in enumerate(items) if item.project_id in unknown)
                field = f"tasks[{index}].project_id"
                raise ApiError(
                    422,
                    "unknown-reference",
                    "Unprocessable content",
                    f"{field} does not name an existing project; nothing was created",
                    errors=[FieldError(field=field, message="no such project")],
                )
        cur = conn.cursor()
        await cur.executemany(
            TASKS.insert_sql,  # type: ignore[arg-type]
            [body_params(item, TASKS.jsonb) for item in items],
            returning=True,
        )
        created = []
        async for result in cur.results():
            row = await result.fetchone()
            assert row is not None
            created.append(Task(*row))
    return created
