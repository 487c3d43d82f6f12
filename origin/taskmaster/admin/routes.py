"""``POST /api/v1/admin/query`` (scope ``admin``): one read-only SQL statement, audited."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.datastructures import State

from taskmaster.admin import service
from taskmaster.admin.schemas import AdminQuery, QueryResult
from taskmaster.api.docs import WRITE, problems
from taskmaster.api.envelope import Envelope, meta_for


@post(
    "/api/v1/admin/query",
    summary="Run one read-only SQL statement as taskmaster_readonly (scope admin; audited)",
    tags=["admin"],
    responses=problems(*WRITE),
)
async def admin_query(
    request: Request[Any, Any, Any], state: State, data: AdminQuery
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
