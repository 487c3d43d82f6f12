"""HTTP adapters for pull requests: parse, call the table, wrap in the envelope."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.params import JSONBody, Parameter

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, Page, paged, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, IfMatch, IfNoneMatch, Limit, Sort
from taskmaster.api.policy import policy
from taskmaster.pull_requests.schemas import (
    REPOSITORY_PATTERN,
    CiStatus,
    PrStatus,
    PullRequest,
    PullRequestPatch,
    PullRequestWrite,
    ReviewStatus,
)
from taskmaster.pull_requests.service import PULL_REQUESTS

Req = Request[Any, Any, Any]


class PullRequestController(Controller):
    path = "/api/v1/pull-requests"
    # Pull requests track tasks.
    opt = policy("tasks:read", "tasks:write")
    tags = ["pull-requests"]

    @post("/", responses=problems(*WRITE), summary="Track a pull request")
    async def create_pull_request(
        self, request: Req, state: State, data: JSONBody[PullRequestWrite]
    ) -> Response[Envelope[PullRequest]]:
        pr = await PULL_REQUESTS.create(state.pool, data)
        return single(request, pr, 201, location=f"{self.path}/{pr.id}")

    @get("/", responses=problems(*COMMON), summary="List pull requests (keyset-paginated)")
    async def list_pull_requests(
        self, request: Req, state: State, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None, status: list[PrStatus] | None = None,
        ci_status: list[CiStatus] | None = None, review_status: list[ReviewStatus] | None = None,
        repository: Annotated[str | None, Parameter(pattern=REPOSITORY_PATTERN)] = None,
        source_branch: Annotated[str | None, Parameter(max_length=255)] = None,
        project_id: UUID | None = None, task_id: UUID | None = None,
        workflow_id: UUID | None = None, created_after: datetime | None = None,
        created_before: datetime | None = None,
    ) -> Page[PullRequest]:  # fmt: skip
        filters = {
            "status": status, "ci_status": ci_status, "review_status": review_status,
            "repository": repository, "source_branch": source_branch, "project_id": project_id,
            "task_id": task_id, "workflow_id": workflow_id, "created_after": created_after,
            "created_before": created_before,
        }  # fmt: skip
        page = await PULL_REQUESTS.page(state.pool, state.cursors, filters, sort, cursor, limit)
        return paged(request, page, limit)

    @get("/{pr_id:uuid}", responses=problems(*COMMON), summary="Get a pull request")
    async def get_pull_request(
        self, request: Req, state: State, pr_id: UUID, if_none_match: IfNoneMatch = None
    ) -> Response[Envelope[PullRequest]]:
        pr = await PULL_REQUESTS.get(state.pool, pr_id)
        return single(request, pr, if_none_match=if_none_match)

    @put("/{pr_id:uuid}", responses=problems(*WRITE, 412), summary="Replace a pull request")
    async def replace_pull_request(
        self, request: Req, state: State, pr_id: UUID, data: JSONBody[PullRequestWrite],
        if_match: IfMatch = None,
    ) -> Response[Envelope[PullRequest]]:  # fmt: skip
        version = parse_if_match(if_match)
        return single(request, await PULL_REQUESTS.replace(state.pool, pr_id, data, version))

    @patch("/{pr_id:uuid}", responses=problems(*WRITE, 412), summary="Update a pull request")
    async def patch_pull_request(
        self, request: Req, state: State, pr_id: UUID, data: JSONBody[PullRequestPatch],
        if_match: IfMatch = None,
    ) -> Response[Envelope[PullRequest]]:  # fmt: skip
        version = parse_if_match(if_match)
        return single(request, await PULL_REQUESTS.patch(state.pool, pr_id, data, version))

    @delete("/{pr_id:uuid}", responses=problems(*COMMON, 412), summary="Stop tracking a PR")
    async def delete_pull_request(
        self, state: State, pr_id: UUID, if_match: IfMatch = None
    ) -> None:
        await PULL_REQUESTS.delete(state.pool, pr_id, parse_if_match(if_match))
