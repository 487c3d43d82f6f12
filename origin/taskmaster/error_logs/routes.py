"""HTTP adapters for error logs: log (with occurrence counting), list, get, resolve, delete."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody, Parameter

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, Page, paged, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, IfMatch, IfNoneMatch, Limit, Sort
from taskmaster.api.policy import policy
from taskmaster.error_logs import service
from taskmaster.error_logs.schemas import (
    ErrorCategory,
    ErrorLog,
    ErrorResolution,
    ErrorType,
    ErrorWrite,
    Severity,
)
from taskmaster.error_logs.service import ERRORS

Req = Request[Any, Any, Any]
ONE = "/{error_id:uuid}"
COUNTED_AGAIN = ResponseSpec(
    data_container=Envelope[ErrorLog],
    description="An open error with the same task, code and message exists; its "
    "occurrence_count was incremented",
    generate_examples=False,
)


class ErrorLogController(Controller):
    path = "/api/v1/errors"
    opt = policy("tasks:read", "tasks:write")
    tags = ["errors"]

    @post(
        "/",
        responses={200: COUNTED_AGAIN, **problems(*WRITE)},
        summary="Log an error (201 new; 200 when an open duplicate was counted again)",
    )
    async def log_error(
        self, request: Req, state: State, data: JSONBody[ErrorWrite]
    ) -> Response[Envelope[ErrorLog]]:
        error, created = await service.log_error(state.pool, data)
        location = f"{self.path}/{error.id}"
        return single(request, error, 201 if created else 200, location=location)

    @get("/", responses=problems(*COMMON), summary="List errors (keyset-paginated)")
    async def list_errors(
        self, request: Req, state: State, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None, severity: list[Severity] | None = None,
        error_type: list[ErrorType] | None = None,
        error_category: list[ErrorCategory] | None = None,
        error_code: Annotated[str | None, Parameter(max_length=100)] = None,
        resolved: bool | None = None, task_id: UUID | None = None,
        workflow_id: UUID | None = None,
        request_id: Annotated[str | None, Parameter(max_length=200)] = None,
        created_after: datetime | None = None, created_before: datetime | None = None,
    ) -> Page[ErrorLog]:  # fmt: skip
        filters = {
            "severity": severity, "error_type": error_type, "error_category": error_category,
            "error_code": error_code, "resolved": resolved, "task_id": task_id,
            "workflow_id": workflow_id, "request_id": request_id,
            "created_after": created_after, "created_before": created_before,
        }  # fmt: skip
        page = await ERRORS.page(state.pool, state.cursors, filters, sort, cursor, limit)
        return paged(request, page, limit)

    @get(ONE, responses=problems(*COMMON), summary="Get an error")
    async def get_error(
        self, request: Req, state: State, error_id: UUID, if_none_match: IfNoneMatch = None
    ) -> Response[Envelope[ErrorLog]]:
        error = await ERRORS.get(state.pool, error_id)
        return single(request, error, if_none_match=if_none_match)

    @post(
        ONE + "/resolve",
        status_code=200,
        responses=problems(*WRITE, 412),
        summary="Resolve an error (idempotent); a later occurrence opens a new error",
    )
    async def resolve_error(
        self, request: Req, state: State, error_id: UUID, data: JSONBody[ErrorResolution],
        if_match: IfMatch = None,
    ) -> Response[Envelope[ErrorLog]]:  # fmt: skip
        version = parse_if_match(if_match)
        return single(request, await service.resolve(state.pool, error_id, data, version))

    @delete(ONE, responses=problems(*COMMON, 412), summary="Delete an error")
    async def delete_error(self, state: State, error_id: UUID, if_match: IfMatch = None) -> None:
        await ERRORS.delete(state.pool, error_id, parse_if_match(if_match))
