"""Task rules and data access: the ``TASKS`` table description (CRUD and lists come from
:class:`~taskmaster.api.listing.Table`) and the task-specific writes.

Single-row paths are one round trip (a prepared, named statement). A failed conditional write costs
a second query only to tell 404 from 412.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import LiteralString
from uuid import UUID

import msgspec

from taskmaster.api.listing import Table
from taskmaster.api.pagination import SortField
from taskmaster.db.pool import ConnectionPool
from taskmaster.db.sql import load_queries
from taskmaster.tasks.schemas import (
    Task,
    TaskContext,
    TaskDependency,
    TaskStatusChange,
    TaskWrite,
)

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


TASKS: Table[Task] = Table(
    tenancy="tenancy_allows(project_id)",
    name="tasks",
    label="task",
    struct=Task,
    columns=QUERIES["fragment:task_columns"],
    sort_fields=SORT_FIELDS,
    default_sort=DEFAULT_SORT,
    filters=FILTERS,
    queries=QUERIES,
    key="task",
    jsonb=frozenset({"requirements", "acceptance_criteria", "metadata"}),
)


async def change_status(
    pool: ConnectionPool, task_id: UUID, body: TaskStatusChange, if_version: int | None
) -> Task:
    """Move the status and record the move as a ``status_change`` context, in one statement."""
    params = {"id": task_id, "status": body.status, "note": body.note, "if_version": if_version}
    return await TASKS.update(pool, QUERIES["change_task_status"], params, task_id)


# ---- sub-resources ---------------------------------------------------------------------------

_CREATED: dict[str, SortField] = {
    "created_at": SortField("created_at", "timestamptz"),
    "id": SortField("id", "uuid"),
}

# The children of one task: the task list with a fixed parent.
SUBTASKS: Table[Task] = replace(TASKS, scope="parent_task_id = %(task_id)s", parent=TASKS)

CONTEXTS: Table[TaskContext] = Table(
    tenancy="tenancy_task_visible(task_id)",
    name="task_contexts",
    label="task context",
    struct=TaskContext,
    columns=QUERIES["fragment:context_columns"],
    sort_fields=_CREATED,
    default_sort="created_at",
    filters={
        "context_type": "context_type = ANY(%(context_type)s)",
        "created_after": "created_at >= %(created_after)s",
        "created_before": "created_at < %(created_before)s",
    },
    scope="task_id = %(task_id)s",
    parent=TASKS,
    queries=QUERIES,
    key="context",
    jsonb=frozenset({"context_data", "metadata"}),
)

DEPENDENCIES: Table[TaskDependency] = Table(
    tenancy="tenancy_task_visible(task_id)",
    name="task_dependencies",
    label="dependency",
    struct=TaskDependency,
    columns=QUERIES["fragment:dependency_columns"],
    sort_fields=_CREATED,
    default_sort="created_at",
    filters={"dependency_type": "dependency_type = ANY(%(dependency_type)s)"},
    scope="task_id = %(task_id)s",
    parent=TASKS,
    queries=QUERIES,
    key="dependency",
    jsonb=frozenset({"metadata"}),
)


async def create_subtask(pool: ConnectionPool, parent_id: UUID, body: TaskWrite) -> Task:
    """A task whose parent is ``parent_id`` (whatever the body says); 404 for a missing parent."""
    await TASKS.require(pool, parent_id)
    return await TASKS.create(pool, msgspec.structs.replace(body, parent_task_id=parent_id))


async def remove_dependency(pool: ConnectionPool, task_id: UUID, dependency_id: UUID) -> None:
    params = {"id": dependency_id, "task_id": task_id}
    await DEPENDENCIES.one(pool, QUERIES["delete_dependency"], params, dependency_id)
