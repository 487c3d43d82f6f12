"""HTTP adapters for logs. ``POST /logs/batch`` lives on its own controller so that the app can
give it a larger body limit (``LOGS_BATCH_MAX_BODY_BYTES``) than every other route."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import State
from litestar.params import JSONBody, Parameter

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, Page, paged, single
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, From, Limit, Sort, To
from taskmaster.api.policy import policy
from taskmaster.logs import service
from taskmaster.logs.schemas import (
    Level,
    LogBatch,
    LogBatchResult,
    LogEntry,
    LogWrite,
)
from taskmaster.logs.service import LOGS

Req = Request[Any, Any, Any]
PATH = "/api/v1/logs"
BIGINT_MAX = 2**63 - 1
Text100 = Annotated[str | None, Parameter(max_length=100)]


class LogController(Controller):
    path = PATH
    opt = policy("logs:read", "logs:write")
    tags = ["logs"]

    @post("/", responses=problems(*WRITE), summary="Record one log entry")
    async def create_log(
        self, request: Req, state: State, data: JSONBody[LogWrite]
    ) -> Response[Envelope[LogEntry]]:
        entry = await LOGS.create(state.pool, data)
        return single(request, entry, 201, location=f"{self.path}/{entry.id}")

    @get(
        "/",
        responses=problems(*COMMON),
        summary="List log entries (newest first by default; keyset-paginated)",
    )
    async def list_logs(
        self, request: Req, state: State, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None, level: list[Level] | None = None,
        source: Text100 = None, component: Text100 = None,
        correlation_id: Annotated[str | None, Parameter(max_length=200)] = None, task_id: UUID | None = None,
        workflow_id: UUID | None = None, integration_id: UUID | None = None,
        from_: From = None, to: To = None,
    ) -> Page[LogEntry]:  # fmt: skip
        filters = {
            "level": level, "source": source, "component": component,
            "correlation_id": correlation_id, "task_id": task_id, "workflow_id": workflow_id,
            "integration_id": integration_id, "from": from_, "to": to,
        }  # fmt: skip
        page = await LOGS.page(state.pool, state.cursors, filters, sort, cursor, limit)
        return paged(request, page, limit)

    @get("/{log_id:int}", responses=problems(*COMMON), summary="Get one log entry")
    async def get_log(
        self, request: Req, state: State, log_id: Annotated[int, Parameter(ge=1, le=BIGINT_MAX)]
    ) -> Response[Envelope[LogEntry]]:
        return single(request, await LOGS.get(state.pool, log_id))


class LogBatchController(Controller):
    path = "/batch"
    opt = policy("logs:read", "logs:write", large_body=True)
    tags = ["logs"]

    @post(
        "/",
        responses=problems(*WRITE),
        summary="Record up to 10,000 log entries at once (all or none; 422 names a bad entry)",
    )
    async def create_log_batch(
        self, request: Req, state: State, data: JSONBody[LogBatch]
    ) -> Response[Envelope[LogBatchResult]]:
        accepted = await service.write_batch(state.pool, data)
        return single(request, LogBatchResult(accepted=accepted), 201)


def batch_router(max_body_bytes: int) -> Router:
    """``POST /api/v1/logs/batch`` with its own body limit (the app's default is smaller)."""
    return Router(
        path=PATH, route_handlers=[LogBatchController], request_max_body_size=max_body_bytes
    )
