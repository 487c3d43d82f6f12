"""Integration and event data access. CRUD and lists come from :class:`Table`; status changes,
health checks and events are single statements that also keep the integration's counters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

from litestar.params import QueryParameter

from taskmaster.api.params import From, To
from taskmaster.db.sql import load_queries
from taskmaster.db.table import Db, Filter, Table, fetch_one
from taskmaster.integrations.schemas import (
    Direction,
    Event,
    EventStatus,
    EventType,
    Health,
    HealthReport,
    HealthState,
    Integration,
    IntegrationType,
    IntegrationWrite,
    Status,
    StatusChange,
    Usage,
)

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

INTEGRATIONS: Table[Integration] = Table(
    name="integrations",
    struct=Integration,
    write=IntegrationWrite,
    columns=QUERIES["fragment:integration_columns"],  # also what set_integration_status returns
    sorts=("created_at", "updated_at", "name", "id"),
    filters={
        "type": Filter("type = ANY(%(type)s)", list[IntegrationType] | None),
        "status": Filter("status = ANY(%(status)s)", list[Status] | None),
        "health_status": Filter("health_status = ANY(%(health_status)s)", list[Health] | None),
        "name": Filter("name = %(name)s", Annotated[str | None, QueryParameter(max_length=200)]),
    },
    jsonb=frozenset({"config", "rate_limit_config", "usage_stats", "metadata"}),
)

# Events are append-only: recorded (insert_event, which also keeps the integration's counters),
# listed and read under their integration.
EVENTS: Table[Event] = Table(
    name="integration_events",
    struct=Event,
    columns=QUERIES["fragment:event_columns"],
    sorts=("created_at", "id"),
    default_sort="-created_at",
    filters={
        "event_type": Filter("event_type = ANY(%(event_type)s)", list[EventType] | None),
        "status": Filter("status = ANY(%(status)s)", list[EventStatus] | None),
        "direction": Filter("direction = %(direction)s", Direction | None),
        "task_id": Filter("task_id = %(task_id)s", UUID | None),
        "correlation_id": Filter(
            "correlation_id = %(correlation_id)s",
            Annotated[str | None, QueryParameter(max_length=200)],
        ),
        "from": Filter("created_at >= %(from)s", From),
        "to": Filter("created_at < %(to)s", To),
    },
    scope="integration_id = %(integration_id)s",
    parent=INTEGRATIONS,
    insert_sql=QUERIES["insert_event"],
    jsonb=frozenset({"request_data", "response_data"}),
)


async def change_status(
    db: Db, integration_id: UUID, body: StatusChange, if_version: int | None
) -> Integration:
    params = {"id": integration_id, "status": body.status, "error": body.error}
    params["if_version"] = if_version
    return await INTEGRATIONS.update(db, QUERIES["set_integration_status"], params, integration_id)


async def health(db: Db, integration_id: UUID) -> HealthState:
    query, params = QUERIES["get_health"], {"id": integration_id}
    return await fetch_one(db, HealthState, query, params, "integration", integration_id)


async def record_health(db: Db, integration_id: UUID, body: HealthReport) -> HealthState:
    params = {
        "id": integration_id,
        "health_status": body.health_status,
        "error": body.error,
        "duration_ms": body.duration_ms,
    }
    query = QUERIES["record_health"]
    return await fetch_one(
        db, HealthState, query, params, "integration", integration_id, write=True
    )


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


async def usage(
    db: Db, integration_id: UUID, start: datetime | None, end: datetime | None
) -> Usage:
    params = {"id": integration_id, "start": _utc(start), "end": _utc(end)}
    return await fetch_one(db, Usage, QUERIES["get_usage"], params, "integration", integration_id)
