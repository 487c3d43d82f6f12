"""``/api/v1/subscriptions``: who receives events, and how their deliveries went.

Scope ``admin`` for everything (the controller's policy): a subscription receives every task's and
deployment's data and makes the origin POST to a URL of the caller's choosing. List, get and
delete are generated from the table; create (which answers the secret once), patch (which checks
the URL) and the deliveries beside them.
"""

from __future__ import annotations

from uuid import UUID

from litestar import Response, patch, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, meta_for, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.params import IfMatch, Req
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller, scoped_list
from taskmaster.auth.scopes import ADMIN
from taskmaster.db.session import Session
from taskmaster.events import service
from taskmaster.events.schemas import (
    Subscription,
    SubscriptionCreated,
    SubscriptionPatch,
    SubscriptionWrite,
)
from taskmaster.events.service import DELIVERIES, SUBSCRIPTIONS

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

    list_deliveries = scoped_list(
        DELIVERIES,
        ONE + "/deliveries",
        "list_deliveries",
        "List a subscription's deliveries (status, attempts, last error)",
        scope_id="subscription_id",
    )
