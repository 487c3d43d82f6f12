"""HTTP adapters for tasks: the resource's usual routes, generated from its table, and the
status move. No rules live here."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, patch
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody

from taskmaster.api.docs import WRITE, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.params import IfMatch
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller
from taskmaster.db.session import Session
from taskmaster.graph import service as graph_service
from taskmaster.tasks import service
from taskmaster.tasks.schemas import Task, TaskPatch, TaskStatusChange
from taskmaster.tasks.service import TASKS

# A lease holder's fencing token (POST …/next/claim answers it): the change applies only while it
# is the task's current lease; 409 stale-lease-token otherwise (docs/task-graph.md).
LeaseTokenHeader = Annotated[
    int | None,
    HeaderParameter(
        name="X-Lease-Token", ge=1, le=2**63 - 1, required=False,
        description="Fencing token of the caller's lease: refused (409) unless current",
    ),
]  # fmt: skip


class TaskController(
    crud_controller(
        TASKS, "/api/v1/tasks", "tasks", patch_struct=TaskPatch, rules={"create": service.create}
    )
):
    """``GET /tasks/{id}``, the hottest read, sends the row as PostgreSQL renders it
    (``TASKS.get_json``) with no injected dependency."""

    opt = policy("tasks:read", "tasks:write")

    @patch(
        "/{task_id:uuid}/status", responses=problems(*WRITE, 412), summary="Change a task's status"
    )
    async def change_status(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session],
        task_id: FromPath[UUID], data: JSONBody[TaskStatusChange], if_match: IfMatch = None,
        lease_token: LeaseTokenHeader = None,
    ) -> Response[Envelope[Task]]:  # fmt: skip
        version = parse_if_match(if_match)
        if lease_token is not None:  # fenced: only the current lease (docs/task-graph.md)
            task = await graph_service.change_status_fenced(db, task_id, data, version, lease_token)
        else:
            task = await service.change_status(db, task_id, data, version)
        return single(request, task)
