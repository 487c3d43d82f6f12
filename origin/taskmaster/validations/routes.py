"""HTTP adapters for validation results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import JSONBody, Parameter

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, Page, paged, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, IfMatch, IfNoneMatch, Limit, Sort
from taskmaster.api.policy import policy
from taskmaster.validations.schemas import (
    ValidationPatch,
    ValidationResult,
    ValidationStatus,
    ValidationType,
    ValidationWrite,
)
from taskmaster.validations.service import VALIDATIONS

Req = Request[Any, Any, Any]
ONE = "/{validation_id:uuid}"
ScoreParam = Annotated[float | None, Parameter(ge=0, le=100)]


class ValidationController(Controller):
    path = "/api/v1/validations"
    opt = policy("tasks:read", "tasks:write")
    tags = ["validations"]

    @post("/", responses=problems(*WRITE), summary="Record a validation result")
    async def create_validation(
        self, request: Req, state: State, data: JSONBody[ValidationWrite]
    ) -> Response[Envelope[ValidationResult]]:
        result = await VALIDATIONS.create(state.pool, data)
        return single(request, result, 201, location=f"{self.path}/{result.id}")

    @get("/", responses=problems(*COMMON), summary="List validation results (keyset-paginated)")
    async def list_validations(
        self, request: Req, state: State, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None, task_id: UUID | None = None,
        workflow_stage_id: UUID | None = None, pull_request_id: UUID | None = None,
        validation_type: list[ValidationType] | None = None,
        validation_status: list[ValidationStatus] | None = None,
        validator: Annotated[str | None, Parameter(max_length=100)] = None,
        score_gte: ScoreParam = None, score_lte: ScoreParam = None,
        created_after: datetime | None = None, created_before: datetime | None = None,
    ) -> Page[ValidationResult]:  # fmt: skip
        filters = {
            "task_id": task_id, "workflow_stage_id": workflow_stage_id,
            "pull_request_id": pull_request_id, "validation_type": validation_type,
            "validation_status": validation_status, "validator": validator,
            "score_gte": score_gte, "score_lte": score_lte,
            "created_after": created_after, "created_before": created_before,
        }  # fmt: skip
        page = await VALIDATIONS.page(state.pool, state.cursors, filters, sort, cursor, limit)
        return paged(request, page, limit)

    @get(ONE, responses=problems(*COMMON), summary="Get a validation result")
    async def get_validation(
        self, request: Req, state: State, validation_id: UUID, if_none_match: IfNoneMatch = None
    ) -> Response[Envelope[ValidationResult]]:
        result = await VALIDATIONS.get(state.pool, validation_id)
        return single(request, result, if_none_match=if_none_match)

    @patch(ONE, responses=problems(*WRITE, 412), summary="Update a validation run's outcome")
    async def patch_validation(
        self, request: Req, state: State, validation_id: UUID, data: JSONBody[ValidationPatch],
        if_match: IfMatch = None,
    ) -> Response[Envelope[ValidationResult]]:  # fmt: skip
        version = parse_if_match(if_match)
        result = await VALIDATIONS.patch(state.pool, validation_id, data, version)
        return single(request, result)

    @delete(ONE, responses=problems(*COMMON, 412), summary="Delete a validation result")
    async def delete_validation(
        self, state: State, validation_id: UUID, if_match: IfMatch = None
    ) -> None:
        await VALIDATIONS.delete(state.pool, validation_id, parse_if_match(if_match))
