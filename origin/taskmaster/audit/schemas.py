"""Audit and access log entries as the API returns them (read-only; nothing is written here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

Action = Literal["INSERT", "UPDATE", "DELETE"]
Method = Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class AuditEntry(msgspec.Struct):
    """One row change. Field order = ``audit_columns`` in queries.sql. Secret columns (key hashes,
    encrypted values) are left out of old_data/new_data by the audit trigger."""

    id: int
    table_name: str
    row_id: str | None
    action: Action
    old_data: dict[str, Any] | None
    new_data: dict[str, Any] | None
    actor_key_id: UUID | None
    request_id: str | None
    created_at: datetime


class AccessEntry(msgspec.Struct):
    """One API request. Field order = ``access_columns`` in queries.sql."""

    id: int
    api_key_id: UUID | None
    request_id: str | None
    method: Method
    path: str
    status_code: int
    duration_ms: int | None
    client_ip: str | None
    user_agent: str | None
    created_at: datetime
