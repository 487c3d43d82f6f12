"""The audit and access trails: keyset lists (newest first) with allow-listed filters."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated
from uuid import UUID

from litestar.params import QueryParameter

from taskmaster.api.params import From, To
from taskmaster.audit.schemas import AccessEntry, Action, AuditEntry, Method
from taskmaster.db.sql import load_queries
from taskmaster.db.table import Filter, Table
from taskmaster.tasks.service import TASKS

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

RequestId = Annotated[str | None, QueryParameter(max_length=200)]
Status = Annotated[int | None, QueryParameter(ge=100, le=599)]
_TIME_RANGE = {
    "from": Filter("created_at >= %(from)s", From),
    "to": Filter("created_at < %(to)s", To),
}

AUDIT_LOGS: Table[AuditEntry] = Table(
    name="audit_logs",
    label="audit entry",
    struct=AuditEntry,
    columns=QUERIES["fragment:audit_columns"],
    sorts=("created_at", "id"),
    default_sort="-created_at",
    filters={
        "table_name": Filter(
            "table_name = %(table_name)s", Annotated[str | None, QueryParameter(max_length=63)]
        ),
        "row_id": Filter(
            "row_id = %(row_id)s", Annotated[str | None, QueryParameter(max_length=200)]
        ),
        "action": Filter("action = ANY(%(action)s)", list[Action] | None),
        "actor_key_id": Filter("actor_key_id = %(actor_key_id)s", UUID | None),
        "request_id": Filter("request_id = %(request_id)s", RequestId),
        **_TIME_RANGE,
    },
)

# One task's history (``GET /api/v1/tasks/{id}/history``, the console's task page): whoever may
# read the task (its tenancy, 404 otherwise) may read how it changed.
TASK_HISTORY: Table[AuditEntry] = replace(
    AUDIT_LOGS,
    filters={"action": AUDIT_LOGS.filters["action"], **_TIME_RANGE},
    scope="table_name = 'tasks' AND row_id = %(task_id)s::text",
    parent=TASKS,
    tenancy="tenancy_task_visible(%(task_id)s)",
)

ACCESS_LOGS: Table[AccessEntry] = Table(
    name="api_access_logs",
    label="access entry",
    struct=AccessEntry,
    columns=QUERIES["fragment:access_columns"],
    sorts=("created_at", "id"),
    default_sort="-created_at",
    filters={
        "api_key_id": Filter("api_key_id = %(api_key_id)s", UUID | None),
        "request_id": Filter("request_id = %(request_id)s", RequestId),
        "method": Filter("method = ANY(%(method)s)", list[Method] | None),
        "path": Filter("path = %(path)s", Annotated[str | None, QueryParameter(max_length=2048)]),
        "status_code": Filter(
            "status_code = ANY(%(status_code)s)",
            Annotated[list[int] | None, QueryParameter(description="Exact status codes")],
        ),
        "status_gte": Filter("status_code >= %(status_gte)s", Status),
        "status_lte": Filter("status_code <= %(status_lte)s", Status),
        **_TIME_RANGE,
    },
    # Rows of every key are visible to the trail's (admin) readers: see see_every_key.
    list_setup_sql=QUERIES["see_every_key"],
)
