"""Workflow and stage data access. Stage writes recount the workflow's progress in the same
transaction, so ``GET /workflows/{id}/progress`` is one indexed read."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from taskmaster.db.sql import load_queries
from taskmaster.db.table import (
    Db,
    Filter,
    Table,
    created_between,
    fetch_one,
    patch_changes,
    transaction,
    writable_besides,
)
from taskmaster.workflows.schemas import (
    Stage,
    StageStatus,
    StageUpdate,
    StageWrite,
    TriggerType,
    Workflow,
    WorkflowProgress,
    WorkflowStatus,
    WorkflowWrite,
)

# A PATCH changes the fields sent; the status (which the times follow) is set by the statement.
QUERIES = load_queries(
    Path(__file__).with_name("queries.sql"),
    {
        "workflow_changes": patch_changes(writable_besides(WorkflowWrite, "status"), "w"),
        "stage_changes": patch_changes(writable_besides(StageUpdate, "status"), "st"),
    },
)

WORKFLOWS: Table[Workflow] = Table(
    tenancy="tenancy_allows(project_id)",
    name="workflows",
    struct=Workflow,
    write=WorkflowWrite,
    columns=QUERIES["fragment:workflow_columns"],  # casts progress_percent to float8
    sorts=("created_at", "updated_at", "name", "status", "id"),
    filters={
        "status": Filter("status = ANY(%(status)s)", list[WorkflowStatus] | None),
        "trigger_type": Filter("trigger_type = ANY(%(trigger_type)s)", list[TriggerType] | None),
        "project_id": Filter("project_id = %(project_id)s", UUID | None),
        "task_id": Filter("task_id = %(task_id)s", UUID | None),
        **created_between(),
    },
    # started_at / completed_at follow the status in every write.
    insert_sql=QUERIES["insert_workflow"],
    replace_sql=QUERIES["replace_workflow"],
    patch_sql=QUERIES["patch_workflow"],
    jsonb=frozenset({"pipeline_config", "state", "metadata"}),
)

STAGES: Table[Stage] = Table(
    name="workflow_stages",
    struct=Stage,
    sorts=("stage_order", "created_at", "id"),
    default_sort="stage_order",
    filters={"status": Filter("status = ANY(%(status)s)", list[StageStatus] | None)},
    scope="workflow_id = %(workflow_id)s",
    tenancy="EXISTS (SELECT 1 FROM workflows w WHERE w.id = workflow_id AND tenancy_allows(w.project_id))",
    parent=WORKFLOWS,
    # Only under an existing workflow, after its last stage; times follow the status.
    insert_sql=QUERIES["insert_stage"],
    patch_sql=QUERIES["patch_stage"],
    jsonb=frozenset({"config", "result", "metadata"}),
)


async def get_progress(db: Db, workflow_id: UUID) -> WorkflowProgress:
    query, params = QUERIES["get_progress"], {"id": workflow_id}
    return await fetch_one(db, WorkflowProgress, query, params, "workflow", workflow_id)


async def add_stage(db: Db, workflow_id: UUID, body: StageWrite) -> Stage:
    scope = {"workflow_id": workflow_id}
    async with transaction(db) as conn:
        stage = await STAGES.create(conn, body, scope)
        await conn.execute(QUERIES["refresh_progress"], scope)
    return stage


async def update_stage(
    db: Db, workflow_id: UUID, stage_id: UUID, body: StageUpdate, if_version: int | None
) -> Stage:
    scope = {"workflow_id": workflow_id}
    async with transaction(db) as conn:
        stage = await STAGES.patch(conn, stage_id, body, if_version, scope)
        await conn.execute(QUERIES["refresh_progress"], scope)
    return stage
