"""HTTP routes of logs. ``POST /logs/batch`` lives on its own controller so that the app can
give it a larger body limit (``LOGS_BATCH_MAX_BODY_BYTES``, its policy's ``large_body``)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from taskmaster.api.docs import WRITE, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller
from taskmaster.db.session import Session
from taskmaster.logs import service
from taskmaster.logs.schemas import LogBatch, LogBatchResult
from taskmaster.logs.service import LOGS

PATH = "/api/v1/logs"
BIGINT_MAX = 2**63 - 1


class LogController(
    crud_controller(
        LOGS,
        PATH,
        "logs",
        name="log",
        id_name="log_id",
        id_type="int",
        id_annotation=Annotated[int, PathParameter(ge=1, le=BIGINT_MAX)],
        plural="logs",
        ops=("create", "list", "get"),
        summaries={
            "create": "Record one log entry",
            "list": "List log entries (newest first by default; keyset-paginated)",
            "get": "Get one log entry",
        },
    )
):
    opt = policy("logs:read", "logs:write")


class LogBatchController(Controller):
    path = PATH + "/batch"  # served under the large body limit (app.py)
    opt = policy("logs:read", "logs:write", large_body=True)
    tags = ["logs"]

    @post(
        "/",
        responses=problems(*WRITE),
        summary="Record up to 10,000 log entries at once (all or none; 422 names a bad entry)",
    )
    async def create_log_batch(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        data: JSONBody[LogBatch],
    ) -> Response[Envelope[LogBatchResult]]:
        accepted = await service.write_batch(db, data)
        return single(request, LogBatchResult(accepted=accepted), 201)
