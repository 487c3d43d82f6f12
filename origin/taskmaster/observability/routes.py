"""``GET /metrics``: the Prometheus text exposition of the whole process group (scope
``metrics:read``); see ``observability/metrics.py``."""

from __future__ import annotations

from litestar import Response, get
from litestar.datastructures import State

from taskmaster.api.docs import AUTH, problems
from taskmaster.api.policy import policy
from taskmaster.auth.scopes import ADMIN
from taskmaster.observability.metrics import CONTENT_TYPE


@get(
    "/metrics",
    summary="Prometheus metrics of every worker of this origin (scope metrics:read)",
    tags=["health"],
    media_type=CONTENT_TYPE,
    responses=problems(*AUTH),
    cache_control=None,
    opt=policy("metrics:read", ADMIN, replica=False),
)
async def metrics(state: State) -> Response[bytes]:
    facts = await state.database_facts.read()
    return Response(
        state.metrics.render(facts),
        media_type=CONTENT_TYPE,
        headers={"Cache-Control": "no-store"},
    )
