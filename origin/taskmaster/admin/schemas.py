"""Admin query bodies (msgspec)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec


class AdminQuery(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One read statement. With ``params``, write ``%s`` placeholders (and ``%%`` for a literal %)."""

    sql: Annotated[str, msgspec.Meta(min_length=1, max_length=100_000)]
    params: Annotated[list[Any], msgspec.Meta(max_length=100)] | None = None
    timeout_ms: Annotated[int, msgspec.Meta(ge=1)] | None = None
    """Statement timeout; capped by ADMIN_QUERY_TIMEOUT_MS."""
    max_rows: Annotated[int, msgspec.Meta(ge=1)] | None = None
    """Row cap; capped by ADMIN_QUERY_MAX_ROWS."""


class QueryResult(msgspec.Struct):
    columns: list[str]
    rows: list[list[Any]]
    row_count: int
    truncated: bool
    """More rows than ``max_rows`` existed; only the first ``max_rows`` are here."""
    duration_ms: float
