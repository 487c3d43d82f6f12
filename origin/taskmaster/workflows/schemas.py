"""Workflow and stage bodies (msgspec); Literals and ranges mirror the tables' CHECKs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from taskmaster.api.resource import patch_of
from taskmaster.api.rows import VersionedRow
from taskmaster.api.types import Description, Message, Name, Object, Order, Retries, ShortText

WorkflowStatus = Literal["pending", "running", "paused", "completed", "failed", "cancelled"]
TriggerType = Literal["manual", "task", "pull_request", "webhook", "schedule", "api"]
StageType = Literal[
    "analysis", "code_generation", "build", "test", "validation", "review", "deploy",
    "notification", "custom",
]  # fmt: skip
StageStatus = Literal["pending", "running", "completed", "failed", "skipped", "cancelled"]


class Workflow(VersionedRow):
    """A workflow as the API returns it. Field order = ``workflow_columns`` in queries.sql."""

    id: UUID
    project_id: UUID | None
    task_id: UUID | None
    name: str
    description: str | None
    trigger_type: TriggerType
    status: WorkflowStatus
    current_stage: str | None
    total_stages: int
    completed_stages: int
    progress_percent: float
    pipeline_config: dict[str, Any]
    state: dict[str, Any]
    error_message: str | None
    started_at: datetime | None
    completed_at: datetime | None
    created_by: str | None


class WorkflowWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /workflows`` and ``PUT /workflows/{id}``. Stage counters, ``current_stage``
    and the start/end times are maintained by the API, not written."""

    name: Name
    description: Description | None = None
    trigger_type: TriggerType = "manual"
    status: WorkflowStatus = "pending"
    project_id: UUID | None = None
    task_id: UUID | None = None
    pipeline_config: Object = msgspec.field(default_factory=dict)
    state: Object = msgspec.field(default_factory=dict)
    error_message: Message | None = None
    created_by: ShortText | None = None
    metadata: Object = msgspec.field(default_factory=dict)


WorkflowPatch = patch_of(WorkflowWrite, "WorkflowPatch")


class WorkflowProgress(msgspec.Struct):
    """``GET /workflows/{id}/progress``: how far the pipeline has got."""

    workflow_id: UUID
    status: WorkflowStatus
    completed_stages: int
    total_stages: int
    percent: float
    current_stage: str | None
    version: int


class Stage(VersionedRow):
    """A workflow stage. Field order = ``stage_columns`` in queries.sql."""

    id: UUID
    workflow_id: UUID
    name: str
    stage_type: StageType
    stage_order: int
    status: StageStatus
    config: dict[str, Any]
    result: dict[str, Any]
    error_message: str | None
    retry_count: int
    max_retries: int
    started_at: datetime | None
    completed_at: datetime | None
    duration_ms: int | None


class StageWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /workflows/{id}/stages``; ``stage_order`` defaults to after the last stage."""

    name: Name
    stage_type: StageType = "custom"
    stage_order: Order | None = None
    config: Object = msgspec.field(default_factory=dict)
    max_retries: Retries = 0
    metadata: Object = msgspec.field(default_factory=dict)


class StageUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``PATCH /workflows/{id}/stages/{stage_id}``: a status move and its outcome.
    ``started_at`` / ``completed_at`` / ``duration_ms`` follow the status."""

    status: StageStatus | msgspec.UnsetType = msgspec.UNSET
    result: Object | msgspec.UnsetType = msgspec.UNSET
    error_message: Message | msgspec.UnsetType | None = msgspec.UNSET
    retry_count: Retries | msgspec.UnsetType = msgspec.UNSET
    metadata: Object | msgspec.UnsetType = msgspec.UNSET
