"""HTTP routes of ``/api/v1/analytics/{tasks,validations,errors}`` (read-only): one report each,
filtered by its subject (a project or a task) and a ``created_at`` window."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from taskmaster.analytics import service
from taskmaster.analytics.schemas import ErrorAnalytics, TaskAnalytics, ValidationAnalytics
from taskmaster.api.docs import COMMON, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.params import Req
from taskmaster.api.policy import policy
from taskmaster.api.resource import kw_param, with_signature
from taskmaster.auth.scopes import ADMIN
from taskmaster.db.session import Session

Report = Callable[[Any, dict[str, Any]], Awaitable[Any]]


def _report(path: str, name: str, subject: str, run: Report, returns: Any, summary: str) -> Any:
    """``GET path``: the report ``run`` computes, filtered by ``subject`` and the window."""

    async def handler(self: Controller, request: Req, db: Session, **filters: Any) -> Any:
        return single(request, await run(db, filters))

    window = FromQuery[datetime | None]
    params = [
        kw_param("request", Req),
        kw_param("db", NamedDependency[Session]),
        kw_param(subject, FromQuery[UUID | None], None),
        kw_param("created_after", window, None),
        kw_param("created_before", window, None),
    ]
    return get(path, responses=problems(*COMMON), summary=summary)(
        with_signature(handler, name, params, Response[Envelope[returns]])
    )


class AnalyticsController(Controller):
    path = "/api/v1/analytics"
    opt = policy("metrics:read", ADMIN, cache_group="analytics")  # read-only
    tags = ["analytics"]

    task_analytics = _report(
        "/tasks", "task_analytics", "project_id", service.tasks, TaskAnalytics,
        "Task counts by status, average complexity, estimate accuracy",
    )  # fmt: skip
    validation_analytics = _report(
        "/validations", "validation_analytics", "task_id", service.validations,
        ValidationAnalytics,
        "Validation counts by status and type, average score and duration, pass rate",
    )  # fmt: skip
    error_analytics = _report(
        "/errors", "error_analytics", "task_id", service.errors, ErrorAnalytics,
        "Error counts by severity and type, unresolved, occurrences, top codes",
    )  # fmt: skip
