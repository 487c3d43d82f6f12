"""HTTP adapters for deployments (the usual routes, generated from their table) and their
scripts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.params import IfMatch, IfNoneMatch
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller, scoped_list
from taskmaster.db.session import Session
from taskmaster.deployments.schemas import (
    DeploymentPatch,
    Script,
    ScriptRun,
    ScriptWrite,
)
from taskmaster.deployments.service import DEPLOYMENTS, SCRIPTS

Req = Request[Any, Any, Any]
Db = NamedDependency[Session]
PathId = FromPath[UUID]
ONE = "/{deployment_id:uuid}"
SCRIPT = ONE + "/scripts/{script_id:uuid}"


class DeploymentController(
    crud_controller(
        DEPLOYMENTS,
        "/api/v1/deployments",
        "deployments",
        patch_struct=DeploymentPatch,
        summaries={
            "patch": "Update a deployment (e.g. its status)",
            "delete": "Delete a deployment and its scripts",
        },
        statuses={"delete": (*COMMON, 412)},
    )
):
    opt = policy("deployments:read", "deployments:write")

    list_scripts = scoped_list(
        SCRIPTS,
        ONE + "/scripts",
        "list_scripts",
        "List a deployment's scripts in execution order",
        scope_id="deployment_id",
    )

    @post(ONE + "/scripts", responses=problems(*WRITE), summary="Add a script to a deployment")
    async def add_script(
        self, request: Req, db: Db, deployment_id: PathId, data: JSONBody[ScriptWrite]
    ) -> Response[Envelope[Script]]:
        script = await SCRIPTS.create(db, data, {"deployment_id": deployment_id})
        location = f"{self.path}/{deployment_id}/scripts/{script.id}"
        return single(request, script, 201, location=location)

    @get(SCRIPT, responses=problems(*COMMON), summary="Get a script (with its logs)")
    async def get_script(
        self, request: Req, db: Db, deployment_id: PathId, script_id: PathId,
        if_none_match: IfNoneMatch = None,
    ) -> Response[Envelope[Script]]:  # fmt: skip
        script = await SCRIPTS.get(db, script_id, {"deployment_id": deployment_id})
        return single(request, script, if_none_match=if_none_match)

    @patch(
        SCRIPT,
        responses=problems(*WRITE, 412),
        summary="Record a script run: status, exit code, logs, retries",
    )
    async def record_run(
        self, request: Req, db: Db, deployment_id: PathId, script_id: PathId,
        data: JSONBody[ScriptRun], if_match: IfMatch = None,
    ) -> Response[Envelope[Script]]:  # fmt: skip
        version, scope = parse_if_match(if_match), {"deployment_id": deployment_id}
        script = await SCRIPTS.patch(db, script_id, data, version, scope)
        return single(request, script)
