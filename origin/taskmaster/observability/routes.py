"""``GET /metrics``: the Prometheus text exposition of this worker process (scope ``metrics:read``)."""

from __future__ import annotations

from litestar import Response, get
from litestar.datastructures import State

from taskmaster.api.docs import AUTH, problems
from taskmaster.api.policy import policy
from taskmaster.auth.scopes import ADMIN
from taskmaster.observability.registry import CONTENT_TYPE


@get(
    "/metrics",
    summary="Prometheus metrics of the answering worker process (scope metrics:read)",
    tags=["health"],
    media_type=CONTENT_TYPE,
    responses=problems(*AUTH),
    cache_control=None,
    opt=policy("metrics:read", ADMIN, replica=False),
)
async def metrics(state: State) -> Response[str]:
    return Response(
        state.metrics.render(),
        media_type=CONTENT_TYPE,
        headers={"Cache-Control": "no-store"},
    )
