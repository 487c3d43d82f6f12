"""HTTP adapters for integrations, their status, health, usage and events."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.params import JSONBody, Parameter

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, Page, paged, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, From, IfMatch, IfNoneMatch, Limit, Sort, To
from taskmaster.api.policy import policy
from taskmaster.integrations import service
from taskmaster.integrations.schemas import (
    Direction,
    Event,
    EventStatus,
    EventType,
    EventWrite,
    Health,
    HealthReport,
    HealthState,
    Integration,
    IntegrationPatch,
    IntegrationType,
    IntegrationWrite,
    Status,
    StatusChange,
    Usage,
)
from taskmaster.integrations.service import EVENTS, INTEGRATIONS

Req = Request[Any, Any, Any]
ONE = "/{integration_id:uuid}"


class IntegrationController(Controller):
    path = "/api/v1/integrations"
    opt = policy("workflows:read", "workflows:write")
    tags = ["integrations"]

    @post("/", responses=problems(*WRITE), summary="Register an integration")
    async def create_integration(
        self, request: Req, state: State, data: JSONBody[IntegrationWrite]
    ) -> Response[Envelope[Integration]]:
        integration = await INTEGRATIONS.create(state.pool, data)
        return single(request, integration, 201, location=f"{self.path}/{integration.id}")

    @get("/", responses=problems(*COMMON), summary="List integrations")
    async def list_integrations(
        self, request: Req, state: State, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None, type: list[IntegrationType] | None = None,
        status: list[Status] | None = None, health_status: list[Health] | None = None,
        name: Annotated[str | None, Parameter(max_length=200)] = None,
    ) -> Page[Integration]:  # fmt: skip
        filters = {"type": type, "status": status, "health_status": health_status, "name": name}
        page = await INTEGRATIONS.page(state.pool, state.cursors, filters, sort, cursor, limit)
        return paged(request, page, limit)

    @get(ONE, responses=problems(*COMMON), summary="Get an integration")
    async def get_integration(
        self, request: Req, state: State, integration_id: UUID, if_none_match: IfNoneMatch = None
    ) -> Response[Envelope[Integration]]:
        integration = await INTEGRATIONS.get(state.pool, integration_id)
        return single(request, integration, if_none_match=if_none_match)

    @put(ONE, responses=problems(*WRITE, 412), summary="Replace an integration")
    async def replace_integration(
        self, request: Req, state: State, integration_id: UUID, data: JSONBody[IntegrationWrite],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Integration]]:  # fmt: skip
        version = parse_if_match(if_match)
        updated = await INTEGRATIONS.replace(state.pool, integration_id, data, version)
        return single(request, updated)

    @patch(ONE, responses=problems(*WRITE, 412), summary="Update an integration")
    async def patch_integration(
        self, request: Req, state: State, integration_id: UUID, data: JSONBody[IntegrationPatch],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Integration]]:  # fmt: skip
        version = parse_if_match(if_match)
        updated = await INTEGRATIONS.patch(state.pool, integration_id, data, version)
        return single(request, updated)

    @delete(ONE, responses=problems(*COMMON, 412), summary="Delete an integration and its events")
    async def delete_integration(
        self, state: State, integration_id: UUID, if_match: IfMatch = None
    ) -> None:
        await INTEGRATIONS.delete(state.pool, integration_id, parse_if_match(if_match))

    @put(ONE + "/status", responses=problems(*WRITE, 412), summary="Set an integration's status")
    async def set_status(
        self, request: Req, state: State, integration_id: UUID, data: JSONBody[StatusChange],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Integration]]:  # fmt: skip
        version = parse_if_match(if_match)
        updated = await service.change_status(state.pool, integration_id, data, version)
        return single(request, updated)

    @get(ONE + "/health", responses=problems(*COMMON), summary="An integration's health")
    async def get_health(
        self, request: Req, state: State, integration_id: UUID
    ) -> Response[Envelope[HealthState]]:
        return single(request, await service.health(state.pool, integration_id))

    @post(
        ONE + "/health",
        responses=problems(*WRITE),
        summary="Record a health check's outcome (also logged as a health_check event)",
        status_code=200,
    )
    async def record_health(
        self, request: Req, state: State, integration_id: UUID, data: JSONBody[HealthReport]
    ) -> Response[Envelope[HealthState]]:
        return single(request, await service.record_health(state.pool, integration_id, data))

    @get(ONE + "/usage", responses=problems(*COMMON), summary="Usage counters and event stats")
    async def get_usage(
        self, request: Req, state: State, integration_id: UUID, from_: From = None, to: To = None
    ) -> Response[Envelope[Usage]]:
        return single(request, await service.usage(state.pool, integration_id, from_, to))

    @post(ONE + "/events", responses=problems(*WRITE), summary="Record an integration event")
    async def create_event(
        self, request: Req, state: State, integration_id: UUID, data: JSONBody[EventWrite]
    ) -> Response[Envelope[Event]]:
        event = await EVENTS.create(state.pool, data, {"integration_id": integration_id})
        location = f"{self.path}/{integration_id}/events/{event.id}"
        return single(request, event, 201, location=location)

    @get(ONE + "/events", responses=problems(*COMMON), summary="List an integration's events")
    async def list_events(
        self, request: Req, state: State, integration_id: UUID,
        limit: Limit = DEFAULT_PAGE_SIZE, cursor: Cursor = None, sort: Sort = None,
        event_type: list[EventType] | None = None, status: list[EventStatus] | None = None,
        direction: Direction | None = None, task_id: UUID | None = None,
        correlation_id: Annotated[str | None, Parameter(max_length=200)] = None,
        from_: From = None, to: To = None,
    ) -> Page[Event]:  # fmt: skip
        filters = {
            "event_type": event_type, "status": status, "direction": direction,
            "task_id": task_id, "correlation_id": correlation_id, "from": from_, "to": to,
        }  # fmt: skip
        scope = {"integration_id": integration_id}
        page = await EVENTS.page(state.pool, state.cursors, filters, sort, cursor, limit, scope)
        return paged(request, page, limit)

    @get(ONE + "/events/{event_id:uuid}", responses=problems(*COMMON), summary="Get one event")
    async def get_event(
        self, request: Req, state: State, integration_id: UUID, event_id: UUID
    ) -> Response[Envelope[Event]]:
        scope = {"integration_id": integration_id}
        return single(request, await EVENTS.get(state.pool, event_id, scope))
