"""HTTP adapters for what hangs off one task: ``/tasks/{id}/contexts``, ``/subtasks`` and
``/dependencies``. Same path prefix as :class:`~taskmaster.tasks.routes.TaskController`."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, Page, paged, single
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, Limit, Sort
from taskmaster.api.policy import policy
from taskmaster.db.session import Session
from taskmaster.graph import service as graph
from taskmaster.tasks import service
from taskmaster.tasks.schemas import (
    ContextType,
    DependencyType,
    Task,
    TaskContext,
    TaskContextWrite,
    TaskDependency,
    TaskDependencyWrite,
    TaskStatus,
    TaskWrite,
)

Req = Request[Any, Any, Any]
Db = NamedDependency[Session]
TaskId = FromPath[UUID]


class TaskRelationsController(Controller):
    path = "/api/v1/tasks/{task_id:uuid}"
    opt = policy("tasks:read", "tasks:write")
    tags = ["tasks"]

    @post("/contexts", responses=problems(*WRITE), summary="Add a context record to a task")
    async def add_context(
        self, request: Req, db: Db, task_id: TaskId, data: JSONBody[TaskContextWrite]
    ) -> Response[Envelope[TaskContext]]:
        context = await service.CONTEXTS.create(db, data, {"task_id": task_id})
        return single(request, context, 201)

    @get("/contexts", responses=problems(*COMMON), summary="List a task's context records")
    async def list_contexts(
        self, request: Req, db: Db, task_id: TaskId, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None,
        context_type: FromQuery[list[ContextType] | None] = None,
        created_after: FromQuery[datetime | None] = None,
        created_before: FromQuery[datetime | None] = None,
    ) -> Page[TaskContext]:  # fmt: skip
        filters = {
            "context_type": context_type,
            "created_after": created_after,
            "created_before": created_before,
        }
        page = await service.CONTEXTS.page(
            db, request.app.state.cursors, filters, sort, cursor, limit, {"task_id": task_id}
        )
        return paged(request, page, limit)

    @post("/subtasks", responses=problems(*WRITE), summary="Create a child task")
    async def create_subtask(
        self, request: Req, db: Db, task_id: TaskId, data: JSONBody[TaskWrite]
    ) -> Response[Envelope[Task]]:
        task = await service.create_subtask(db, task_id, data)
        return single(request, task, 201, location=f"/api/v1/tasks/{task.id}")

    @get("/subtasks", responses=problems(*COMMON), summary="List a task's children")
    async def list_subtasks(
        self, request: Req, db: Db, task_id: TaskId, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None,
        status: FromQuery[list[TaskStatus] | None] = None,
    ) -> Page[Task]:  # fmt: skip
        page = await service.SUBTASKS.page(
            db, request.app.state.cursors, {"status": status}, sort, cursor, limit,
            {"task_id": task_id},
        )  # fmt: skip
        return paged(request, page, limit)

    @post(
        "/dependencies",
        responses=problems(*WRITE),
        summary="Add a dependency edge (409 duplicate or cycle, 422 self-edge or unknown task)",
    )
    async def add_dependency(
        self, request: Req, db: Db, task_id: TaskId, data: JSONBody[TaskDependencyWrite]
    ) -> Response[Envelope[TaskDependency]]:
        dependency = await graph.add_dependency(db, task_id, data)
        return single(request, dependency, 201)

    @get("/dependencies", responses=problems(*COMMON), summary="List a task's dependency edges")
    async def list_dependencies(
        self, request: Req, db: Db, task_id: TaskId, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None,
        dependency_type: FromQuery[list[DependencyType] | None] = None,
    ) -> Page[TaskDependency]:  # fmt: skip
        filters = {"dependency_type": dependency_type}
        page = await service.DEPENDENCIES.page(
            db, request.app.state.cursors, filters, sort, cursor, limit, {"task_id": task_id}
        )
        return paged(request, page, limit)

    @delete(
        "/dependencies/{dependency_id:uuid}",
        responses=problems(*COMMON),
        summary="Remove a dependency edge",
    )
    async def remove_dependency(
        self, db: Db, task_id: TaskId, dependency_id: FromPath[UUID]
    ) -> None:
        await service.remove_dependency(db, task_id, dependency_id)
