"""HTTP adapters for workflows (the usual routes, generated from their table), their stages and
their progress."""

from __future__ import annotations

from litestar import Response, get, patch
from litestar.params import JSONBody

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.params import Db, IfMatch, PathId, Req
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller, scoped_create, scoped_get, scoped_list
from taskmaster.workflows import service
from taskmaster.workflows.schemas import (
    Stage,
    StageUpdate,
    StageWrite,
    WorkflowPatch,
    WorkflowProgress,
)
from taskmaster.workflows.service import STAGES, WORKFLOWS

ONE = "/{workflow_id:uuid}"
STAGE = ONE + "/stages/{stage_id:uuid}"


class WorkflowController(
    crud_controller(
        WORKFLOWS,
        "/api/v1/workflows",
        "workflows",
        patch_struct=WorkflowPatch,
        summaries={"patch": "Update a workflow", "delete": "Delete a workflow and its stages"},
        statuses={"delete": (*COMMON, 412)},
    )
):
    opt = policy("workflows:read", "workflows:write")

    @get(ONE + "/progress", responses=problems(*COMMON), summary="A workflow's progress")
    async def get_progress(
        self, request: Req, db: Db, workflow_id: PathId
    ) -> Response[Envelope[WorkflowProgress]]:
        return single(request, await service.get_progress(db, workflow_id))

    list_stages = scoped_list(
        STAGES,
        ONE + "/stages",
        "list_stages",
        "List a workflow's stages in order",
        scope_id="workflow_id",
    )

    add_stage = scoped_create(
        STAGES, ONE + "/stages", "add_stage",
        "Add a stage (409 when its name or order is taken in this workflow)",
        scope_id="workflow_id", data=StageWrite, create=service.add_stage,
    )  # fmt: skip
    get_stage = scoped_get(
        STAGES, STAGE, "get_stage", "Get a stage", scope_id="workflow_id", id_name="stage_id"
    )

    @patch(
        STAGE,
        responses=problems(*WRITE, 412),
        summary="Move a stage's status / record its outcome (updates the workflow's progress)",
    )
    async def update_stage(
        self, request: Req, db: Db, workflow_id: PathId, stage_id: PathId,
        data: JSONBody[StageUpdate], if_match: IfMatch = None,
    ) -> Response[Envelope[Stage]]:  # fmt: skip
        version = parse_if_match(if_match)
        stage = await service.update_stage(db, workflow_id, stage_id, data, version)
        return single(request, stage)
