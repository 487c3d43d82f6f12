"""HTTP routes of the audit trail and the access log (read-only, ``admin`` scope)."""

from __future__ import annotations

from typing import Any

from litestar import Controller

from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller
from taskmaster.audit.service import ACCESS_LOGS, AUDIT_LOGS
from taskmaster.auth.scopes import ADMIN
from taskmaster.db.table import Table


def _log_controller(table: Table[Any], path: str, name: str, summary: str) -> type[Controller]:
    """The list route of one admin log: ``admin`` scope, never in a shared cache."""

    class LogController(
        crud_controller(
            table, path, "audit", name=name, plural=f"{name}s", ops=("list",),
            summaries={"list": summary},
        )
    ):  # fmt: skip
        opt = policy(ADMIN, edge_ttl=None)

    return LogController


AuditController = _log_controller(
    AUDIT_LOGS, "/api/v1/audit-logs", "audit_log", "List row changes (newest first)"
)
AccessLogController = _log_controller(
    ACCESS_LOGS, "/api/v1/access-logs", "access_log", "List API requests (newest first)"
)
