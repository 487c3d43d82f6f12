"""``/api/v1/subscriptions``: who receives events, and how their deliveries went.

Scope ``admin`` for everything (``auth/scopes.py``): a subscription receives every task's and
deployment's data and makes the origin POST to a URL of the caller's choosing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import JSONBody

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, Page, meta_for, paged, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, IfMatch, IfNoneMatch, Limit, Sort
from taskmaster.api.policy import policy
from taskmaster.auth.scopes import ADMIN
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


class SubscriptionController(Controller):
    path = "/api/v1/subscriptions"
    # Subscribers receive every task's data and make the origin POST to any URL.
    opt = policy(ADMIN)
    tags = ["subscriptions"]

    @post(
        "/",
        responses=problems(*WRITE),
        summary="Subscribe a URL to events (the signing secret is in this response only)",
    )
    async def create_subscription(
        self, request: Req, state: State, data: JSONBody[SubscriptionWrite]
    ) -> Response[Envelope[SubscriptionCreated]]:
        key_id = getattr(request.scope.get("auth"), "key_id", None)
        created = await service.create_subscription(state.pool, state.settings, data, key_id)
        return Response(
            Envelope(data=created, meta=meta_for(request)),
            status_code=201,
            headers={"Cache-Control": NO_STORE, "Location": f"{self.path}/{created.id}"},
        )

    @get("/", responses=problems(*COMMON), summary="List subscriptions (keyset-paginated)")
    async def list_subscriptions(
        self, request: Req, state: State, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None, active: bool | None = None,
    ) -> Page[Subscription]:  # fmt: skip
        page = await SUBSCRIPTIONS.page(
            state.pool, state.cursors, {"active": active}, sort, cursor, limit
        )
        return paged(request, page, limit)

    @get("/{subscription_id:uuid}", responses=problems(*COMMON), summary="Get a subscription")
    async def get_subscription(
        self, request: Req, state: State, subscription_id: UUID, if_none_match: IfNoneMatch = None
    ) -> Response[Envelope[Subscription]]:
        item = await SUBSCRIPTIONS.get(state.pool, subscription_id)
        return single(request, item, if_none_match=if_none_match)

    @patch(
        "/{subscription_id:uuid}",
        responses=problems(*WRITE, 412),
        summary="Update a subscription (e.g. active, url, event_types)",
    )
    async def patch_subscription(
        self, request: Req, state: State, subscription_id: UUID, data: JSONBody[SubscriptionPatch],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Subscription]]:  # fmt: skip
        item = await service.patch_subscription(
            state.pool, state.settings, subscription_id, data, parse_if_match(if_match)
        )
        return single(request, item)

    @delete(
        "/{subscription_id:uuid}",
        responses=problems(*COMMON, 412),
        summary="Delete a subscription and its undelivered deliveries",
    )
    async def delete_subscription(
        self, state: State, subscription_id: UUID, if_match: IfMatch = None
    ) -> None:
        await SUBSCRIPTIONS.delete(state.pool, subscription_id, parse_if_match(if_match))

    @get(
        "/{subscription_id:uuid}/deliveries",
        responses=problems(*COMMON),
        summary="List a subscription's deliveries (status, attempts, last error)",
    )
    async def list_deliveries(
        self, request: Req, state: State, subscription_id: UUID,
        limit: Limit = DEFAULT_PAGE_SIZE, cursor: Cursor = None, sort: Sort = None,
        status: list[DeliveryStatus] | None = None, event_type: list[EventType] | None = None,
        aggregate_id: UUID | None = None,
    ) -> Page[EventDelivery]:  # fmt: skip
        filters = {"status": status, "event_type": event_type, "aggregate_id": aggregate_id}
        page = await DELIVERIES.page(
            state.pool, state.cursors, filters, sort, cursor, limit,
            scope={"subscription_id": subscription_id},
        )  # fmt: skip
        return paged(request, page, limit)
