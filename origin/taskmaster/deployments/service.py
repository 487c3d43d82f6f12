"""Deployment and script data access: the ``DEPLOYMENTS`` / ``SCRIPTS`` table descriptions
(CRUD, sub-collection writes and lists come from :class:`~taskmaster.api.listing.Table`)."""

from __future__ import annotations

from pathlib import Path

from taskmaster.api.listing import Table
from taskmaster.api.pagination import SortField
from taskmaster.db.sql import load_queries
from taskmaster.deployments.schemas import Deployment, Script

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

DEPLOYMENTS: Table[Deployment] = Table(
    tenancy="tenancy_allows(project_id)",
    name="deployments",
    label="deployment",
    struct=Deployment,
    columns=QUERIES["fragment:deployment_columns"],
    sort_fields={
        "created_at": SortField("created_at", "timestamptz"),
        "updated_at": SortField("updated_at", "timestamptz"),
        "status": SortField("status", "text"),
        "environment": SortField("environment", "text"),
        "id": SortField("id", "uuid"),
    },
    default_sort="created_at",
    filters={
        "status": "status = ANY(%(status)s)",
        "environment": "environment = ANY(%(environment)s)",
        "deployment_type": "deployment_type = ANY(%(deployment_type)s)",
        "project_id": "project_id = %(project_id)s",
        "task_id": "task_id = %(task_id)s",
        "workflow_id": "workflow_id = %(workflow_id)s",
        "commit_sha": "commit_sha = %(commit_sha)s",
        "created_after": "created_at >= %(created_after)s",
        "created_before": "created_at < %(created_before)s",
    },
    queries=QUERIES,
    key="deployment",
    jsonb=frozenset({"deployment_config", "health_checks", "metadata"}),
)

SCRIPTS: Table[Script] = Table(
    name="deployment_scripts",
    label="deployment script",
    struct=Script,
    columns=QUERIES["fragment:script_columns"],
    sort_fields={
        "execution_order": SortField("execution_order", "integer"),
        "created_at": SortField("created_at", "timestamptz"),
        "id": SortField("id", "uuid"),
    },
    default_sort="execution_order",
    filters={"status": "status = ANY(%(status)s)"},
    scope="deployment_id = %(deployment_id)s",
    tenancy="EXISTS (SELECT 1 FROM deployments d WHERE d.id = deployment_id AND tenancy_allows(d.project_id))",
    parent=DEPLOYMENTS,
    queries=QUERIES,
    key="script",
    jsonb=frozenset({"parameters", "metadata"}),
)
