"""Pull request bodies (msgspec); Literals, patterns and ranges mirror the pull_requests CHECKs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from taskmaster.api.resource import patch_of
from taskmaster.api.rows import VersionedRow
from taskmaster.api.types import Object, Timestamp

PrStatus = Literal["draft", "open", "closed", "merged"]
MergeState = Literal[
    "unknown", "clean", "dirty", "blocked", "behind", "unstable", "has_hooks", "draft"
]
ReviewStatus = Literal["pending", "approved", "changes_requested", "commented", "dismissed"]
CiStatus = Literal["pending", "running", "success", "failure", "error", "cancelled", "skipped"]

REPOSITORY_PATTERN = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"
Repository = Annotated[str, msgspec.Meta(pattern=REPOSITORY_PATTERN, max_length=300)]
PrNumber = Annotated[int, msgspec.Meta(ge=1, le=2_147_483_647)]
Url = Annotated[str, msgspec.Meta(pattern=r"^https?://", max_length=2048)]
Branch = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Sha = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{7,64}$")]
Count = Annotated[int, msgspec.Meta(ge=0, le=2_147_483_647)]
Text255 = Annotated[str, msgspec.Meta(max_length=255)]
Title = Annotated[str, msgspec.Meta(max_length=500)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class PullRequest(VersionedRow):
    """A pull request as the API returns it. Field order = the select list."""

    id: UUID
    project_id: UUID | None
    task_id: UUID | None
    workflow_id: UUID | None
    repository: str
    pr_number: int
    pr_url: str
    title: str | None
    source_branch: str
    target_branch: str
    author: str | None
    status: PrStatus
    merge_state: MergeState
    review_status: ReviewStatus
    ci_status: CiStatus
    head_sha: str | None
    merge_commit_sha: str | None
    additions: int | None
    deletions: int | None
    changed_files: int | None
    labels: list[str]
    merged_at: datetime | None
    merged_by: str | None
    closed_at: datetime | None


class PullRequestWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /pull-requests`` and ``PUT /pull-requests/{id}``. ``merged_at`` only with
    status ``merged``; ``closed_at`` only with ``closed`` or ``merged`` (422 otherwise)."""

    repository: Repository
    pr_number: PrNumber
    pr_url: Url
    source_branch: Branch
    target_branch: Branch = "main"
    title: Title | None = None
    author: Text255 | None = None
    project_id: UUID | None = None
    task_id: UUID | None = None
    workflow_id: UUID | None = None
    status: PrStatus = "open"
    merge_state: MergeState = "unknown"
    review_status: ReviewStatus = "pending"
    ci_status: CiStatus = "pending"
    head_sha: Sha | None = None
    merge_commit_sha: Sha | None = None
    additions: Count | None = None
    deletions: Count | None = None
    changed_files: Count | None = None
    labels: Annotated[list[Label], msgspec.Meta(max_length=100)] = msgspec.field(
        default_factory=list
    )
    merged_at: Timestamp | None = None
    merged_by: Text255 | None = None
    closed_at: Timestamp | None = None
    metadata: Object = msgspec.field(default_factory=dict)


PullRequestPatch = patch_of(PullRequestWrite, "PullRequestPatch")
