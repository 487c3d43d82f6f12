"""Bodies of the task-graph endpoints (msgspec): claims, batches, and the graph reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from taskmaster.tasks.schemas import Task, TaskDependency, TaskStatus, TaskWrite

Agent = Annotated[
    str, msgspec.Meta(min_length=1, max_length=255, description="Who holds the lease")
]
# A lease is short by design: an agent that keeps working heartbeats; one that died lets it lapse.
TtlSeconds = Annotated[int, msgspec.Meta(ge=1, le=86_400, description="Lease length in seconds")]
DEFAULT_TTL_SECONDS = 300
MAX_BATCH = 100
MAX_CLAIM_COUNT = 100
MAX_LEASE_TOKEN = 2**63 - 1  # tasks.lease_token is a bigint
LeaseToken = Annotated[
    int,
    msgspec.Meta(
        ge=1,
        le=MAX_LEASE_TOKEN,
        description="The lease_token a claim returned: only the current lease's token is "
        "accepted (fencing), so an agent whose lease lapsed and was taken over is refused",
    ),
]


class ClaimRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /tasks/{id}/claim``."""

    agent: Agent
    ttl_seconds: TtlSeconds = DEFAULT_TTL_SECONDS


class HeartbeatRequest(ClaimRequest, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /tasks/{id}/heartbeat``; with ``lease_token``, only the current lease."""

    lease_token: LeaseToken | None = None


class NextClaimRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /tasks/next/claim``: lease the best ready task (within a project, and among
    the tasks assigned to ``assignee`` or to nobody, when given)."""

    agent: Agent
    ttl_seconds: TtlSeconds = DEFAULT_TTL_SECONDS
    project_id: UUID | None = None
    assignee: Annotated[str, msgspec.Meta(max_length=255)] | None = None
    count: (
        Annotated[
            int,
            msgspec.Meta(
                ge=1,
                le=MAX_CLAIM_COUNT,
                description="Lease up to this many tasks in one statement; the answer is then a "
                "list, best first (without count: one task)",
            ),
        ]
        | None
    ) = None


class ReleaseRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /tasks/{id}/release``; with ``lease_token``, only the current lease."""

    agent: Agent
    lease_token: LeaseToken | None = None


class LeasedTask(Task):
    """A task as a claim or heartbeat answers it: with the lease's fencing token, which grows on
    every new lease of the task. Give it back on heartbeat, release and the status change."""

    lease_token: int


class SubtaskBatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /tasks/{id}/subtasks/batch``: created together or not at all."""

    tasks: Annotated[list[TaskWrite], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]


class Blocker(msgspec.Struct):
    """An unfinished task standing in the way; ``depth`` 1 = a direct prerequisite."""

    id: UUID
    title: str
    status: TaskStatus
    priority: int
    assigned_to: str | None
    lease_owner: str | None
    lease_expires_at: datetime | None
    depth: int


class Blockers(msgspec.Struct):
    """``GET /tasks/{id}/blockers``."""

    task_id: UUID
    blocked: bool
    blockers: list[Blocker]
    truncated: bool  # more blockers exist than listed


class DanglingEdge(msgspec.Struct):
    dependency: TaskDependency
    missing_task_ids: list[UUID]


class DuplicateEdges(msgspec.Struct):
    """Rows that state the same relation (``A depends_on B`` = ``B blocks A``; ``related`` either
    way round). The oldest is kept."""

    kept: TaskDependency
    duplicates: list[TaskDependency]


class GraphValidation(msgspec.Struct):
    """``GET /projects/{id}/dependencies/validate``: every dependency row touching the project."""

    project_id: UUID
    valid: bool
    edge_count: int
    cycles: list[list[UUID]]  # each a walk a → b → … → a ("depends on"), first id repeated
    dangling: list[DanglingEdge]
    duplicates: list[DuplicateEdges]


class RemovedEdge(msgspec.Struct):
    dependency: TaskDependency
    reason: Literal["dangling", "duplicate"]


class GraphFix(msgspec.Struct):
    """``POST /projects/{id}/dependencies/fix``: what was (or, on a dry run, would be) removed.
    Cycles are reported, not cut: which edge is wrong is a human decision."""

    project_id: UUID
    dry_run: bool
    removed: list[RemovedEdge]
    cycles: list[list[UUID]]


class PathTask(msgspec.Struct):
    id: UUID
    title: str
    status: TaskStatus
    estimated_hours: float  # 0 when the task has no estimate


class CriticalPath(msgspec.Struct):
    """``GET /projects/{id}/critical-path``: the heaviest chain of unfinished tasks, first
    prerequisite first; ``total_estimated_hours`` sums the chain."""

    project_id: UUID
    total_estimated_hours: float
    tasks: list[PathTask]
