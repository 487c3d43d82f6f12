"""Task rules and data access: the ``TASKS`` table (CRUD and lists come from
:class:`~taskmaster.db.table.Table`) and the task-specific writes.

Single-row paths are one round trip (a prepared statement). A failed conditional write costs a
second query only to tell 404 from 412.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import QueryParameter

from taskmaster.db.context import audited_insert
from taskmaster.db.sql import load_queries
from taskmaster.db.table import Db, Filter, Table, body_params, created_between, write_rows
from taskmaster.tasks.schemas import (
    ContextType,
    DependencyType,
    Task,
    TaskContext,
    TaskDependency,
    TaskStatus,
    TaskStatusChange,
    TaskType,
    TaskWrite,
)

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

PriorityBound = Annotated[int | None, QueryParameter(ge=0, le=10)]
ComplexityBound = Annotated[int | None, QueryParameter(ge=1, le=10)]

TASKS: Table[Task] = Table(
    tenancy="tenancy_allows(project_id)",
    name="tasks",
    struct=Task,
    write=TaskWrite,
    columns=QUERIES["fragment:task_columns"],  # casts numeric hours to float8
    sorts=("created_at", "updated_at", "priority", "status", "title", "id"),
    filters={
        "status": Filter("status = ANY(%(status)s)", list[TaskStatus] | None),
        "type": Filter("type = ANY(%(type)s)", list[TaskType] | None),
        "priority_gte": Filter("priority >= %(priority_gte)s", PriorityBound),
        "priority_lte": Filter("priority <= %(priority_lte)s", PriorityBound),
        "complexity_gte": Filter("complexity_score >= %(complexity_gte)s", ComplexityBound),
        "complexity_lte": Filter("complexity_score <= %(complexity_lte)s", ComplexityBound),
        "tag": Filter("tags @> %(tag)s", list[str] | None),
        "assigned_to": Filter(
            "assigned_to = %(assigned_to)s",
            Annotated[str | None, QueryParameter(max_length=255)],
        ),
        "project_id": Filter("project_id = %(project_id)s", UUID | None),
        "parent_task_id": Filter("parent_task_id = %(parent_task_id)s", UUID | None),
        **created_between(),
    },
    get_json_sql=QUERIES["get_task_json"],
    jsonb=frozenset({"requirements", "acceptance_criteria", "metadata"}),
)


# POST /api/v1/tasks as one statement in one round trip (Session.write_one), audited as before.
INSERT_TASK = audited_insert(TASKS.insert_sql)  # type: ignore[arg-type]


async def create(db: Db, body: TaskWrite) -> Task:
    rows = await write_rows(db, INSERT_TASK, body_params(body, TASKS.jsonb))
    return Task(*rows[0])


async def change_status(
    db: Db, task_id: UUID, body: TaskStatusChange, if_version: int | None
) -> Task:
    """Move the status and record the move as a ``status_change`` context, in one statement."""
    params = {"id": task_id, "status": body.status, "note": body.note, "if_version": if_version}
    return await TASKS.update(db, QUERIES["change_task_status"], params, task_id)


# ---- sub-resources ---------------------------------------------------------------------------

_CREATED = ("created_at", "id")

# The children of one task: the task list with a fixed parent (filtered by status only).
SUBTASKS: Table[Task] = replace(
    TASKS,
    scope="parent_task_id = %(task_id)s",
    parent=TASKS,
    filters={"status": TASKS.filters["status"]},
)

CONTEXTS: Table[TaskContext] = Table(
    tenancy="tenancy_task_visible(task_id)",
    name="task_contexts",
    struct=TaskContext,
    sorts=_CREATED,
    filters={
        "context_type": Filter("context_type = ANY(%(context_type)s)", list[ContextType] | None),
        **created_between(),
    },
    scope="task_id = %(task_id)s",
    parent=TASKS,
    insert_sql=QUERIES["insert_context"],  # only under an existing task (INSERT … SELECT)
    jsonb=frozenset({"context_data", "metadata"}),
)

DEPENDENCIES: Table[TaskDependency] = Table(
    tenancy="tenancy_task_visible(task_id)",
    name="task_dependencies",
    label="dependency",
    struct=TaskDependency,
    sorts=_CREATED,
    filters={
        "dependency_type": Filter(
            "dependency_type = ANY(%(dependency_type)s)", list[DependencyType] | None
        )
    },
    scope="task_id = %(task_id)s",
    parent=TASKS,
    insert_sql=QUERIES["insert_dependency"],  # only under an existing task (INSERT … SELECT)
    jsonb=frozenset({"metadata"}),
)


async def create_subtask(db: Db, parent_id: UUID, body: TaskWrite) -> Task:
    """A task whose parent is ``parent_id`` (whatever the body says); 404 for a missing parent."""
    await TASKS.require(db, parent_id)
    return await TASKS.create(db, msgspec.structs.replace(body, parent_task_id=parent_id))


async def remove_dependency(db: Db, task_id: UUID, dependency_id: UUID) -> None:
    params = {"id": dependency_id, "task_id": task_id}
    await DEPENDENCIES.one(db, QUERIES["delete_dependency"], params, dependency_id, write=True)
