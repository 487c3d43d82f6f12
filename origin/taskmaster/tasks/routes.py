"""HTTP adapters for tasks: parse, call the service, wrap in the envelope. No rules live here."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.params import Parameter

from taskmaster.api.docs import COMMON, WRITE, ReadWithIfNoneMatch, problems
from taskmaster.api.envelope import Envelope, Page, paged, single, single_json
from taskmaster.api.etags import parse_if_match
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, IfMatch, Limit, Sort
from taskmaster.graph import service as graph_service
from taskmaster.tasks import service
from taskmaster.tasks.schemas import (
    Task,
    TaskPatch,
    TaskStatus,
    TaskStatusChange,
    TaskType,
    TaskWrite,
)
from taskmaster.tasks.service import TASKS

# A lease holder's fencing token (POST …/next/claim answers it): the change applies only while it
# is the task's current lease; 409 stale-lease-token otherwise.
LeaseTokenHeader = Annotated[
    int | None,
    Parameter(
        header="X-Lease-Token", ge=1, le=2**63 - 1, required=False,
        description="Fencing token of the caller's lease: refused (409) unless current",
    ),
]  # fmt: skip


class TaskController(Controller):
    path = "/api/v1/tasks"
    tags = ["tasks"]

    @post("/", responses=problems(*WRITE), summary="Create a task")
    async def create_task(
        self, request: Request[Any, Any, Any], state: State, data: TaskWrite
    ) -> Response[Envelope[Task]]:
        task = await TASKS.create(state.pool, data)
        return single(request, task, 201, location=f"{self.path}/{task.id}")

    @get("/", responses=problems(*COMMON), summary="List tasks (keyset-paginated)")
    async def list_tasks(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None,
        sort: Sort = None,
        status: list[TaskStatus] | None = None,
        type: list[TaskType] | None = None,
        priority_gte: Annotated[int | None, Parameter(ge=0, le=10)] = None,
        priority_lte: Annotated[int | None, Parameter(ge=0, le=10)] = None,
        complexity_gte: Annotated[int | None, Parameter(ge=1, le=10)] = None,
        complexity_lte: Annotated[int | None, Parameter(ge=1, le=10)] = None,
        tag: list[str] | None = None,
        assigned_to: Annotated[str | None, Parameter(max_length=255)] = None,
        project_id: UUID | None = None,
        parent_task_id: UUID | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
    ) -> Page[Task]:
        filters = {
            "status": status, "type": type, "priority_gte": priority_gte,
            "priority_lte": priority_lte, "complexity_gte": complexity_gte,
            "complexity_lte": complexity_lte, "tag": tag, "assigned_to": assigned_to,
            "project_id": project_id, "parent_task_id": parent_task_id,
            "created_after": created_after, "created_before": created_before,
        }  # fmt: skip
        page = await TASKS.page(state.pool, state.cursors, filters, sort, cursor, limit)
        return paged(request, page, limit)

    @get(
        "/{task_id:uuid}",
        responses=problems(*COMMON),
        summary="Get a task",
        operation_class=ReadWithIfNoneMatch,
    )
    async def get_task(
        self, request: Request[Any, Any, Any], task_id: UUID
    ) -> Response[Envelope[Task]]:
        # The hottest read: no ``state`` parameter (Litestar builds a State per request for it).
        version, task_json = await TASKS.get_json(request.app.state.pool, task_id)
        return single_json(request, version, task_json)  # answers If-None-Match

    @put("/{task_id:uuid}", responses=problems(*WRITE, 412), summary="Replace a task")
    async def replace_task(
        self, request: Request[Any, Any, Any], state: State, task_id: UUID, data: TaskWrite,
        if_match: IfMatch = None,
    ) -> Response[Envelope[Task]]:  # fmt: skip
        task = await TASKS.replace(state.pool, task_id, data, parse_if_match(if_match))
        return single(request, task)

    @patch(
        "/{task_id:uuid}", responses=problems(*WRITE, 412), summary="Update some fields of a task"
    )
    async def patch_task(
        self, request: Request[Any, Any, Any], state: State, task_id: UUID, data: TaskPatch,
        if_match: IfMatch = None,
    ) -> Response[Envelope[Task]]:  # fmt: skip
        task = await TASKS.patch(state.pool, task_id, data, parse_if_match(if_match))
        return single(request, task)

    @patch(
        "/{task_id:uuid}/status", responses=problems(*WRITE, 412), summary="Change a task's status"
    )
    async def change_status(
        self, request: Request[Any, Any, Any], state: State, task_id: UUID,
        data: TaskStatusChange, if_match: IfMatch = None, lease_token: LeaseTokenHeader = None,
    ) -> Response[Envelope[Task]]:  # fmt: skip
        version = parse_if_match(if_match)
        if lease_token is not None:  # fenced: only the current lease (docs/task-graph.md)
            task = await graph_service.change_status_fenced(
                state.pool, task_id, data, version, lease_token
            )
        else:
            task = await service.change_status(state.pool, task_id, data, version)
        return single(request, task)

    @delete("/{task_id:uuid}", responses=problems(*COMMON, 409, 412), summary="Delete a task")
    async def delete_task(self, state: State, task_id: UUID, if_match: IfMatch = None) -> None:
        await TASKS.delete(state.pool, task_id, parse_if_match(if_match))
