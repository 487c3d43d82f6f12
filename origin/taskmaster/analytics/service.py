"""Analytics: one named statement per report, filled out to every enumeration value."""

from __future__ import annotations

from pathlib import Path
from typing import Any, LiteralString, get_args

from taskmaster.analytics.schemas import (
    ErrorAnalytics,
    ErrorCodeCount,
    EstimateAccuracy,
    TaskAnalytics,
    ValidationAnalytics,
)
from taskmaster.db.sql import load_queries
from taskmaster.db.table import Db, reading
from taskmaster.tasks.schemas import TaskStatus

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

# The CHECK enumerations of the tables reported on (every key appears in the answer).
TASK_STATUSES = get_args(TaskStatus)
VALIDATION_STATUSES = ("pending", "running", "passed", "failed", "warning", "error", "skipped")
VALIDATION_TYPES = (
    "syntax", "security", "performance", "style", "testing", "integration", "deployment",
    "compliance", "documentation",
)  # fmt: skip
ERROR_SEVERITIES = ("info", "warning", "error", "critical")
ERROR_TYPES = (
    "validation", "compilation", "runtime", "network", "database", "authentication",
    "authorization", "timeout", "resource", "configuration", "integration", "deployment", "unknown",
)  # fmt: skip


def _filled(keys: tuple[str, ...], counts: dict[str, int]) -> dict[str, int]:
    return {key: counts.get(key, 0) for key in keys} | counts


async def _row(db: Db, query: LiteralString, params: dict[str, Any]) -> Any:
    async with reading(db) as conn:
        cur = await conn.execute(query, params)
        return await cur.fetchone()


# Each report takes its filters by name: its subject (project_id or task_id), created_after and
# created_before (None: not filtered).


async def tasks(db: Db, params: dict[str, Any]) -> TaskAnalytics:
    total, by_status, complexity, n, ratio, mape, estimated, actual = await _row(
        db, QUERIES["task_analytics"], params
    )
    accuracy = None if mape is None else max(0.0, 1.0 - mape)
    return TaskAnalytics(
        total=total,
        by_status=_filled(TASK_STATUSES, by_status),
        avg_complexity=complexity,
        estimates=EstimateAccuracy(n, ratio, mape, accuracy, estimated, actual),
    )


async def validations(db: Db, params: dict[str, Any]) -> ValidationAnalytics:
    total, by_status, by_type, score, duration, pass_rate = await _row(
        db, QUERIES["validation_analytics"], params
    )
    return ValidationAnalytics(
        total=total,
        by_status=_filled(VALIDATION_STATUSES, by_status),
        by_type=_filled(VALIDATION_TYPES, by_type),
        avg_score=score,
        avg_execution_time_ms=duration,
        pass_rate=pass_rate,
    )


async def errors(db: Db, params: dict[str, Any]) -> ErrorAnalytics:
    total, unresolved, occurrences, by_severity, by_type, top = await _row(
        db, QUERIES["error_analytics"], params
    )
    return ErrorAnalytics(
        total=total,
        unresolved=unresolved,
        occurrences=int(occurrences),
        by_severity=_filled(ERROR_SEVERITIES, by_severity),
        by_type=_filled(ERROR_TYPES, by_type),
        top_codes=[ErrorCodeCount(code, n, int(occ)) for code, n, occ in top],
    )
