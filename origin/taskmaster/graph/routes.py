"""HTTP adapters of the task graph. ``/api/v1/tasks/next`` cannot be shadowed by the tasks
controller's ``/{task_id:uuid}`` routes: "next" is not a uuid, and the router prefers the literal
segment anyway (tests/integration/graph checks both)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromQuery, JSONBody, QueryParameter

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import EncodedResponse, Envelope, single, written_json_of
from taskmaster.api.params import Db, PathId, Req
from taskmaster.api.policy import policy
from taskmaster.api.resource import scoped_list
from taskmaster.graph import service
from taskmaster.graph.schemas import (
    Blockers,
    ClaimRequest,
    CriticalPath,
    GraphFix,
    GraphValidation,
    HeartbeatRequest,
    LeasedTask,
    NextClaimRequest,
    ReleaseRequest,
    SubtaskBatch,
)
from taskmaster.tasks.schemas import Task

Assignee = Annotated[
    str | None,
    QueryParameter(max_length=255, description="Only tasks assigned to this agent or to nobody"),
]


class TaskGraphController(Controller):
    path = "/api/v1/tasks"
    opt = policy("tasks:read", "tasks:write")
    tags = ["task graph"]

    @get(
        "/next",
        responses=problems(*COMMON),
        summary="The best ready task (404 no-ready-task when there is none)",
        description="Ready: pending (or in progress under an expired lease), every prerequisite "
        "completed, not under a live lease. Order: lapsed leases first (oldest due first), then "
        "subtasks of in-progress parents, then priority, then the number of unfinished tasks "
        "waiting on it, then age.",
    )
    async def next_task(
        self,
        request: Req,
        db: Db,
        project_id: FromQuery[UUID | None] = None,
        assignee: Assignee = None,
    ) -> Response[Envelope[Task]]:
        return single(request, await service.next_task(db, project_id, assignee))

    @post(
        "/next/claim",
        status_code=200,
        responses=problems(*WRITE),
        summary="Lease the best ready task nobody else is claiming (404 when none is left)",
        description="Answers the leased task with its `lease_token` (fencing: give it back on "
        "heartbeat, release and `PATCH …/status` as `X-Lease-Token`). With `count` (1-100): "
        "up to that many tasks, leased in one statement, as a list, best first.",
    )
    async def claim_next(
        self, request: Req, db: Db, data: JSONBody[NextClaimRequest]
    ) -> Response[Envelope[LeasedTask | list[LeasedTask]]]:
        # The plain form of this request is served by api/hot_claim.py, with the same answer.
        version, rendered = await service.claim_next(db, data)
        return EncodedResponse(written_json_of(request.scope, version, rendered))

    @post(
        "/{task_id:uuid}/claim",
        status_code=200,
        responses=problems(*WRITE),
        summary="Lease a task to an agent (409 when leased to another, finished or blocked)",
    )
    async def claim(
        self, request: Req, db: Db, task_id: PathId, data: JSONBody[ClaimRequest]
    ) -> Response[Envelope[LeasedTask]]:
        return single(request, await service.claim(db, task_id, data))

    @post(
        "/{task_id:uuid}/heartbeat",
        status_code=200,
        responses=problems(*WRITE),
        summary="Extend the lease (409 unless this agent holds it; with lease_token, that lease)",
    )
    async def heartbeat(
        self, request: Req, db: Db, task_id: PathId, data: JSONBody[HeartbeatRequest]
    ) -> Response[Envelope[LeasedTask]]:
        return single(request, await service.heartbeat(db, task_id, data))

    @post(
        "/{task_id:uuid}/release",
        status_code=200,
        responses=problems(*WRITE),
        summary="Give the task back (pending again; 409 unless this agent holds the lease; with "
        "lease_token, that lease)",
    )
    async def release(
        self, request: Req, db: Db, task_id: PathId, data: JSONBody[ReleaseRequest]
    ) -> Response[Envelope[Task]]:
        return single(request, await service.release(db, task_id, data))

    @get(
        "/{task_id:uuid}/blockers",
        responses=problems(*COMMON),
        summary="Unfinished prerequisites, transitively, nearest first",
    )
    async def blockers(self, request: Req, db: Db, task_id: PathId) -> Response[Envelope[Blockers]]:
        return single(request, await service.blockers(db, task_id))

    @post(
        "/{task_id:uuid}/subtasks/batch",
        responses=problems(*WRITE),
        summary="Create many subtasks in one transaction (all or nothing; 422 names the entry)",
    )
    async def create_subtasks(
        self, request: Req, db: Db, task_id: PathId, data: JSONBody[SubtaskBatch]
    ) -> Response[Envelope[list[Task]]]:
        return single(request, await service.create_subtasks(db, task_id, data), 201)


class ProjectGraphController(Controller):
    path = "/api/v1/projects/{project_id:uuid}"
    opt = policy("tasks:read", "tasks:write")
    tags = ["task graph"]

    list_dependencies = scoped_list(
        service.PROJECT_DEPENDENCIES,
        "/dependencies",
        "list_project_dependencies",
        "List the dependency edges of a project's tasks (by the dependent task's project)",
        scope_id="project_id",
    )

    @get(
        "/dependencies/validate",
        responses=problems(*COMMON),
        summary="Cycles, dangling references and duplicate edges among the project's dependencies",
    )
    async def validate(
        self, request: Req, db: Db, project_id: PathId
    ) -> Response[Envelope[GraphValidation]]:
        return single(request, await service.validate(db, project_id))

    @post(
        "/dependencies/fix",
        status_code=200,
        responses=problems(*COMMON, 409),
        summary="Remove dangling and duplicate dependency rows (dry_run=true only reports them)",
    )
    async def fix(
        self, request: Req, db: Db, project_id: PathId, dry_run: FromQuery[bool] = False
    ) -> Response[Envelope[GraphFix]]:
        return single(request, await service.fix(db, project_id, dry_run))

    @get(
        "/critical-path",
        responses=problems(*COMMON, 409),
        summary="The longest chain of unfinished tasks by estimated_hours (409 on a cycle)",
    )
    async def critical_path(
        self, request: Req, db: Db, project_id: PathId
    ) -> Response[Envelope[CriticalPath]]:
        return single(request, await service.critical_path(db, project_id))
