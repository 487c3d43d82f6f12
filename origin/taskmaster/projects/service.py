"""Project data access: the ``PROJECTS`` table description; CRUD comes from :class:`Table`."""

from __future__ import annotations

from pathlib import Path

from taskmaster.api.listing import Table
from taskmaster.api.pagination import SortField
from taskmaster.db.sql import load_queries
from taskmaster.projects.schemas import Project

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

PROJECTS: Table[Project] = Table(
    tenancy="tenancy_allows(id)",
    name="projects",
    label="project",
    struct=Project,
    columns=QUERIES["fragment:project_columns"],
    sort_fields={
        "created_at": SortField("created_at", "timestamptz"),
        "updated_at": SortField("updated_at", "timestamptz"),
        "name": SortField("name", "text"),
        "slug": SortField("slug", "text"),
        "id": SortField("id", "uuid"),
    },
    default_sort="created_at",
    filters={
        "status": "status = ANY(%(status)s)",
        "slug": "slug = %(slug)s",
        "created_after": "created_at >= %(created_after)s",
        "created_before": "created_at < %(created_before)s",
    },
    queries=QUERIES,
    key="project",
    jsonb=frozenset({"settings", "metadata"}),
)
