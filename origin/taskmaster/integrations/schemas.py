"""Integration and integration event bodies (msgspec); Literals and ranges mirror the CHECKs.
``encrypted_credentials`` is never part of this API: keep secrets in sensitive configuration
settings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from taskmaster.api.resource import patch_of
from taskmaster.api.rows import VersionedRow
from taskmaster.api.types import ErrorText, Name, Object

IntegrationType = Literal[
    "linear", "github", "agentapi", "claude_code", "codegen", "cloudflare", "slack", "webhook",
    "custom",
]  # fmt: skip
Status = Literal["active", "inactive", "error", "disabled"]
Health = Literal["unknown", "healthy", "degraded", "unhealthy"]
EventType = Literal[
    "request", "response", "error", "health_check", "webhook", "sync", "rate_limited"
]
Direction = Literal["inbound", "outbound"]
EventStatus = Literal["success", "failure", "pending"]

CorrelationId = Annotated[str, msgspec.Meta(max_length=200)]
HttpStatus = Annotated[int, msgspec.Meta(ge=100, le=599)]
Duration = Annotated[int, msgspec.Meta(ge=0, le=2_147_483_647)]


class Integration(VersionedRow):
    """An integration as the API returns it. Field order = ``integration_columns``."""

    id: UUID
    name: str
    type: IntegrationType
    status: Status
    health_status: Health
    last_health_check_at: datetime | None
    config: dict[str, Any]
    rate_limit_config: dict[str, Any]
    usage_stats: dict[str, Any]
    request_count: int
    error_count: int
    last_error: str | None
    last_error_at: datetime | None
    last_used_at: datetime | None


class IntegrationWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /integrations`` and ``PUT /integrations/{id}``. Counters, health and the
    last error are kept by the API (events, health checks), not written."""

    name: Name
    type: IntegrationType
    status: Status = "inactive"
    config: Object = msgspec.field(default_factory=dict)
    rate_limit_config: Object = msgspec.field(default_factory=dict)
    usage_stats: Object = msgspec.field(default_factory=dict)
    metadata: Object = msgspec.field(default_factory=dict)


IntegrationPatch = patch_of(IntegrationWrite, "IntegrationPatch")


class StatusChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``PUT /integrations/{id}/status``; ``error`` is recorded as the last error."""

    status: Status
    error: ErrorText | None = None


class HealthReport(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /integrations/{id}/health``: the outcome of a health check just made."""

    health_status: Health
    error: ErrorText | None = None
    duration_ms: Duration | None = None


class HealthState(msgspec.Struct):
    id: UUID
    status: Status
    health_status: Health
    last_health_check_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None


class Usage(msgspec.Struct):
    """Counters kept on the integration plus aggregates over its events in [from, to)."""

    id: UUID
    request_count: int
    error_count: int
    error_rate: float | None  # error_count / request_count
    last_used_at: datetime | None
    usage_stats: dict[str, Any]
    events: int
    failed_events: int
    avg_duration_ms: float | None
    events_by_type: dict[str, int]


class Event(msgspec.Struct):
    """An integration event as the API returns it. Field order = ``event_columns``."""

    id: UUID
    integration_id: UUID
    task_id: UUID | None
    event_type: EventType
    direction: Direction
    status: EventStatus
    http_status: int | None
    duration_ms: int | None
    request_data: Any
    response_data: Any
    error_message: str | None
    correlation_id: str | None
    created_at: datetime


class EventWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /integrations/{id}/events``. Recording an event updates the integration's
    usage counters in the same statement (request/webhook/sync count as requests; a failure or an
    ``error`` event counts as an error and becomes the last error)."""

    event_type: EventType
    direction: Direction = "outbound"
    status: EventStatus = "success"
    task_id: UUID | None = None
    http_status: HttpStatus | None = None
    duration_ms: Duration | None = None
    request_data: Object | list[Any] | None = None
    response_data: Object | list[Any] | None = None
    error_message: ErrorText | None = None
    correlation_id: CorrelationId | None = None
