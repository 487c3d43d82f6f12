"""``/api/v1/subscriptions``: who receives events, and how their deliveries went.

Scope ``admin`` for everything (``auth/scopes.py``): a subscription receives every task's and
deployment's data and makes the origin POST to a URL of the caller's choosing. List, get and
delete are generated from the table; create (which answers the secret once), patch (which checks
the URL) and the deliveries beside them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, patch, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, Page, meta_for, paged, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, IfMatch, Limit, Sort
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller
from taskmaster.auth.scopes import ADMIN
from taskmaster.db.session import Session
from taskmaster.events import service
from taskmaster.events.schemas import (
    DeliveryStatus,
    EventDelivery,
    EventType,
    Subscription,
    SubscriptionCreated,
    SubscriptionPatch,
    SubscriptionWrite,
)
from taskmaster.events.service import DELIVERIES, SUBSCRIPTIONS

Req = Request[Any, Any, Any]
NO_STORE = "no-store"
ONE = "/{subscription_id:uuid}"


class SubscriptionController(
    crud_controller(
        SUBSCRIPTIONS,
        "/api/v1/subscriptions",
        "subscriptions",
        ops=("list", "get", "delete"),
        summaries={"delete": "Delete a subscription and its undelivered deliveries"},
        statuses={"delete": (*COMMON, 412)},
    )
):
    # Subscribers receive every task's data and make the origin POST to any URL.
    opt = policy(ADMIN)

    @post(
        "/",
        responses=problems(*WRITE),
        summary="Subscribe a URL to events (the signing secret is in this response only)",
    )
    async def create_subscription(
        self, request: Req, state: State, db: NamedDependency[Session],
        data: JSONBody[SubscriptionWrite],
    ) -> Response[Envelope[SubscriptionCreated]]:  # fmt: skip
        key_id = getattr(request.scope.get("auth"), "key_id", None)
        created = await service.create_subscription(db, state.settings, data, key_id)
        return Response(
            Envelope(data=created, meta=meta_for(request)),
            status_code=201,
            headers={"Cache-Control": NO_STORE, "Location": f"{self.path}/{created.id}"},
        )

    @patch(
        ONE,
        responses=problems(*WRITE, 412),
        summary="Update a subscription (e.g. active, url, event_types)",
    )
    async def patch_subscription(
        self, request: Req, state: State, db: NamedDependency[Session],
        subscription_id: FromPath[UUID], data: JSONBody[SubscriptionPatch],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Subscription]]:  # fmt: skip
        item = await service.patch_subscription(
            db, state.settings, subscription_id, data, parse_if_match(if_match)
        )
        return single(request, item)

    @get(
        ONE + "/deliveries",
        responses=problems(*COMMON),
        summary="List a subscription's deliveries (status, attempts, last error)",
    )
    async def list_deliveries(
        self, request: Req, db: NamedDependency[Session], subscription_id: FromPath[UUID],
        limit: Limit = DEFAULT_PAGE_SIZE, cursor: Cursor = None, sort: Sort = None,
        status: FromQuery[list[DeliveryStatus] | None] = None,
        event_type: FromQuery[list[EventType] | None] = None,
        aggregate_id: FromQuery[UUID | None] = None,
    ) -> Page[EventDelivery]:  # fmt: skip
        filters = {"status": status, "event_type": event_type, "aggregate_id": aggregate_id}
        page = await DELIVERIES.page(
            db, request.app.state.cursors, filters, sort, cursor, limit,
            scope={"subscription_id": subscription_id},
        )  # fmt: skip
        return paged(request, page, limit)
