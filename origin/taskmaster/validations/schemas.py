"""Validation result bodies (msgspec); Literals and ranges mirror the validation_results CHECKs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from taskmaster.api.resource import patch_of
from taskmaster.api.rows import VersionedRow
from taskmaster.api.types import Message, Object

ValidationType = Literal[
    "syntax", "security", "performance", "style", "testing", "integration", "deployment",
    "compliance", "documentation",
]  # fmt: skip
ValidationStatus = Literal["pending", "running", "passed", "failed", "warning", "error", "skipped"]

Score = Annotated[float, msgspec.Meta(ge=0, le=100)]
Validator = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
ValidatorVersion = Annotated[str, msgspec.Meta(max_length=50)]
Millis = Annotated[int, msgspec.Meta(ge=0, le=9_000_000_000_000)]
Count = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]


class ValidationResult(VersionedRow):
    """A validation result. Field order = the select list of ``VALIDATIONS`` (service.py)."""

    id: UUID
    task_id: UUID
    workflow_stage_id: UUID | None
    pull_request_id: UUID | None
    validation_type: ValidationType
    validation_status: ValidationStatus
    validation_score: float | None
    validation_data: dict[str, Any]
    validator: str | None
    validator_version: str | None
    validation_environment: dict[str, Any]
    started_at: datetime | None
    completed_at: datetime | None
    execution_time_ms: int | None
    error_message: str | None
    error_details: dict[str, Any] | None
    retry_count: int


class ValidationWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /validations``."""

    task_id: UUID
    validation_type: ValidationType
    validation_status: ValidationStatus = "pending"
    workflow_stage_id: UUID | None = None
    pull_request_id: UUID | None = None
    validation_score: Score | None = None
    validation_data: Object = msgspec.field(default_factory=dict)
    validator: Validator | None = None
    validator_version: ValidatorVersion | None = None
    validation_environment: Object = msgspec.field(default_factory=dict)
    started_at: datetime | None = None
    completed_at: datetime | None = None
    execution_time_ms: Millis | None = None
    error_message: Message | None = None
    error_details: Object | None = None
    retry_count: Count = 0
    metadata: Object = msgspec.field(default_factory=dict)


# The run's progress and outcome; what it validated (task, type, validator …) stays.
ValidationPatch = patch_of(
    ValidationWrite,
    "ValidationPatch",
    only=(
        "validation_status", "validation_score", "validation_data", "started_at", "completed_at",
        "execution_time_ms", "error_message", "error_details", "retry_count", "metadata",
    ),
)  # fmt: skip
