"""HTTP adapters for ``/api/v1/analytics/{tasks,validations,errors}`` (read-only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.datastructures import State

from taskmaster.analytics import service
from taskmaster.analytics.schemas import ErrorAnalytics, TaskAnalytics, ValidationAnalytics
from taskmaster.api.docs import COMMON, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.policy import policy
from taskmaster.auth.scopes import ADMIN

Req = Request[Any, Any, Any]


class AnalyticsController(Controller):
    path = "/api/v1/analytics"
    opt = policy("metrics:read", ADMIN, cache_group="analytics")  # read-only
    tags = ["analytics"]

    @get(
        "/tasks",
        responses=problems(*COMMON),
        summary="Task counts by status, average complexity, estimate accuracy",
    )
    async def task_analytics(
        self, request: Req, state: State, project_id: UUID | None = None,
        created_after: datetime | None = None, created_before: datetime | None = None,
    ) -> Response[Envelope[TaskAnalytics]]:  # fmt: skip
        report = await service.tasks(state.pool, project_id, created_after, created_before)
        return single(request, report)

    @get(
        "/validations",
        responses=problems(*COMMON),
        summary="Validation counts by status and type, average score and duration, pass rate",
    )
    async def validation_analytics(
        self, request: Req, state: State, task_id: UUID | None = None,
        created_after: datetime | None = None, created_before: datetime | None = None,
    ) -> Response[Envelope[ValidationAnalytics]]:  # fmt: skip
        report = await service.validations(state.pool, task_id, created_after, created_before)
        return single(request, report)

    @get(
        "/errors",
        responses=problems(*COMMON),
        summary="Error counts by severity and type, unresolved, occurrences, top codes",
    )
    async def error_analytics(
        self, request: Req, state: State, task_id: UUID | None = None,
        created_after: datetime | None = None, created_before: datetime | None = None,
    ) -> Response[Envelope[ErrorAnalytics]]:  # fmt: skip
        report = await service.errors(state.pool, task_id, created_after, created_before)
        return single(request, report)
