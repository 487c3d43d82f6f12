"""HTTP adapters for ``/api/v1/analytics/{tasks,validations,errors}`` (read-only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from taskmaster.analytics import service
from taskmaster.analytics.schemas import ErrorAnalytics, TaskAnalytics, ValidationAnalytics
from taskmaster.api.docs import COMMON, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.policy import policy
from taskmaster.auth.scopes import ADMIN
from taskmaster.db.session import Session

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
        self, request: Req, db: NamedDependency[Session], project_id: FromQuery[UUID | None] = None,
        created_after: FromQuery[datetime | None] = None,
        created_before: FromQuery[datetime | None] = None,
    ) -> Response[Envelope[TaskAnalytics]]:  # fmt: skip
        report = await service.tasks(db, project_id, created_after, created_before)
        return single(request, report)

    @get(
        "/validations",
        responses=problems(*COMMON),
        summary="Validation counts by status and type, average score and duration, pass rate",
    )
    async def validation_analytics(
        self, request: Req, db: NamedDependency[Session], task_id: FromQuery[UUID | None] = None,
        created_after: FromQuery[datetime | None] = None,
        created_before: FromQuery[datetime | None] = None,
    ) -> Response[Envelope[ValidationAnalytics]]:  # fmt: skip
        report = await service.validations(db, task_id, created_after, created_before)
        return single(request, report)

    @get(
        "/errors",
        responses=problems(*COMMON),
        summary="Error counts by severity and type, unresolved, occurrences, top codes",
    )
    async def error_analytics(
        self, request: Req, db: NamedDependency[Session], task_id: FromQuery[UUID | None] = None,
        created_after: FromQuery[datetime | None] = None,
        created_before: FromQuery[datetime | None] = None,
    ) -> Response[Envelope[ErrorAnalytics]]:  # fmt: skip
        report = await service.errors(db, task_id, created_after, created_before)
        return single(request, report)
