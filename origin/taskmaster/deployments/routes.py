"""HTTP adapters for deployments and their scripts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.params import JSONBody, Parameter

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, Page, paged, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, IfMatch, IfNoneMatch, Limit, Sort
from taskmaster.api.policy import policy
from taskmaster.deployments.schemas import (
    Deployment,
    DeploymentPatch,
    DeploymentStatus,
    DeploymentType,
    DeploymentWrite,
    Environment,
    Script,
    ScriptRun,
    ScriptStatus,
    ScriptWrite,
)
from taskmaster.deployments.service import DEPLOYMENTS, SCRIPTS

Req = Request[Any, Any, Any]
ONE = "/{deployment_id:uuid}"
SCRIPT = ONE + "/scripts/{script_id:uuid}"
Sha = Annotated[str | None, Parameter(pattern=r"^[0-9a-f]{7,64}$")]


class DeploymentController(Controller):
    path = "/api/v1/deployments"
    opt = policy("deployments:read", "deployments:write")
    tags = ["deployments"]

    @post("/", responses=problems(*WRITE), summary="Create a deployment")
    async def create_deployment(
        self, request: Req, state: State, data: JSONBody[DeploymentWrite]
    ) -> Response[Envelope[Deployment]]:
        deployment = await DEPLOYMENTS.create(state.pool, data)
        return single(request, deployment, 201, location=f"{self.path}/{deployment.id}")

    @get("/", responses=problems(*COMMON), summary="List deployments (keyset-paginated)")
    async def list_deployments(
        self, request: Req, state: State, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None, status: list[DeploymentStatus] | None = None,
        environment: list[Environment] | None = None,
        deployment_type: list[DeploymentType] | None = None, project_id: UUID | None = None,
        task_id: UUID | None = None, workflow_id: UUID | None = None, commit_sha: Sha = None,
        created_after: datetime | None = None, created_before: datetime | None = None,
    ) -> Page[Deployment]:  # fmt: skip
        filters = {
            "status": status, "environment": environment, "deployment_type": deployment_type,
            "project_id": project_id, "task_id": task_id, "workflow_id": workflow_id,
            "commit_sha": commit_sha, "created_after": created_after,
            "created_before": created_before,
        }  # fmt: skip
        page = await DEPLOYMENTS.page(state.pool, state.cursors, filters, sort, cursor, limit)
        return paged(request, page, limit)

    @get(ONE, responses=problems(*COMMON), summary="Get a deployment")
    async def get_deployment(
        self, request: Req, state: State, deployment_id: UUID, if_none_match: IfNoneMatch = None
    ) -> Response[Envelope[Deployment]]:
        deployment = await DEPLOYMENTS.get(state.pool, deployment_id)
        return single(request, deployment, if_none_match=if_none_match)

    @put(ONE, responses=problems(*WRITE, 412), summary="Replace a deployment")
    async def replace_deployment(
        self, request: Req, state: State, deployment_id: UUID, data: JSONBody[DeploymentWrite],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Deployment]]:  # fmt: skip
        version = parse_if_match(if_match)
        deployment = await DEPLOYMENTS.replace(state.pool, deployment_id, data, version)
        return single(request, deployment)

    @patch(ONE, responses=problems(*WRITE, 412), summary="Update a deployment (e.g. its status)")
    async def patch_deployment(
        self, request: Req, state: State, deployment_id: UUID, data: JSONBody[DeploymentPatch],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Deployment]]:  # fmt: skip
        version = parse_if_match(if_match)
        deployment = await DEPLOYMENTS.patch(state.pool, deployment_id, data, version)
        return single(request, deployment)

    @delete(ONE, responses=problems(*COMMON, 412), summary="Delete a deployment and its scripts")
    async def delete_deployment(
        self, state: State, deployment_id: UUID, if_match: IfMatch = None
    ) -> None:
        await DEPLOYMENTS.delete(state.pool, deployment_id, parse_if_match(if_match))

    @get(
        ONE + "/scripts",
        responses=problems(*COMMON),
        summary="List a deployment's scripts in execution order",
    )
    async def list_scripts(
        self, request: Req, state: State, deployment_id: UUID, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None, status: list[ScriptStatus] | None = None,
    ) -> Page[Script]:  # fmt: skip
        scope = {"deployment_id": deployment_id}
        page = await SCRIPTS.page(
            state.pool, state.cursors, {"status": status}, sort, cursor, limit, scope
        )
        return paged(request, page, limit)

    @post(ONE + "/scripts", responses=problems(*WRITE), summary="Add a script to a deployment")
    async def add_script(
        self, request: Req, state: State, deployment_id: UUID, data: JSONBody[ScriptWrite]
    ) -> Response[Envelope[Script]]:
        script = await SCRIPTS.create(state.pool, data, {"deployment_id": deployment_id})
        location = f"{self.path}/{deployment_id}/scripts/{script.id}"
        return single(request, script, 201, location=location)

    @get(SCRIPT, responses=problems(*COMMON), summary="Get a script (with its logs)")
    async def get_script(
        self, request: Req, state: State, deployment_id: UUID, script_id: UUID,
        if_none_match: IfNoneMatch = None,
    ) -> Response[Envelope[Script]]:  # fmt: skip
        script = await SCRIPTS.get(state.pool, script_id, {"deployment_id": deployment_id})
        return single(request, script, if_none_match=if_none_match)

    @patch(
        SCRIPT,
        responses=problems(*WRITE, 412),
        summary="Record a script run: status, exit code, logs, retries",
    )
    async def record_run(
        self, request: Req, state: State, deployment_id: UUID, script_id: UUID,
        data: JSONBody[ScriptRun], if_match: IfMatch = None,
    ) -> Response[Envelope[Script]]:  # fmt: skip
        version, scope = parse_if_match(if_match), {"deployment_id": deployment_id}
        script = await SCRIPTS.patch(state.pool, script_id, data, version, scope)
        return single(request, script)
