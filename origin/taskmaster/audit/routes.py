"""HTTP adapters for the audit trail and the access log (read-only, ``admin`` scope)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import Parameter

from taskmaster.api.docs import COMMON, problems
from taskmaster.api.envelope import Page, paged
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, From, Limit, Sort, To
from taskmaster.api.policy import policy
from taskmaster.audit import service
from taskmaster.audit.schemas import AccessEntry, Action, AuditEntry, Method
from taskmaster.auth.scopes import ADMIN

Req = Request[Any, Any, Any]
RequestId = Annotated[str | None, Parameter(max_length=200)]
Status = Annotated[int | None, Parameter(ge=100, le=599)]


class AuditController(Controller):
    path = "/api/v1/audit-logs"
    opt = policy(ADMIN, edge_ttl=None)
    tags = ["audit"]

    @get("/", responses=problems(*COMMON), summary="List row changes (newest first)")
    async def list_audit_logs(
        self, request: Req, state: State, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None,
        table_name: Annotated[str | None, Parameter(max_length=63)] = None,
        row_id: Annotated[str | None, Parameter(max_length=200)] = None,
        action: list[Action] | None = None, actor_key_id: UUID | None = None,
        request_id: RequestId = None, from_: From = None, to: To = None,
    ) -> Page[AuditEntry]:  # fmt: skip
        filters = {
            "table_name": table_name, "row_id": row_id, "action": action,
            "actor_key_id": actor_key_id, "request_id": request_id, "from": from_, "to": to,
        }  # fmt: skip
        page = await service.AUDIT_LOGS.page(
            state.pool, state.cursors, filters, sort, cursor, limit
        )
        return paged(request, page, limit)


class AccessLogController(Controller):
    path = "/api/v1/access-logs"
    opt = policy(ADMIN, edge_ttl=None)
    tags = ["audit"]

    @get("/", responses=problems(*COMMON), summary="List API requests (newest first)")
    async def list_access_logs(
        self, request: Req, state: State, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None, api_key_id: UUID | None = None,
        request_id: RequestId = None, method: list[Method] | None = None,
        path: Annotated[str | None, Parameter(max_length=2048)] = None,
        status_code: Annotated[list[int] | None, Parameter(description="Exact status codes")] = None,
        status_gte: Status = None, status_lte: Status = None, from_: From = None, to: To = None,
    ) -> Page[AccessEntry]:  # fmt: skip
        filters = {
            "api_key_id": api_key_id, "request_id": request_id, "method": method, "path": path,
            "status_code": status_code, "status_gte": status_gte, "status_lte": status_lte,
            "from": from_, "to": to,
        }  # fmt: skip
        page = await service.access_page(state.pool, state.cursors, filters, sort, cursor, limit)
        return paged(request, page, limit)
