"""HTTP adapters for what hangs off one task: ``/tasks/{id}/contexts``, ``/subtasks``,
``/dependencies`` and ``/history`` (its audit entries). Same path prefix as :class:`~taskmaster.tasks.routes.TaskController`."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, delete, post
from litestar.params import FromPath, JSONBody

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.params import Db, Req
from taskmaster.api.policy import policy
from taskmaster.api.resource import scoped_create, scoped_list
from taskmaster.audit.service import TASK_HISTORY
from taskmaster.graph import service as graph
from taskmaster.tasks import service
from taskmaster.tasks.schemas import (
    Task,
    TaskContextWrite,
    TaskDependency,
    TaskDependencyWrite,
    TaskWrite,
)

TaskId = FromPath[UUID]


class TaskRelationsController(Controller):
    path = "/api/v1/tasks/{task_id:uuid}"
    opt = policy("tasks:read", "tasks:write")
    tags = ["tasks"]

    add_context = scoped_create(
        service.CONTEXTS, "/contexts", "add_context", "Add a context record to a task",
        scope_id="task_id", data=TaskContextWrite, located=False,
    )  # fmt: skip

    list_contexts = scoped_list(
        service.CONTEXTS,
        "/contexts",
        "list_contexts",
        "List a task's context records",
        scope_id="task_id",
    )

    @post("/subtasks", responses=problems(*WRITE), summary="Create a child task")
    async def create_subtask(
        self, request: Req, db: Db, task_id: TaskId, data: JSONBody[TaskWrite]
    ) -> Response[Envelope[Task]]:
        task = await service.create_subtask(db, task_id, data)
        return single(request, task, 201, location=f"/api/v1/tasks/{task.id}")

    list_subtasks = scoped_list(
        service.SUBTASKS, "/subtasks", "list_subtasks", "List a task's children", scope_id="task_id"
    )

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

    list_history = scoped_list(
        TASK_HISTORY, "/history", "list_history", "A task's changes (audit, newest first)",
        scope_id="task_id",
    )  # fmt: skip

    list_dependencies = scoped_list(
        service.DEPENDENCIES,
        "/dependencies",
        "list_dependencies",
        "List a task's dependency edges",
        scope_id="task_id",
    )

    @delete(
        "/dependencies/{dependency_id:uuid}",
        responses=problems(*COMMON),
        summary="Remove a dependency edge",
    )
    async def remove_dependency(
        self, db: Db, task_id: TaskId, dependency_id: FromPath[UUID]
    ) -> None:
        await service.remove_dependency(db, task_id, dependency_id)
