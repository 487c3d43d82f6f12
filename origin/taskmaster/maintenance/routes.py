"""``POST /internal/maintenance/run``: the edge Worker's cron trigger (signed edge calls only).

``/internal`` needs a valid, fresh edge signature (its policy: ``EDGE_ONLY``); the Worker's
``scheduled`` handler signs an empty body with key id ``-``. Answers 200 with the run's report,
``status: already_running`` included (another run holds the lock: nothing to do).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.datastructures import State

from taskmaster.api.docs import AUTH, problems
from taskmaster.api.envelope import Envelope, meta_for
from taskmaster.api.policy import policy
from taskmaster.auth.scopes import EDGE_ONLY
from taskmaster.maintenance import service
from taskmaster.maintenance.service import MaintenanceReport


@post(
    "/internal/maintenance/run",
    summary="Run maintenance now (the edge's cron trigger; signed edge calls only)",
    tags=["internal"],
    responses=problems(*AUTH, 503),
    security=[{"edgeSignature": []}],
    status_code=200,
    opt=policy(EDGE_ONLY, replica=False),
)
async def run_maintenance(
    request: Request[Any, Any, Any], state: State
) -> Response[Envelope[MaintenanceReport]]:
    settings = state.settings
    request_id = request.scope.get("request_id", "")
    report = await service.run(
        state.pool, settings.maintenance, settings, run_id=f"maintenance-{request_id}"
    )
    return Response(
        Envelope(data=report, meta=meta_for(request)), headers={"Cache-Control": "no-store"}
    )
