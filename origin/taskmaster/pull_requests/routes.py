"""HTTP routes of pull requests: the resource's usual routes, generated from its table."""

from __future__ import annotations

from taskmaster.api.docs import COMMON
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller
from taskmaster.pull_requests.schemas import PullRequestPatch
from taskmaster.pull_requests.service import PULL_REQUESTS


class PullRequestController(
    crud_controller(
        PULL_REQUESTS,
        "/api/v1/pull-requests",
        "pull-requests",
        id_name="pr_id",
        patch_struct=PullRequestPatch,
        summaries={
            "create": "Track a pull request",
            "patch": "Update a pull request",
            "delete": "Stop tracking a PR",
        },
        statuses={"delete": (*COMMON, 412)},
    )
):
    # Pull requests track tasks.
    opt = policy("tasks:read", "tasks:write")
