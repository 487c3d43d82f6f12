"""Run one administrator's read-only statement, and record that it was run.

The guards, outermost first: the ``admin`` scope; :mod:`taskmaster.admin.sqlcheck` (one read
statement, no write keyword, no risky function); a ``READ ONLY`` transaction of its own (never the
request's write transaction) as ``taskmaster_readonly`` (SELECT only; row-level security hides other
keys' rows), with ``statement_timeout``; the transaction is rolled back, so nothing it could change
in the session survives. Rows are fetched through a server-side cursor up to the cap.

Every attempt — run, refused or failed — is an ``audit_logs`` row (``table_name = 'admin_query'``,
``action = 'INSERT'``, the SQL text, parameter count, outcome, row count) stamped with the key and
request id, and a ``taskmaster.admin.query`` log line.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import time
import uuid
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.pq import TransactionStatus
from psycopg.types.json import Jsonb

from taskmaster.admin.schemas import AdminQuery, QueryResult
from taskmaster.admin.sqlcheck import CURSOR_STARTS, RefusedQuery, check
from taskmaster.db.pool import ConnectionPool, PoolUnavailable
from taskmaster.errors import ApiError
from taskmaster.settings import AdminQuerySettings

logger = logging.getLogger("taskmaster.admin.query")
READ_ONLY_ROLE = "taskmaster_readonly"
_PLAIN = (str, int, float, bool, dt.datetime, dt.date, dt.time, dt.timedelta, uuid.UUID)
_AUDIT = (
    "INSERT INTO audit_logs (table_name, row_id, action, new_data, actor_key_id, request_id) "
    "VALUES ('admin_query', %(request_id)s, 'INSERT', %(data)s, %(key_id)s, %(request_id)s)"
)


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, _PLAIN):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    return str(value)


def _refusal(exc: psycopg.Error, timeout_ms: int) -> ApiError:
    if isinstance(exc, pg_errors.QueryCanceled):
        return ApiError(
            422,
            "query-timeout",
            "Query timed out",
            f"The statement ran longer than {timeout_ms} ms and was cancelled.",
        )
    message = exc.diag.message_primary if exc.diag.message_primary else str(exc).strip()
    if isinstance(exc, (pg_errors.ReadOnlySqlTransaction, pg_errors.InsufficientPrivilege)):
        return ApiError(403, "query-refused", "Query refused", message)
    return ApiError(400, "invalid-query", "Invalid query", message)


async def _execute(
    pool: ConnectionPool, sql: str, first_word: str, body: AdminQuery, timeout_ms: int, cap: int
) -> tuple[list[str], list[tuple[Any, ...]]]:
    async with pool.connection() as conn:
        try:
            await conn.execute("BEGIN READ ONLY", prepare=False)
            await conn.execute(f"SET LOCAL ROLE {READ_ONLY_ROLE}", prepare=False)
            await conn.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                (str(timeout_ms),),
                prepare=False,
            )
            params = body.params if body.params is not None else None
            if first_word in CURSOR_STARTS:
                cursor: Any = conn.cursor(name=f"admin_{uuid.uuid4().hex[:12]}")
                await cursor.execute(sql, params)
            else:
                cursor = conn.cursor()
                await cursor.execute(sql, params, prepare=False)
            columns = [c.name for c in cursor.description or ()]
            rows = await cursor.fetchmany(cap + 1) if cursor.description else []
            await cursor.close()
            return columns, rows
        finally:
            if not conn.broken and conn.info.transaction_status != TransactionStatus.IDLE:
                await conn.rollback()


async def run_query(
    pool: ConnectionPool,
    settings: AdminQuerySettings,
    key_id: str | None,
    request_id: str,
    body: AdminQuery,
) -> QueryResult:
    timeout_ms = min(body.timeout_ms or settings.timeout_ms, settings.timeout_ms)
    cap = min(body.max_rows or settings.max_rows, settings.max_rows)
    started = time.perf_counter()
    outcome, detail, result = "ok", None, None
    try:
        try:
            sql, first_word = check(body.sql)
        except RefusedQuery as exc:
            raise ApiError(
                422 if exc.code == "invalid-query" else 403, exc.code, "Query refused", exc.detail
            ) from exc
        # Its own read-only transaction on a plain pool connection (rolled back at the end).
        try:
            columns, rows = await _execute(pool, sql, first_word, body, timeout_ms, cap)
        except (pg_errors.QueryCanceled, psycopg.DatabaseError) as exc:
            if isinstance(exc, psycopg.OperationalError) and not isinstance(
                exc, pg_errors.QueryCanceled
            ):
                raise  # the database went away: 503 like any other request
            raise _refusal(exc, timeout_ms) from exc
        result = QueryResult(
            columns=columns,
            rows=[[_json_safe(v) for v in row] for row in rows[:cap]],
            row_count=min(len(rows), cap),
            truncated=len(rows) > cap,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
        )
        return result
    except ApiError as exc:
        outcome, detail = exc.code, exc.detail
        raise
    finally:
        record = {
            "sql": body.sql,
            "param_count": len(body.params or ()),
            "outcome": outcome,
            "detail": detail,
            "row_count": result.row_count if result else None,
            "truncated": result.truncated if result else None,
            "timeout_ms": timeout_ms,
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        }
        logger.info("admin query", extra={"request_id": request_id, "key_id": key_id, **record})
        try:
            async with pool.connection() as conn:
                await conn.execute(
                    _AUDIT, {"request_id": request_id, "data": Jsonb(record), "key_id": key_id}
                )
        except (psycopg.Error, PoolUnavailable):
            logger.exception("admin query not audited", extra={"request_id": request_id})
            if outcome == "ok":
                raise  # an unaudited query must not return its rows
