"""HTTP routes of projects: the resource's usual routes, generated from its table; create beside
them (a project sent without a slug gets one derived from its name)."""

from __future__ import annotations

from litestar import Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from taskmaster.api.docs import WRITE, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.params import Req
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller
from taskmaster.db.session import Session
from taskmaster.projects import service
from taskmaster.projects.schemas import Project, ProjectPatch, ProjectWrite
from taskmaster.projects.service import PROJECTS


class ProjectController(
    crud_controller(
        PROJECTS,
        "/api/v1/projects",
        "projects",
        patch_struct=ProjectPatch,
        ops=("list", "get", "replace", "patch", "delete"),
        summaries={
            "patch": "Update a project",
            "delete": "Delete a project (409 while tasks, workflows or deployments reference it)",
        },
    )
):
    opt = policy("tasks:read", "tasks:write")

    @post("/", responses=problems(*WRITE), summary="Create a project")
    async def create_project(
        self, request: Req, db: NamedDependency[Session], data: JSONBody[ProjectWrite]
    ) -> Response[Envelope[Project]]:
        project = await service.create(db, data)
        return single(request, project, 201, location=f"{self.path}/{project.id}")
