"""Deployment and script data access: the ``DEPLOYMENTS`` / ``SCRIPTS`` tables (CRUD,
sub-collection writes and lists come from :class:`~taskmaster.db.table.Table`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from uuid import UUID

from litestar.params import QueryParameter

from taskmaster.db.sql import load_queries
from taskmaster.db.table import Filter, Table, created_between, patch_changes, writable_besides
from taskmaster.deployments.schemas import (
    Deployment,
    DeploymentStatus,
    DeploymentType,
    DeploymentWrite,
    Environment,
    Script,
    ScriptRun,
    ScriptStatus,
)

# A PATCH changes the fields sent; the status (which the times follow) is set by the statement.
QUERIES = load_queries(
    Path(__file__).with_name("queries.sql"),
    {
        "deployment_changes": patch_changes(writable_besides(DeploymentWrite, "status"), "d"),
        "script_changes": patch_changes(writable_besides(ScriptRun, "status"), "sc"),
    },
)

Sha = Annotated[str | None, QueryParameter(pattern=r"^[0-9a-f]{7,64}$")]

DEPLOYMENTS: Table[Deployment] = Table(
    tenancy="tenancy_allows(project_id)",
    name="deployments",
    struct=Deployment,
    write=DeploymentWrite,
    sorts=("created_at", "updated_at", "status", "environment", "id"),
    filters={
        "status": Filter("status = ANY(%(status)s)", list[DeploymentStatus] | None),
        "environment": Filter("environment = ANY(%(environment)s)", list[Environment] | None),
        "deployment_type": Filter(
            "deployment_type = ANY(%(deployment_type)s)", list[DeploymentType] | None
        ),
        "project_id": Filter("project_id = %(project_id)s", UUID | None),
        "task_id": Filter("task_id = %(task_id)s", UUID | None),
        "workflow_id": Filter("workflow_id = %(workflow_id)s", UUID | None),
        "commit_sha": Filter("commit_sha = %(commit_sha)s", Sha),
        **created_between(),
    },
    # started_at / completed_at / duration_ms follow the status in every write.
    insert_sql=QUERIES["insert_deployment"],
    replace_sql=QUERIES["replace_deployment"],
    patch_sql=QUERIES["patch_deployment"],
    jsonb=frozenset({"deployment_config", "health_checks", "metadata"}),
)

SCRIPTS: Table[Script] = Table(
    name="deployment_scripts",
    struct=Script,
    sorts=("execution_order", "created_at", "id"),
    default_sort="execution_order",
    filters={"status": Filter("status = ANY(%(status)s)", list[ScriptStatus] | None)},
    scope="deployment_id = %(deployment_id)s",
    tenancy="EXISTS (SELECT 1 FROM deployments d WHERE d.id = deployment_id AND tenancy_allows(d.project_id))",
    parent=DEPLOYMENTS,
    # Only under an existing deployment, after its last script, in its environment by default;
    # a run's times and duration follow the status.
    insert_sql=QUERIES["insert_script"],
    patch_sql=QUERIES["patch_script"],
    jsonb=frozenset({"parameters", "metadata"}),
)
