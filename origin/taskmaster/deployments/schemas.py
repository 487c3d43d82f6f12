"""Deployment and script bodies (msgspec); Literals and ranges mirror the tables' CHECKs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from taskmaster.api.resource import patch_of
from taskmaster.api.rows import VersionedRow
from taskmaster.api.types import Message, Object, Order, Retries, ShortText, Timeout

Environment = Literal["development", "test", "staging", "preview", "production"]
DeploymentType = Literal["full", "incremental", "hotfix", "rollback", "canary", "blue_green"]
DeploymentStatus = Literal["pending", "running", "completed", "failed", "cancelled", "rolled_back"]
ScriptType = Literal["build", "test", "deploy", "rollback", "migration", "validation", "cleanup"]
ScriptStatus = Literal[
    "pending", "running", "completed", "failed", "timed_out", "skipped", "cancelled"
]

Branch = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
CommitSha = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{7,64}$")]
PrNumber = Annotated[int, msgspec.Meta(ge=1, le=2_147_483_647)]
ScriptName = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
ScriptContent = Annotated[str, msgspec.Meta(max_length=1_000_000)]
ScriptVersion = Annotated[str, msgspec.Meta(max_length=50)]
ExitCode = Annotated[int, msgspec.Meta(ge=-2_147_483_648, le=2_147_483_647)]
Log = Annotated[str, msgspec.Meta(max_length=10_000_000)]
Array = Annotated[list[Any], msgspec.Meta(max_length=1000)]


class Deployment(VersionedRow):
    """A deployment as the API returns it. Field order = ``deployment_columns`` in queries.sql."""

    id: UUID
    project_id: UUID | None
    task_id: UUID | None
    workflow_id: UUID | None
    rollback_of_id: UUID | None
    environment: Environment
    deployment_type: DeploymentType
    status: DeploymentStatus
    source_branch: str | None
    target_branch: str | None
    commit_sha: str | None
    pr_number: int | None
    deployment_config: dict[str, Any]
    health_checks: list[Any]
    deployed_by: str | None
    error_message: str | None
    started_at: datetime | None
    completed_at: datetime | None
    duration_ms: int | None


class DeploymentWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /deployments`` and ``PUT /deployments/{id}``; times follow the status."""

    environment: Environment = "development"
    deployment_type: DeploymentType = "full"
    status: DeploymentStatus = "pending"
    project_id: UUID | None = None
    task_id: UUID | None = None
    workflow_id: UUID | None = None
    rollback_of_id: UUID | None = None
    source_branch: Branch | None = None
    target_branch: Branch | None = None
    commit_sha: CommitSha | None = None
    pr_number: PrNumber | None = None
    deployment_config: Object = msgspec.field(default_factory=dict)
    health_checks: Array = msgspec.field(default_factory=list)
    deployed_by: ShortText | None = None
    error_message: Message | None = None
    metadata: Object = msgspec.field(default_factory=dict)


DeploymentPatch = patch_of(DeploymentWrite, "DeploymentPatch")


class Script(VersionedRow):
    """A deployment script. Field order = ``script_columns`` in queries.sql."""

    id: UUID
    deployment_id: UUID | None
    task_id: UUID | None
    script_name: str
    script_type: ScriptType
    script_content: str
    script_version: str
    environment: Environment
    parameters: dict[str, Any]
    execution_order: int
    timeout_seconds: int
    retry_count: int
    max_retries: int
    status: ScriptStatus
    started_at: datetime | None
    completed_at: datetime | None
    execution_duration_ms: int | None
    exit_code: int | None
    stdout_log: str | None
    stderr_log: str | None


class ScriptWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /deployments/{id}/scripts``. ``execution_order`` defaults to after the last
    script, ``environment`` to the deployment's."""

    script_name: ScriptName
    script_type: ScriptType
    script_content: ScriptContent
    script_version: ScriptVersion = "1.0.0"
    environment: Environment | None = None
    task_id: UUID | None = None
    parameters: Object = msgspec.field(default_factory=dict)
    execution_order: Order | None = None
    timeout_seconds: Timeout = 300
    max_retries: Retries = 3
    metadata: Object = msgspec.field(default_factory=dict)


class ScriptRun(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``PATCH /deployments/{id}/scripts/{script_id}``: how a run went. Start and end
    times and the duration follow ``status``."""

    status: ScriptStatus | msgspec.UnsetType = msgspec.UNSET
    exit_code: ExitCode | msgspec.UnsetType | None = msgspec.UNSET
    stdout_log: Log | msgspec.UnsetType | None = msgspec.UNSET
    stderr_log: Log | msgspec.UnsetType | None = msgspec.UNSET
    retry_count: Retries | msgspec.UnsetType = msgspec.UNSET
    metadata: Object | msgspec.UnsetType = msgspec.UNSET
