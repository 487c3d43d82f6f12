"""Projects: the ``PROJECTS`` table; lists and CRUD come from :class:`~taskmaster.db.table.Table`."""

from __future__ import annotations

from taskmaster.db.table import Filter, Table, created_between
from taskmaster.projects.schemas import Project, ProjectStatus, ProjectWrite, Slug

PROJECTS: Table[Project] = Table(
    tenancy="tenancy_allows(id)",
    name="projects",
    label="project",
    struct=Project,
    write=ProjectWrite,
    sorts=("created_at", "updated_at", "name", "slug", "id"),
    filters={
        "status": Filter("status = ANY(%(status)s)", list[ProjectStatus] | None),
        "slug": Filter("slug = %(slug)s", Slug | None),
        **created_between(),
    },
    jsonb=frozenset({"settings", "metadata"}),
)
