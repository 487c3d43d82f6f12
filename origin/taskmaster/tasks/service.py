"""Task rules and data access: every function takes the pool and returns schemas, or raises ApiError.

Single-row paths are one round trip (a prepared, named statement). A failed conditional write costs
a second query only to tell 404 from 412.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, LiteralString
from uuid import UUID

import msgspec
from psycopg import sql
from psycopg.types.json import Jsonb

from taskmaster.api.pagination import (
    CursorCodec,
    SortField,
    SortKey,
    keyset_clause,
    order_by_clause,
)
from taskmaster.db.pool import ConnectionPool
from taskmaster.db.sql import load_queries
from taskmaster.errors import ApiError, not_found
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


@dataclass(frozen=True, slots=True)
class TaskList:
    tasks: list[Task]
    next_cursor: str | None
    has_more: bool


def _write_params(body: TaskWrite | TaskPatch) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name in body.__struct_fields__:
        value = getattr(body, name)
        if value is msgspec.UNSET:
            value = None
        elif name in JSONB_FIELDS:
            value = Jsonb(value)
        params[name] = value
    return params


async def get_task(pool: ConnectionPool, task_id: UUID) -> Task:
    async with pool.connection() as conn:
        cur = await conn.execute(QUERIES["get_task"], {"id": task_id})
        row = await cur.fetchone()
    if row is None:
        raise not_found("task", task_id)
    return Task(*row)


async def create_task(pool: ConnectionPool, body: TaskWrite) -> Task:
    async with pool.connection() as conn:
        cur = await conn.execute(QUERIES["insert_task"], _write_params(body))
        row = await cur.fetchone()
    assert row is not None
    return Task(*row)


async def _conditional_write(
    pool: ConnectionPool, query: LiteralString, params: dict[str, Any], task_id: UUID
) -> tuple[Any, ...]:
    """Run an UPDATE/DELETE guarded by ``if_version``; 404 or 412 when it touches no row."""
    async with pool.connection() as conn:
        cur = await conn.execute(query, params)
        row = await cur.fetchone()
        if row is not None:
            return row
        cur = await conn.execute(QUERIES["get_task_version"], {"id": task_id})
        current = await cur.fetchone()
    if current is None:
        raise not_found("task", task_id)
    raise ApiError(
        412,
        "precondition-failed",
        "Precondition failed",
        f'If-Match does not match the current version of task {task_id} (now "{current[0]}").',
    )


async def replace_task(
    pool: ConnectionPool, task_id: UUID, body: TaskWrite, if_version: int | None
) -> Task:
    params = _write_params(body) | {"id": task_id, "if_version": if_version}
    return Task(*await _conditional_write(pool, QUERIES["replace_task"], params, task_id))


async def patch_task(
    pool: ConnectionPool, task_id: UUID, body: TaskPatch, if_version: int | None
) -> Task:
    fields = [name for name in body.__struct_fields__ if getattr(body, name) is not msgspec.UNSET]
    if "title" in fields and body.title is None:
        raise ApiError(422, "validation-failed", "Unprocessable content", "title cannot be null")
    params = _write_params(body) | {"id": task_id, "if_version": if_version, "fields": fields}
    return Task(*await _conditional_write(pool, QUERIES["patch_task"], params, task_id))


async def change_status(
    pool: ConnectionPool, task_id: UUID, body: TaskStatusChange, if_version: int | None
) -> Task:
    params = {"id": task_id, "status": body.status, "note": body.note, "if_version": if_version}
    return Task(*await _conditional_write(pool, QUERIES["change_task_status"], params, task_id))


async def delete_task(pool: ConnectionPool, task_id: UUID, if_version: int | None) -> None:
    params = {"id": task_id, "if_version": if_version}
    await _conditional_write(pool, QUERIES["delete_task"], params, task_id)


_list_query_cache: dict[tuple[Any, ...], str] = {}


def _list_query(filters: tuple[str, ...], keys: tuple[SortKey, ...], after_cursor: bool) -> str:
    """Compose (once per shape) the list statement from allow-listed fragments."""
    cache_key = (filters, keys, after_cursor)
    cached = _list_query_cache.get(cache_key)
    if cached is not None:
        return cached
    predicates: list[sql.Composable] = [sql.SQL(FILTERS[name]) for name in filters]
    if after_cursor:
        predicates.append(keyset_clause(keys, SORT_FIELDS, {}, [None] * len(keys)))
    where = sql.SQL("WHERE ") + sql.SQL(" AND ").join(predicates) if predicates else sql.SQL("")
    query = sql.SQL("SELECT {columns} FROM tasks {where} {order} LIMIT %(limit)s").format(
        columns=sql.SQL(QUERIES["fragment:task_columns"]),
        where=where,
        order=order_by_clause(keys, SORT_FIELDS),
    )
    text = query.as_string(None)
    if len(_list_query_cache) < 1024:
        _list_query_cache[cache_key] = text
    return text


def _cursor_value(task: Task, field: str) -> Any:
    value = getattr(task, field)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


async def list_tasks(
    pool: ConnectionPool,
    codec: CursorCodec,
    filters: dict[str, Any],
    keys: tuple[SortKey, ...],
    cursor: str | None,
    limit: int,
) -> TaskList:
    active = tuple(name for name in FILTERS if filters.get(name) is not None)
    params: dict[str, Any] = {name: filters[name] for name in active}
    params["limit"] = limit + 1
    if cursor is not None:
        for index, value in enumerate(codec.decode(cursor, keys)):
            params[f"cursor_{index}"] = value
    query = _list_query(active, keys, cursor is not None)
    async with pool.connection() as conn:
        cur = await conn.execute(query, params)  # type: ignore[arg-type]
        rows = await cur.fetchall()
    has_more = len(rows) > limit
    tasks = [Task(*row) for row in rows[:limit]]
    next_cursor = None
    if has_more:
        last = tasks[-1]
        next_cursor = codec.encode(keys, [_cursor_value(last, key.field) for key in keys])
    return TaskList(tasks, next_cursor, has_more)
