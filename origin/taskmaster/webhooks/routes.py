"""The receivers: ``POST /api/v1/webhooks/github`` and ``/api/v1/webhooks/linear``.

They need no API key (their router's policy is public): the provider's
HMAC signature over the raw body is the authentication. A bad or missing signature is a 401 and
stores nothing; a redelivery is a 200 with the original event; a new delivery is a 202 (stored as
``pending``, processed by the background loop).
"""

from __future__ import annotations

from litestar import Response, Router, post
from litestar.datastructures import State
from litestar.openapi import ResponseSpec

from taskmaster.api.docs import PUBLIC_SECURITY, problems
from taskmaster.api.envelope import Envelope, meta_for
from taskmaster.api.params import Req
from taskmaster.api.policy import policy
from taskmaster.auth.scopes import PUBLIC
from taskmaster.webhooks import service
from taskmaster.webhooks.schemas import WebhookReceipt

DUPLICATE = {
    200: ResponseSpec(
        data_container=Envelope[WebhookReceipt],
        description="A redelivery: the event stored for this delivery id (nothing new stored)",
        generate_examples=False,
    )
}
# 401: bad/missing signature or no secret configured; 400: signed but not a usable delivery.
RESPONSES = {**problems(400, 401, 413, 422, 503), **DUPLICATE}


def _answer(request: Req, receipt: WebhookReceipt) -> Response[Envelope[WebhookReceipt]]:
    if not receipt.duplicate:
        wake = getattr(request.app.state, "wake_webhooks", None)
        if wake is not None:
            wake()
    return Response(
        Envelope(data=receipt, meta=meta_for(request)),
        status_code=200 if receipt.duplicate else 202,
        headers={"Cache-Control": "no-store"},
    )


async def _receive(request: Req, state: State, provider: str) -> Response[Envelope[WebhookReceipt]]:
    """Verify the provider's signature over the raw body, then store the delivery once."""
    settings = state.settings.webhooks
    secret = getattr(settings, f"{provider}_secret")
    parse = getattr(service, f"{provider}_delivery")
    delivery = parse(secret, request.headers, await request.body())
    return _answer(request, await service.receive(state.pool, delivery, settings.max_attempts))


_RECEIVER = {"status_code": 202, "security": PUBLIC_SECURITY, "responses": RESPONSES}


@post("/github", summary="Receive a GitHub webhook (X-Hub-Signature-256)", **_RECEIVER)
async def github_webhook(request: Req, state: State) -> Response[Envelope[WebhookReceipt]]:
    return await _receive(request, state, "github")


@post("/linear", summary="Receive a Linear webhook (Linear-Signature)", **_RECEIVER)
async def linear_webhook(request: Req, state: State) -> Response[Envelope[WebhookReceipt]]:
    return await _receive(request, state, "linear")


webhook_router = Router(
    path="/api/v1/webhooks",
    route_handlers=[github_webhook, linear_webhook],
    tags=["webhooks"],
    # The provider's HMAC signature over the raw body authenticates a delivery, not an API key.
    opt=policy(PUBLIC, replica=False),
)
