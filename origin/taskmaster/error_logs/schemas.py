"""Error log bodies (msgspec); Literals and lengths mirror the error_logs CHECKs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from taskmaster.api.rows import VersionedRow
from taskmaster.api.types import Lines, Object

ErrorType = Literal[
    "validation", "compilation", "runtime", "network", "database", "authentication",
    "authorization", "timeout", "resource", "configuration", "integration", "deployment",
    "unknown",
]  # fmt: skip
ErrorCategory = Literal[
    "application", "infrastructure", "integration", "security", "data", "user", "other"
]
Severity = Literal["info", "warning", "error", "critical"]

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Message = Lines(100_000)
Trace = Annotated[str, msgspec.Meta(max_length=1_000_000)]
Text100 = Annotated[str, msgspec.Meta(max_length=100)]
Text50 = Annotated[str, msgspec.Meta(max_length=50)]
Text200 = Annotated[str, msgspec.Meta(max_length=200)]
Text255 = Annotated[str, msgspec.Meta(max_length=255)]
FilePath = Annotated[str, msgspec.Meta(max_length=1000)]
Line = Annotated[int, msgspec.Meta(ge=1, le=2_147_483_647)]
Notes = Annotated[str, msgspec.Meta(max_length=100_000)]


class ErrorLog(VersionedRow):
    """An error as the API returns it. Field order = ``error_columns`` in queries.sql."""

    id: UUID
    task_id: UUID | None
    workflow_id: UUID | None
    workflow_stage_id: UUID | None
    deployment_script_id: UUID | None
    validation_result_id: UUID | None
    error_type: ErrorType
    error_category: ErrorCategory
    severity: Severity
    error_code: str
    message: str
    message_hash: str
    details: dict[str, Any]
    context: dict[str, Any]
    stack_trace: str | None
    source_component: str | None
    source_file: str | None
    source_line: int | None
    request_id: str | None
    environment: str | None
    service_name: str | None
    service_version: str | None
    resolved: bool
    resolved_at: datetime | None
    resolved_by: str | None
    resolution_notes: str | None
    occurrence_count: int
    first_seen_at: datetime
    last_seen_at: datetime


class ErrorWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /errors``. An open error with the same task, code and message is counted
    again (200) rather than stored twice (201)."""

    error_type: ErrorType
    error_code: Code
    message: Message
    error_category: ErrorCategory = "application"
    severity: Severity = "error"
    task_id: UUID | None = None
    workflow_id: UUID | None = None
    workflow_stage_id: UUID | None = None
    deployment_script_id: UUID | None = None
    validation_result_id: UUID | None = None
    details: Object = msgspec.field(default_factory=dict)
    context: Object = msgspec.field(default_factory=dict)
    stack_trace: Trace | None = None
    source_component: Text100 | None = None
    source_file: FilePath | None = None
    source_line: Line | None = None
    request_id: Text200 | None = None
    environment: Text50 | None = None
    service_name: Text100 | None = None
    service_version: Text50 | None = None
    metadata: Object = msgspec.field(default_factory=dict)


class ErrorResolution(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /errors/{id}/resolve`` (may be ``{}``)."""

    resolved_by: Text255 | None = None
    resolution_notes: Notes | None = None
