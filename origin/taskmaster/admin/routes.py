"""``POST /api/v1/admin/query`` (scope ``admin``): one read-only SQL statement, audited."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.datastructures import State
from litestar.params import JSONBody

from taskmaster.admin import service
from taskmaster.admin.schemas import AdminQuery, QueryResult
from taskmaster.api.docs import WRITE, problems
from taskmaster.api.envelope import Envelope, meta_for
from taskmaster.api.policy import policy
from taskmaster.auth.scopes import ADMIN


@post(
    "/api/v1/admin/query",
    summary="Run one read-only SQL statement as taskmaster_readonly (scope admin; audited)",
    tags=["admin"],
    responses=problems(*WRITE),
    # Read-only SQL console (POST, yet it never writes): administrators only, on the primary.
    opt=policy(ADMIN, replica=False),
)
async def admin_query(
    request: Request[Any, Any, Any], state: State, data: JSONBody[AdminQuery]
) -> Response[Envelope[QueryResult]]:
    identity = request.scope["auth"]  # type: ignore[typeddict-item]
    result = await service.run_query(
        state.pool,
        state.settings.admin_query,
        identity.key_id,
        request.scope.get("request_id", ""),
        data,
    )
    return Response(
        Envelope(data=result, meta=meta_for(request)),
        status_code=200,
        headers={"Cache-Control": "no-store"},
    )
