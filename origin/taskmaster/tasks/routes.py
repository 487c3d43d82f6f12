"""HTTP adapters for tasks: parse, call the service, wrap in the envelope. No rules live here."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.params import Parameter

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Pagination, meta_for
from taskmaster.api.etags import etag, matches_if_none_match, parse_if_match
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, parse_sort
from taskmaster.tasks import service
from taskmaster.tasks.schemas import (
    Task,
    TaskEnvelope,
    TaskPage,
    TaskPatch,
    TaskStatus,
    TaskStatusChange,
    TaskType,
    TaskWrite,
)

IfMatch = Annotated[
    str | None,
    Parameter(header="If-Match", description="Apply the write only if the ETag still matches"),
]
CACHE_CONTROL = "private, max-age=0, must-revalidate"


def _single(
    request: Request[Any, Any, Any], task: Task, status_code: int = 200
) -> Response[TaskEnvelope]:
    return Response(
        TaskEnvelope(data=task, meta=meta_for(request)),
        status_code=status_code,
        headers={"ETag": etag(task.version), "Cache-Control": CACHE_CONTROL},
    )


class TaskController(Controller):
    path = "/api/v1/tasks"
    tags = ["tasks"]

    @post("/", responses=problems(*WRITE), summary="Create a task")
    async def create_task(
        self, request: Request[Any, Any, Any], state: State, data: TaskWrite
    ) -> Response[TaskEnvelope]:
        task = await service.create_task(state.pool, data)
        response = _single(request, task, 201)
        response.headers["Location"] = f"{self.path}/{task.id}"
        return response

    @get("/", responses=problems(*COMMON), summary="List tasks (keyset-paginated)")
    async def list_tasks(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Annotated[int, Parameter(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
        cursor: Annotated[str | None, Parameter(max_length=2048)] = None,
        sort: Annotated[
            str | None,
            Parameter(
                max_length=200,
                description="Comma-separated fields, '-' for descending: "
                + ", ".join(service.SORT_FIELDS),
                examples=[],
            ),
        ] = None,
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
    ) -> TaskPage:
        keys = parse_sort(sort, service.SORT_FIELDS, service.DEFAULT_SORT)
        filters = {
            "status": status, "type": type, "priority_gte": priority_gte,
            "priority_lte": priority_lte, "complexity_gte": complexity_gte,
            "complexity_lte": complexity_lte, "tag": tag, "assigned_to": assigned_to,
            "project_id": project_id, "parent_task_id": parent_task_id,
            "created_after": created_after, "created_before": created_before,
        }  # fmt: skip
        page = await service.list_tasks(state.pool, state.cursors, filters, keys, cursor, limit)
        return TaskPage(
            data=page.tasks,
            pagination=Pagination(
                limit=limit, next_cursor=page.next_cursor, has_more=page.has_more
            ),
            meta=meta_for(request),
        )

    @get("/{task_id:uuid}", responses=problems(*COMMON), summary="Get a task")
    async def get_task(
        self,
        request: Request[Any, Any, Any],
        state: State,
        task_id: UUID,
        if_none_match: Annotated[str | None, Parameter(header="If-None-Match")] = None,
    ) -> Response[TaskEnvelope]:
        task = await service.get_task(state.pool, task_id)
        if matches_if_none_match(if_none_match, task.version):
            return Response(None, status_code=304, headers={"ETag": etag(task.version)})  # type: ignore[arg-type]
        return _single(request, task)

    @put("/{task_id:uuid}", responses=problems(*WRITE, 412), summary="Replace a task")
    async def replace_task(
        self, request: Request[Any, Any, Any], state: State, task_id: UUID, data: TaskWrite,
        if_match: IfMatch = None,
    ) -> Response[TaskEnvelope]:  # fmt: skip
        task = await service.replace_task(state.pool, task_id, data, parse_if_match(if_match))
        return _single(request, task)

    @patch(
        "/{task_id:uuid}", responses=problems(*WRITE, 412), summary="Update some fields of a task"
    )
    async def patch_task(
        self, request: Request[Any, Any, Any], state: State, task_id: UUID, data: TaskPatch,
        if_match: IfMatch = None,
    ) -> Response[TaskEnvelope]:  # fmt: skip
        task = await service.patch_task(state.pool, task_id, data, parse_if_match(if_match))
        return _single(request, task)

    @patch(
        "/{task_id:uuid}/status", responses=problems(*WRITE, 412), summary="Change a task's status"
    )
    async def change_status(
        self, request: Request[Any, Any, Any], state: State, task_id: UUID,
        data: TaskStatusChange, if_match: IfMatch = None,
    ) -> Response[TaskEnvelope]:  # fmt: skip
        task = await service.change_status(state.pool, task_id, data, parse_if_match(if_match))
        return _single(request, task)

    @delete("/{task_id:uuid}", responses=problems(*COMMON, 409, 412), summary="Delete a task")
    async def delete_task(self, state: State, task_id: UUID, if_match: IfMatch = None) -> None:
        await service.delete_task(state.pool, task_id, parse_if_match(if_match))
