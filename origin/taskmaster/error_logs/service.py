"""Error log data access: logging with occurrence counting, resolution, and the ``ERRORS`` table
description (reads, lists and deletes come from :class:`~taskmaster.db.table.Table`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from uuid import UUID

from litestar.params import QueryParameter

from taskmaster.db.sql import load_queries
from taskmaster.db.table import Db, Filter, Table, body_params, created_between, writing
from taskmaster.error_logs.schemas import (
    ErrorCategory,
    ErrorLog,
    ErrorResolution,
    ErrorType,
    ErrorWrite,
    Severity,
)

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

ERRORS: Table[ErrorLog] = Table(
    tenancy="tenancy_task_visible(task_id)",
    name="error_logs",
    label="error",
    struct=ErrorLog,
    columns=QUERIES["fragment:error_columns"],  # also what log_error and resolve_error return
    sorts=("created_at", "last_seen_at", "occurrence_count", "id"),
    filters={
        "severity": Filter("severity = ANY(%(severity)s)", list[Severity] | None),
        "error_type": Filter("error_type = ANY(%(error_type)s)", list[ErrorType] | None),
        "error_category": Filter(
            "error_category = ANY(%(error_category)s)", list[ErrorCategory] | None
        ),
        "error_code": Filter(
            "error_code = %(error_code)s", Annotated[str | None, QueryParameter(max_length=100)]
        ),
        "resolved": Filter("resolved = %(resolved)s", bool | None),
        "task_id": Filter("task_id = %(task_id)s", UUID | None),
        "workflow_id": Filter("workflow_id = %(workflow_id)s", UUID | None),
        "request_id": Filter(
            "request_id = %(request_id)s", Annotated[str | None, QueryParameter(max_length=200)]
        ),
        **created_between(),
    },
    jsonb=frozenset({"details", "context", "metadata"}),
)


async def log_error(db: Db, body: ErrorWrite) -> tuple[ErrorLog, bool]:
    """The stored error and whether it is new (False: an open one was counted again)."""
    async with writing(db) as conn:
        cur = await conn.execute(QUERIES["log_error"], body_params(body, ERRORS.jsonb))
        row = await cur.fetchone()
    assert row is not None
    return ErrorLog(*row[1:]), bool(row[0])


async def resolve(
    db: Db, error_id: UUID, body: ErrorResolution, if_version: int | None
) -> ErrorLog:
    params = body_params(body) | {"id": error_id, "if_version": if_version}
    return await ERRORS.update(db, QUERIES["resolve_error"], params, error_id)
