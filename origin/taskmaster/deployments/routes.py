"""HTTP adapters for deployments (the usual routes, generated from their table) and their
scripts."""

from __future__ import annotations

from litestar import Response, patch
from litestar.params import JSONBody

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.params import Db, IfMatch, PathId, Req
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller, scoped_create, scoped_get, scoped_list
from taskmaster.deployments.schemas import (
    DeploymentPatch,
    Script,
    ScriptRun,
    ScriptWrite,
)
from taskmaster.deployments.service import DEPLOYMENTS, SCRIPTS

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

    add_script = scoped_create(
        SCRIPTS, ONE + "/scripts", "add_script", "Add a script to a deployment",
        scope_id="deployment_id", data=ScriptWrite,
    )  # fmt: skip
    get_script = scoped_get(
        SCRIPTS, SCRIPT, "get_script", "Get a script (with its logs)",
        scope_id="deployment_id", id_name="script_id",
    )  # fmt: skip

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
