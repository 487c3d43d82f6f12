"""Task rules and data access: every function takes the pool and returns schemas, or raises ApiError.

Single-row paths are one round trip (a prepared, named statement). A failed conditional write costs
a second query only to tell 404 from 412.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, LiteralString
from uuid import UUID

from taskmaster.api.listing import Listed, Table, body_params, sent_fields
from taskmaster.api.pagination import CursorCodec, SortField, SortKey
from taskmaster.db.pool import ConnectionPool
from taskmaster.db.sql import load_queries
from taskmaster.errors import ApiError
from taskmaster.tasks.schemas import Task, TaskPatch, TaskStatusChange, TaskWrite

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

SORT_FIELDS: dict[str, SortField] = {
    "created_at": SortField("created_at", "timestamptz"),
    "updated_at": SortField("updated_at", "timestamptz"),
    "priority": SortField("priority", "smallint"),
    "status": SortField("status", "text"),
    "title": SortField("title", "text"),
    "id": SortField("id", "uuid"),
}
DEFAULT_SORT = "created_at"

# Allow-listed list filters: query parameter → constant SQL predicate over its bound value.
FILTERS: dict[str, LiteralString] = {
    "status": "status = ANY(%(status)s)",
    "type": "type = ANY(%(type)s)",
    "priority_gte": "priority >= %(priority_gte)s",
    "priority_lte": "priority <= %(priority_lte)s",
    "complexity_gte": "complexity_score >= %(complexity_gte)s",
    "complexity_lte": "complexity_score <= %(complexity_lte)s",
    "tag": "tags @> %(tag)s",
    "assigned_to": "assigned_to = %(assigned_to)s",
    "project_id": "project_id = %(project_id)s",
    "parent_task_id": "parent_task_id = %(parent_task_id)s",
    "created_after": "created_at >= %(created_after)s",
    "created_before": "created_at < %(created_before)s",
}
JSONB_FIELDS = frozenset({"requirements", "acceptance_criteria", "metadata"})


TASKS: Table[Task] = Table(
    name="tasks",
    label="task",
    struct=Task,
    columns=QUERIES["fragment:task_columns"],
    sort_fields=SORT_FIELDS,
    default_sort=DEFAULT_SORT,
    filters=FILTERS,
)


def _write_params(body: TaskWrite | TaskPatch) -> dict[str, Any]:
    return body_params(body, JSONB_FIELDS)


async def get_task(pool: ConnectionPool, task_id: UUID) -> Task:
    return await TASKS.one(pool, QUERIES["get_task"], {"id": task_id}, task_id)


async def create_task(pool: ConnectionPool, body: TaskWrite) -> Task:
    return await TASKS.write(pool, QUERIES["insert_task"], _write_params(body))


async def replace_task(
    pool: ConnectionPool, task_id: UUID, body: TaskWrite, if_version: int | None
) -> Task:
    params = _write_params(body) | {"id": task_id, "if_version": if_version}
    return await TASKS.update(pool, QUERIES["replace_task"], params, task_id)


async def patch_task(
    pool: ConnectionPool, task_id: UUID, body: TaskPatch, if_version: int | None
) -> Task:
    fields = sent_fields(body)
    if "title" in fields and body.title is None:
        raise ApiError(422, "validation-failed", "Unprocessable content", "title cannot be null")
    params = _write_params(body) | {"id": task_id, "if_version": if_version, "fields": fields}
    return await TASKS.update(pool, QUERIES["patch_task"], params, task_id)


async def change_status(
    pool: ConnectionPool, task_id: UUID, body: TaskStatusChange, if_version: int | None
) -> Task:
    params = {"id": task_id, "status": body.status, "note": body.note, "if_version": if_version}
    return await TASKS.update(pool, QUERIES["change_task_status"], params, task_id)


async def delete_task(pool: ConnectionPool, task_id: UUID, if_version: int | None) -> None:
    params = {"id": task_id, "if_version": if_version}
    await TASKS.guarded(pool, QUERIES["delete_task"], params, task_id)


async def list_tasks(
    pool: ConnectionPool,
    codec: CursorCodec,
    filters: dict[str, Any],
    keys: tuple[SortKey, ...],
    cursor: str | None,
    limit: int,
) -> Listed[Task]:
    return await TASKS.page(pool, codec, filters, keys, cursor, limit)
