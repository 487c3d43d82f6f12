"""HTTP routes of integrations: the usual routes generated from the table; status, health, usage
and events beside them."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.params import From, IfMatch, Req, To
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller, scoped_create, scoped_get, scoped_list
from taskmaster.db.session import Session
from taskmaster.integrations import service
from taskmaster.integrations.schemas import (
    EventWrite,
    HealthReport,
    HealthState,
    Integration,
    IntegrationPatch,
    StatusChange,
    Usage,
)
from taskmaster.integrations.service import EVENTS, INTEGRATIONS

ONE = "/{integration_id:uuid}"


class IntegrationController(
    crud_controller(
        INTEGRATIONS,
        "/api/v1/integrations",
        "integrations",
        patch_struct=IntegrationPatch,
        summaries={
            "create": "Register an integration",
            "list": "List integrations",
            "get": "Get an integration",
            "replace": "Replace an integration",
            "patch": "Update an integration",
            "delete": "Delete an integration and its events",
        },
        statuses={"delete": (*COMMON, 412)},
    )
):
    opt = policy("workflows:read", "workflows:write")

    @put(ONE + "/status", responses=problems(*WRITE, 412), summary="Set an integration's status")
    async def set_status(
        self, request: Req, db: NamedDependency[Session], integration_id: FromPath[UUID],
        data: JSONBody[StatusChange], if_match: IfMatch = None,
    ) -> Response[Envelope[Integration]]:  # fmt: skip
        version = parse_if_match(if_match)
        updated = await service.change_status(db, integration_id, data, version)
        return single(request, updated)

    @get(ONE + "/health", responses=problems(*COMMON), summary="An integration's health")
    async def get_health(
        self, request: Req, db: NamedDependency[Session], integration_id: FromPath[UUID]
    ) -> Response[Envelope[HealthState]]:
        return single(request, await service.health(db, integration_id))

    @post(
        ONE + "/health",
        responses=problems(*WRITE),
        summary="Record a health check's outcome (also logged as a health_check event)",
        status_code=200,
    )
    async def record_health(
        self, request: Req, db: NamedDependency[Session], integration_id: FromPath[UUID],
        data: JSONBody[HealthReport],
    ) -> Response[Envelope[HealthState]]:  # fmt: skip
        return single(request, await service.record_health(db, integration_id, data))

    @get(ONE + "/usage", responses=problems(*COMMON), summary="Usage counters and event stats")
    async def get_usage(
        self, request: Req, db: NamedDependency[Session], integration_id: FromPath[UUID],
        from_: From = None, to: To = None,
    ) -> Response[Envelope[Usage]]:  # fmt: skip
        return single(request, await service.usage(db, integration_id, from_, to))

    create_event = scoped_create(
        EVENTS, ONE + "/events", "create_event", "Record an integration event",
        scope_id="integration_id", data=EventWrite,
    )  # fmt: skip

    list_events = scoped_list(
        EVENTS,
        ONE + "/events",
        "list_events",
        "List an integration's events",
        scope_id="integration_id",
    )

    get_event = scoped_get(
        EVENTS, ONE + "/events/{event_id:uuid}", "get_event", "Get one event",
        scope_id="integration_id", id_name="event_id",
    )  # fmt: skip
