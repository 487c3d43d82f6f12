"""The audit and access trails: keyset lists (newest first) with allow-listed filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from taskmaster.api.listing import Listed, Table, transaction
from taskmaster.api.pagination import CursorCodec, SortField
from taskmaster.audit.schemas import AccessEntry, AuditEntry
from taskmaster.db.pool import ConnectionPool
from taskmaster.db.sql import load_queries

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

_NEWEST_FIRST: dict[str, SortField] = {
    "created_at": SortField("created_at", "timestamptz"),
    "id": SortField("id", "bigint"),
}
_TIME_RANGE = {"from": "created_at >= %(from)s", "to": "created_at < %(to)s"}

AUDIT_LOGS: Table[AuditEntry] = Table(
    name="audit_logs",
    label="audit entry",
    struct=AuditEntry,
    columns=QUERIES["fragment:audit_columns"],
    sort_fields=_NEWEST_FIRST,
    default_sort="-created_at",
    filters={
        "table_name": "table_name = %(table_name)s",
        "row_id": "row_id = %(row_id)s",
        "action": "action = ANY(%(action)s)",
        "actor_key_id": "actor_key_id = %(actor_key_id)s",
        "request_id": "request_id = %(request_id)s",
        **_TIME_RANGE,
    },
)

ACCESS_LOGS: Table[AccessEntry] = Table(
    name="api_access_logs",
    label="access entry",
    struct=AccessEntry,
    columns=QUERIES["fragment:access_columns"],
    sort_fields=_NEWEST_FIRST,
    default_sort="-created_at",
    filters={
        "api_key_id": "api_key_id = %(api_key_id)s",
        "request_id": "request_id = %(request_id)s",
        "method": "method = ANY(%(method)s)",
        "path": "path = %(path)s",
        "status_code": "status_code = ANY(%(status_code)s)",
        "status_gte": "status_code >= %(status_gte)s",
        "status_lte": "status_code <= %(status_lte)s",
        **_TIME_RANGE,
    },
)


async def access_page(
    pool: ConnectionPool,
    codec: CursorCodec,
    filters: dict[str, Any],
    sort: str | None,
    cursor: str | None,
    limit: int,
) -> Listed[AccessEntry]:
    """One page of the access trail, read with every key's rows visible (see see_every_key)."""
    async with transaction(pool) as conn:
        await conn.execute(QUERIES["see_every_key"])
        return await ACCESS_LOGS.page(conn, codec, filters, sort, cursor, limit)
