"""Pull request data access: the ``PULL_REQUESTS`` table; CRUD comes from :class:`Table`."""

from __future__ import annotations

from pathlib import Path

from taskmaster.api.listing import Table
from taskmaster.api.pagination import SortField
from taskmaster.db.sql import load_queries
from taskmaster.pull_requests.schemas import PullRequest

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

PULL_REQUESTS: Table[PullRequest] = Table(
    tenancy="tenancy_allows(project_id)",
    name="pull_requests",
    label="pull request",
    struct=PullRequest,
    columns=QUERIES["fragment:pull_request_columns"],
    sort_fields={
        "created_at": SortField("created_at", "timestamptz"),
        "updated_at": SortField("updated_at", "timestamptz"),
        "pr_number": SortField("pr_number", "integer"),
        "id": SortField("id", "uuid"),
    },
    default_sort="created_at",
    filters={
        "status": "status = ANY(%(status)s)",
        "ci_status": "ci_status = ANY(%(ci_status)s)",
        "review_status": "review_status = ANY(%(review_status)s)",
        "repository": "repository = %(repository)s",
        "source_branch": "source_branch = %(source_branch)s",
        "project_id": "project_id = %(project_id)s",
        "task_id": "task_id = %(task_id)s",
        "workflow_id": "workflow_id = %(workflow_id)s",
        "created_after": "created_at >= %(created_after)s",
        "created_before": "created_at < %(created_before)s",
    },
    queries=QUERIES,
    key="pull_request",
    jsonb=frozenset({"metadata"}),
)
