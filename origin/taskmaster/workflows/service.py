"""Workflow and stage data access. Stage writes recount the workflow's progress in the same
transaction, so ``GET /workflows/{id}/progress`` is one indexed read."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from taskmaster.api.listing import Table, fetch_one, transaction
from taskmaster.api.pagination import SortField
from taskmaster.db.pool import ConnectionPool
from taskmaster.db.sql import load_queries
from taskmaster.workflows.schemas import Stage, StageUpdate, StageWrite, Workflow, WorkflowProgress

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

WORKFLOWS: Table[Workflow] = Table(
    tenancy="tenancy_allows(project_id)",
    name="workflows",
    label="workflow",
    struct=Workflow,
    columns=QUERIES["fragment:workflow_columns"],
    sort_fields={
        "created_at": SortField("created_at", "timestamptz"),
        "updated_at": SortField("updated_at", "timestamptz"),
        "name": SortField("name", "text"),
        "status": SortField("status", "text"),
        "id": SortField("id", "uuid"),
    },
    default_sort="created_at",
    filters={
        "status": "status = ANY(%(status)s)",
        "trigger_type": "trigger_type = ANY(%(trigger_type)s)",
        "project_id": "project_id = %(project_id)s",
        "task_id": "task_id = %(task_id)s",
        "created_after": "created_at >= %(created_after)s",
        "created_before": "created_at < %(created_before)s",
    },
    queries=QUERIES,
    key="workflow",
    jsonb=frozenset({"pipeline_config", "state", "metadata"}),
)

STAGES: Table[Stage] = Table(
    name="workflow_stages",
    label="workflow stage",
    struct=Stage,
    columns=QUERIES["fragment:stage_columns"],
    sort_fields={
        "stage_order": SortField("stage_order", "integer"),
        "created_at": SortField("created_at", "timestamptz"),
        "id": SortField("id", "uuid"),
    },
    default_sort="stage_order",
    filters={"status": "status = ANY(%(status)s)"},
    scope="workflow_id = %(workflow_id)s",
    tenancy="EXISTS (SELECT 1 FROM workflows w WHERE w.id = workflow_id AND tenancy_allows(w.project_id))",
    parent=WORKFLOWS,
    queries=QUERIES,
    key="stage",
    jsonb=frozenset({"config", "result", "metadata"}),
)


async def get_progress(pool: ConnectionPool, workflow_id: UUID) -> WorkflowProgress:
    query, params = QUERIES["get_progress"], {"id": workflow_id}
    return await fetch_one(pool, WorkflowProgress, query, params, "workflow", workflow_id)


async def add_stage(pool: ConnectionPool, workflow_id: UUID, body: StageWrite) -> Stage:
    scope = {"workflow_id": workflow_id}
    async with transaction(pool) as conn:
        stage = await STAGES.create(conn, body, scope)
        await conn.execute(QUERIES["refresh_progress"], scope)
    return stage


async def update_stage(
    pool: ConnectionPool,
    workflow_id: UUID,
    stage_id: UUID,
    body: StageUpdate,
    if_version: int | None,
) -> Stage:
    scope = {"workflow_id": workflow_id}
    async with transaction(pool) as conn:
        stage = await STAGES.patch(conn, stage_id, body, if_version, scope)
        await conn.execute(QUERIES["refresh_progress"], scope)
    return stage
