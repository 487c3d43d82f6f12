"""Integration and event data access. CRUD and lists come from :class:`Table`; status changes,
health checks and events are single statements that also keep the integration's counters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from taskmaster.api.listing import Table, fetch_one
from taskmaster.api.pagination import SortField
from taskmaster.db.pool import ConnectionPool
from taskmaster.db.sql import load_queries
from taskmaster.integrations.schemas import (
    Event,
    HealthReport,
    HealthState,
    Integration,
    StatusChange,
    Usage,
)

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

INTEGRATIONS: Table[Integration] = Table(
    name="integrations",
    label="integration",
    struct=Integration,
    columns=QUERIES["fragment:integration_columns"],
    sort_fields={
        "created_at": SortField("created_at", "timestamptz"),
        "updated_at": SortField("updated_at", "timestamptz"),
        "name": SortField("name", "text"),
        "id": SortField("id", "uuid"),
    },
    default_sort="created_at",
    filters={
        "type": "type = ANY(%(type)s)",
        "status": "status = ANY(%(status)s)",
        "health_status": "health_status = ANY(%(health_status)s)",
        "name": "name = %(name)s",
    },
    queries=QUERIES,
    key="integration",
    jsonb=frozenset({"config", "rate_limit_config", "usage_stats", "metadata"}),
)

EVENTS: Table[Event] = Table(
    name="integration_events",
    label="integration event",
    struct=Event,
    columns=QUERIES["fragment:event_columns"],
    sort_fields={
        "created_at": SortField("created_at", "timestamptz"),
        "id": SortField("id", "uuid"),
    },
    default_sort="-created_at",
    filters={
        "event_type": "event_type = ANY(%(event_type)s)",
        "status": "status = ANY(%(status)s)",
        "direction": "direction = %(direction)s",
        "task_id": "task_id = %(task_id)s",
        "correlation_id": "correlation_id = %(correlation_id)s",
        "from": "created_at >= %(from)s",
        "to": "created_at < %(to)s",
    },
    scope="integration_id = %(integration_id)s",
    parent=INTEGRATIONS,
    queries=QUERIES,
    key="event",
    jsonb=frozenset({"request_data", "response_data"}),
)


async def change_status(
    pool: ConnectionPool, integration_id: UUID, body: StatusChange, if_version: int | None
) -> Integration:
    params = {"id": integration_id, "status": body.status, "error": body.error}
    params["if_version"] = if_version
    return await INTEGRATIONS.update(
        pool, QUERIES["set_integration_status"], params, integration_id
    )


async def health(pool: ConnectionPool, integration_id: UUID) -> HealthState:
    query, params = QUERIES["get_health"], {"id": integration_id}
    return await fetch_one(pool, HealthState, query, params, "integration", integration_id)


async def record_health(
    pool: ConnectionPool, integration_id: UUID, body: HealthReport
) -> HealthState:
    params = {
        "id": integration_id,
        "health_status": body.health_status,
        "error": body.error,
        "duration_ms": body.duration_ms,
    }
    query = QUERIES["record_health"]
    return await fetch_one(pool, HealthState, query, params, "integration", integration_id)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


async def usage(
    pool: ConnectionPool, integration_id: UUID, start: datetime | None, end: datetime | None
) -> Usage:
    params = {"id": integration_id, "start": _utc(start), "end": _utc(end)}
    return await fetch_one(pool, Usage, QUERIES["get_usage"], params, "integration", integration_id)
