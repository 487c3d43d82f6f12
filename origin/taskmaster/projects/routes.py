"""HTTP adapters for projects: parse, call the table, wrap in the envelope."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import State

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, Page, paged, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, IfMatch, IfNoneMatch, Limit, Sort
from taskmaster.projects import service
from taskmaster.projects.schemas import Project, ProjectPatch, ProjectStatus, ProjectWrite, Slug
from taskmaster.projects.service import PROJECTS

Req = Request[Any, Any, Any]


class ProjectController(Controller):
    path = "/api/v1/projects"
    tags = ["projects"]

    @post("/", responses=problems(*WRITE), summary="Create a project")
    async def create_project(
        self, request: Req, state: State, data: ProjectWrite
    ) -> Response[Envelope[Project]]:
        project = await service.create(state.pool, data)
        return single(request, project, 201, location=f"{self.path}/{project.id}")

    @get("/", responses=problems(*COMMON), summary="List projects (keyset-paginated)")
    async def list_projects(
        self, request: Req, state: State, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None, status: list[ProjectStatus] | None = None,
        slug: Slug | None = None, created_after: datetime | None = None,
        created_before: datetime | None = None,
    ) -> Page[Project]:  # fmt: skip
        filters = {
            "status": status, "slug": slug,
            "created_after": created_after, "created_before": created_before,
        }  # fmt: skip
        page = await PROJECTS.page(state.pool, state.cursors, filters, sort, cursor, limit)
        return paged(request, page, limit)

    @get("/{project_id:uuid}", responses=problems(*COMMON), summary="Get a project")
    async def get_project(
        self, request: Req, state: State, project_id: UUID, if_none_match: IfNoneMatch = None
    ) -> Response[Envelope[Project]]:
        project = await PROJECTS.get(state.pool, project_id)
        return single(request, project, if_none_match=if_none_match)

    @put("/{project_id:uuid}", responses=problems(*WRITE, 412), summary="Replace a project")
    async def replace_project(
        self, request: Req, state: State, project_id: UUID, data: ProjectWrite,
        if_match: IfMatch = None,
    ) -> Response[Envelope[Project]]:  # fmt: skip
        version = parse_if_match(if_match)
        return single(request, await PROJECTS.replace(state.pool, project_id, data, version))

    @patch("/{project_id:uuid}", responses=problems(*WRITE, 412), summary="Update a project")
    async def patch_project(
        self, request: Req, state: State, project_id: UUID, data: ProjectPatch,
        if_match: IfMatch = None,
    ) -> Response[Envelope[Project]]:  # fmt: skip
        version = parse_if_match(if_match)
        return single(request, await PROJECTS.patch(state.pool, project_id, data, version))

    @delete(
        "/{project_id:uuid}",
        responses=problems(*COMMON, 409, 412),
        summary="Delete a project (409 while tasks, workflows or deployments reference it)",
    )
    async def delete_project(
        self, state: State, project_id: UUID, if_match: IfMatch = None
    ) -> None:
        await PROJECTS.delete(state.pool, project_id, parse_if_match(if_match))
