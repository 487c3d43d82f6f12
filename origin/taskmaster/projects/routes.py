"""HTTP routes of projects: the resource's usual routes, generated from its table; its create is
the service's (a project sent without a slug gets one derived from its name)."""

from __future__ import annotations

from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller
from taskmaster.projects import service
from taskmaster.projects.schemas import ProjectPatch
from taskmaster.projects.service import PROJECTS


class ProjectController(
    crud_controller(
        PROJECTS,
        "/api/v1/projects",
        "projects",
        patch_struct=ProjectPatch,
        summaries={
            "patch": "Update a project",
            "delete": "Delete a project (409 while tasks, workflows or deployments reference it)",
        },
        rules={"create": service.create},  # a slug derived from the name when none is sent
    )
):
    opt = policy("tasks:read", "tasks:write")
