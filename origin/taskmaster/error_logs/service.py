"""Error log data access: logging with occurrence counting, resolution, and the ``ERRORS`` table
description (reads, lists and deletes come from :class:`~taskmaster.api.listing.Table`)."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from taskmaster.api.listing import Table, body_params, using
from taskmaster.api.pagination import SortField
from taskmaster.db.pool import ConnectionPool
from taskmaster.db.sql import load_queries
from taskmaster.error_logs.schemas import ErrorLog, ErrorResolution, ErrorWrite

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

ERRORS: Table[ErrorLog] = Table(
    tenancy="tenancy_task_visible(task_id)",
    name="error_logs",
    label="error",
    struct=ErrorLog,
    columns=QUERIES["fragment:error_columns"],
    sort_fields={
        "created_at": SortField("created_at", "timestamptz"),
        "last_seen_at": SortField("last_seen_at", "timestamptz"),
        "occurrence_count": SortField("occurrence_count", "integer"),
        "id": SortField("id", "uuid"),
    },
    default_sort="created_at",
    filters={
        "severity": "severity = ANY(%(severity)s)",
        "error_type": "error_type = ANY(%(error_type)s)",
        "error_category": "error_category = ANY(%(error_category)s)",
        "error_code": "error_code = %(error_code)s",
        "resolved": "resolved = %(resolved)s",
        "task_id": "task_id = %(task_id)s",
        "workflow_id": "workflow_id = %(workflow_id)s",
        "request_id": "request_id = %(request_id)s",
        "created_after": "created_at >= %(created_after)s",
        "created_before": "created_at < %(created_before)s",
    },
    queries=QUERIES,
    key="error",
    jsonb=frozenset({"details", "context", "metadata"}),
)


async def log_error(pool: ConnectionPool, body: ErrorWrite) -> tuple[ErrorLog, bool]:
    """The stored error and whether it is new (False: an open one was counted again)."""
    async with using(pool) as conn:
        cur = await conn.execute(QUERIES["log_error"], body_params(body, ERRORS.jsonb))
        row = await cur.fetchone()
    assert row is not None
    return ErrorLog(*row[1:]), bool(row[0])


async def resolve(
    pool: ConnectionPool, error_id: UUID, body: ErrorResolution, if_version: int | None
) -> ErrorLog:
    params = body_params(body) | {"id": error_id, "if_version": if_version}
    return await ERRORS.update(pool, QUERIES["resolve_error"], params, error_id)
