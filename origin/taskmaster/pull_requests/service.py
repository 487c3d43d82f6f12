"""Pull request data access: the ``PULL_REQUESTS`` table; CRUD comes from :class:`Table`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar.params import QueryParameter

from taskmaster.db.table import Filter, Table, created_between
from taskmaster.pull_requests.schemas import (
    REPOSITORY_PATTERN,
    CiStatus,
    PrStatus,
    PullRequest,
    PullRequestWrite,
    ReviewStatus,
)

PULL_REQUESTS: Table[PullRequest] = Table(
    tenancy="tenancy_allows(project_id)",
    name="pull_requests",
    struct=PullRequest,
    write=PullRequestWrite,
    sorts=("created_at", "updated_at", "pr_number", "id"),
    filters={
        "status": Filter("status = ANY(%(status)s)", list[PrStatus] | None),
        "ci_status": Filter("ci_status = ANY(%(ci_status)s)", list[CiStatus] | None),
        "review_status": Filter(
            "review_status = ANY(%(review_status)s)", list[ReviewStatus] | None
        ),
        "repository": Filter(
            "repository = %(repository)s",
            Annotated[str | None, QueryParameter(pattern=REPOSITORY_PATTERN)],
        ),
        "source_branch": Filter(
            "source_branch = %(source_branch)s",
            Annotated[str | None, QueryParameter(max_length=255)],
        ),
        "project_id": Filter("project_id = %(project_id)s", UUID | None),
        "task_id": Filter("task_id = %(task_id)s", UUID | None),
        "workflow_id": Filter("workflow_id = %(workflow_id)s", UUID | None),
        **created_between(),
    },
    jsonb=frozenset({"metadata"}),
)
