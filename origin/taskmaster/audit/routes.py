"""HTTP routes of the audit trail and the access log (read-only, ``admin`` scope)."""

from __future__ import annotations

from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller
from taskmaster.audit.service import ACCESS_LOGS, AUDIT_LOGS
from taskmaster.auth.scopes import ADMIN


class AuditController(
    crud_controller(
        AUDIT_LOGS,
        "/api/v1/audit-logs",
        "audit",
        name="audit_log",
        plural="audit_logs",
        ops=("list",),
        summaries={"list": "List row changes (newest first)"},
    )
):
    opt = policy(ADMIN, edge_ttl=None)


class AccessLogController(
    crud_controller(
        ACCESS_LOGS,
        "/api/v1/access-logs",
        "audit",
        name="access_log",
        plural="access_logs",
        ops=("list",),
        summaries={"list": "List API requests (newest first)"},
    )
):
    opt = policy(ADMIN, edge_ttl=None)
