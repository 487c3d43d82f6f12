"""Typed models of the API's resources (msgspec), written from the API's schemas by hand so the
client does not depend on the origin package.

Decoding is forward-compatible: unknown fields are ignored and enumerations are plain ``str``
(a new status on the server does not break an old client). Fields the server may omit default.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import msgspec

T = TypeVar("T")


class Meta(msgspec.Struct):
    request_id: str = ""


class Pagination(msgspec.Struct):
    limit: int
    next_cursor: str | None = None
    has_more: bool = False


class Envelope(msgspec.Struct, Generic[T]):
    data: T
    meta: Meta = msgspec.field(default_factory=Meta)


class Page(msgspec.Struct, Generic[T]):
    data: list[T]
    pagination: Pagination
    meta: Meta = msgspec.field(default_factory=Meta)


class Task(msgspec.Struct, kw_only=True):
    id: UUID
    title: str
    status: str  # pending|in_progress|blocked|review|completed|failed|cancelled|deferred
    type: str = "feature"
    priority: int = 5
    project_id: UUID | None = None
    parent_task_id: UUID | None = None
    description: str | None = None
    complexity_score: int | None = None
    affected_files: list[str] = msgspec.field(default_factory=list)
    requirements: list[Any] = msgspec.field(default_factory=list)
    acceptance_criteria: list[Any] = msgspec.field(default_factory=list)
    tags: list[str] = msgspec.field(default_factory=list)
    assigned_to: str | None = None
    estimated_hours: float | None = None
    actual_hours: float | None = None
    linear_issue_id: str | None = None
    github_pr_url: str | None = None
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    completed_at: datetime | None = None
    total_subtasks: int = 0
    completed_subtasks: int = 0
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Project(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    slug: str
    status: str = "active"
    description: str | None = None
    repository_url: str | None = None
    settings: dict[str, Any] = msgspec.field(default_factory=dict)
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Workflow(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    status: str
    trigger_type: str = "manual"
    project_id: UUID | None = None
    task_id: UUID | None = None
    description: str | None = None
    current_stage: str | None = None
    total_stages: int = 0
    completed_stages: int = 0
    progress_percent: float = 0.0
    pipeline_config: dict[str, Any] = msgspec.field(default_factory=dict)
    state: dict[str, Any] = msgspec.field(default_factory=dict)
    error_message: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    created_by: str | None = None
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Stage(msgspec.Struct, kw_only=True):
    id: UUID
    workflow_id: UUID
    name: str
    stage_order: int
    status: str
    stage_type: str = "custom"
    config: dict[str, Any] = msgspec.field(default_factory=dict)
    result: dict[str, Any] = msgspec.field(default_factory=dict)
    error_message: str | None = None
    retry_count: int = 0
    max_retries: int = 0
    started_at: datetime | None = None
    completed_at: datetime | None = None
    duration_ms: int | None = None
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Deployment(msgspec.Struct, kw_only=True):
    id: UUID
    status: str  # pending|running|completed|failed|cancelled|rolled_back
    environment: str = "development"
    deployment_type: str = "full"
    project_id: UUID | None = None
    task_id: UUID | None = None
    workflow_id: UUID | None = None
    rollback_of_id: UUID | None = None
    source_branch: str | None = None
    target_branch: str | None = None
    commit_sha: str | None = None
    pr_number: int | None = None
    deployment_config: dict[str, Any] = msgspec.field(default_factory=dict)
    health_checks: list[Any] = msgspec.field(default_factory=list)
    deployed_by: str | None = None
    error_message: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    duration_ms: int | None = None
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class RateLimits(msgspec.Struct):
    per_minute: int
    per_hour: int
    per_day: int
    burst: int


class ApiKey(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    prefix: str
    scopes: list[str]
    status: str  # active|revoked|expired|inactive
    owner: str = ""
    description: str | None = None
    rate_limits: RateLimits | None = None
    allowed_ips: list[str] = msgspec.field(default_factory=list)
    allowed_endpoints: list[str] = msgspec.field(default_factory=list)
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    grace_expires_at: datetime | None = None
    rotated_from_id: UUID | None = None
    created_by_key_id: UUID | None = None
    last_used_at: datetime | None = None
    last_used_ip: str | None = None
    usage_count: int = 0
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class KeyCreated(ApiKey, kw_only=True):
    """A new (or rotated) key: ``key`` is the plain key, returned only this once."""

    key: str


class LogEntry(msgspec.Struct, kw_only=True):
    id: int
    level: str
    message: str
    source: str | None = None
    component: str | None = None
    correlation_id: str | None = None
    task_id: UUID | None = None
    workflow_id: UUID | None = None
    integration_id: UUID | None = None
    context: dict[str, Any] = msgspec.field(default_factory=dict)
    created_at: datetime | None = None


class LogBatchResult(msgspec.Struct):
    accepted: int


class Subscription(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    url: str
    secret_prefix: str
    event_types: list[str] = msgspec.field(default_factory=list)
    active: bool = True
    description: str | None = None
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class SubscriptionCreated(Subscription, kw_only=True):
    """``secret`` verifies X-TaskMaster-Signature; returned only at creation."""

    secret: str


class EventResource(msgspec.Struct):
    kind: str  # task, dependency, workflow, deployment
    id: UUID


class Event(msgspec.Struct, kw_only=True):
    """One event of ``GET /api/v1/stream`` (docs/stream.md): ``data`` is the row after the change
    (before it, for ``*.deleted``), ``changes`` the columns that changed."""

    id: int
    type: str
    project_id: UUID | None = None
    resource: EventResource
    occurred_at: datetime
    data: dict[str, Any] = msgspec.field(default_factory=dict)
    changes: list[str] = msgspec.field(default_factory=list)


class Reset(msgspec.Struct, kw_only=True):
    """``event: reset``: the id to resume from was too old (``expired``) or ``unknown``; reload
    what you keep from the REST API; the stream goes on from ``resume_from``."""

    reason: str
    last_event_id: int | None = None
    resume_from: int
