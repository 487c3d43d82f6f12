"""HTTP adapters for workflows, their stages and their progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.params import JSONBody

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, Page, paged, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, IfMatch, IfNoneMatch, Limit, Sort
from taskmaster.api.policy import policy
from taskmaster.workflows import service
from taskmaster.workflows.schemas import (
    Stage,
    StageStatus,
    StageUpdate,
    StageWrite,
    TriggerType,
    Workflow,
    WorkflowPatch,
    WorkflowProgress,
    WorkflowStatus,
    WorkflowWrite,
)
from taskmaster.workflows.service import STAGES, WORKFLOWS

Req = Request[Any, Any, Any]
ONE = "/{workflow_id:uuid}"


class WorkflowController(Controller):
    path = "/api/v1/workflows"
    opt = policy("workflows:read", "workflows:write")
    tags = ["workflows"]

    @post("/", responses=problems(*WRITE), summary="Create a workflow")
    async def create_workflow(
        self, request: Req, state: State, data: JSONBody[WorkflowWrite]
    ) -> Response[Envelope[Workflow]]:
        workflow = await WORKFLOWS.create(state.pool, data)
        return single(request, workflow, 201, location=f"{self.path}/{workflow.id}")

    @get("/", responses=problems(*COMMON), summary="List workflows (keyset-paginated)")
    async def list_workflows(
        self, request: Req, state: State, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None, status: list[WorkflowStatus] | None = None,
        trigger_type: list[TriggerType] | None = None, project_id: UUID | None = None,
        task_id: UUID | None = None, created_after: datetime | None = None,
        created_before: datetime | None = None,
    ) -> Page[Workflow]:  # fmt: skip
        filters = {
            "status": status, "trigger_type": trigger_type, "project_id": project_id,
            "task_id": task_id, "created_after": created_after, "created_before": created_before,
        }  # fmt: skip
        page = await WORKFLOWS.page(state.pool, state.cursors, filters, sort, cursor, limit)
        return paged(request, page, limit)

    @get(ONE, responses=problems(*COMMON), summary="Get a workflow")
    async def get_workflow(
        self, request: Req, state: State, workflow_id: UUID, if_none_match: IfNoneMatch = None
    ) -> Response[Envelope[Workflow]]:
        workflow = await WORKFLOWS.get(state.pool, workflow_id)
        return single(request, workflow, if_none_match=if_none_match)

    @put(ONE, responses=problems(*WRITE, 412), summary="Replace a workflow")
    async def replace_workflow(
        self, request: Req, state: State, workflow_id: UUID, data: JSONBody[WorkflowWrite],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Workflow]]:  # fmt: skip
        version = parse_if_match(if_match)
        return single(request, await WORKFLOWS.replace(state.pool, workflow_id, data, version))

    @patch(ONE, responses=problems(*WRITE, 412), summary="Update a workflow")
    async def patch_workflow(
        self, request: Req, state: State, workflow_id: UUID, data: JSONBody[WorkflowPatch],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Workflow]]:  # fmt: skip
        version = parse_if_match(if_match)
        return single(request, await WORKFLOWS.patch(state.pool, workflow_id, data, version))

    @delete(ONE, responses=problems(*COMMON, 412), summary="Delete a workflow and its stages")
    async def delete_workflow(
        self, state: State, workflow_id: UUID, if_match: IfMatch = None
    ) -> None:
        await WORKFLOWS.delete(state.pool, workflow_id, parse_if_match(if_match))

    @get(ONE + "/progress", responses=problems(*COMMON), summary="A workflow's progress")
    async def get_progress(
        self, request: Req, state: State, workflow_id: UUID
    ) -> Response[Envelope[WorkflowProgress]]:
        return single(request, await service.get_progress(state.pool, workflow_id))

    @get(ONE + "/stages", responses=problems(*COMMON), summary="List a workflow's stages in order")
    async def list_stages(
        self, request: Req, state: State, workflow_id: UUID, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None, status: list[StageStatus] | None = None,
    ) -> Page[Stage]:  # fmt: skip
        scope = {"workflow_id": workflow_id}
        page = await STAGES.page(
            state.pool, state.cursors, {"status": status}, sort, cursor, limit, scope
        )
        return paged(request, page, limit)

    @post(
        ONE + "/stages",
        responses=problems(*WRITE),
        summary="Add a stage (409 when its name or order is taken in this workflow)",
    )
    async def add_stage(
        self, request: Req, state: State, workflow_id: UUID, data: JSONBody[StageWrite]
    ) -> Response[Envelope[Stage]]:
        stage = await service.add_stage(state.pool, workflow_id, data)
        location = f"{self.path}/{workflow_id}/stages/{stage.id}"
        return single(request, stage, 201, location=location)

    @get(ONE + "/stages/{stage_id:uuid}", responses=problems(*COMMON), summary="Get a stage")
    async def get_stage(
        self, request: Req, state: State, workflow_id: UUID, stage_id: UUID,
        if_none_match: IfNoneMatch = None,
    ) -> Response[Envelope[Stage]]:  # fmt: skip
        stage = await STAGES.get(state.pool, stage_id, {"workflow_id": workflow_id})
        return single(request, stage, if_none_match=if_none_match)

    @patch(
        ONE + "/stages/{stage_id:uuid}",
        responses=problems(*WRITE, 412),
        summary="Move a stage's status / record its outcome (updates the workflow's progress)",
    )
    async def update_stage(
        self, request: Req, state: State, workflow_id: UUID, stage_id: UUID, data: JSONBody[StageUpdate],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Stage]]:  # fmt: skip
        version = parse_if_match(if_match)
        stage = await service.update_stage(state.pool, workflow_id, stage_id, data, version)
        return single(request, stage)
