"""A single-row read by id, prepared once per pool connection and run on libpq directly.

For the hottest read (``GET /tasks/{id}``, ``Table.get_json``) a psycopg cursor's ``execute``
(query conversion, parameter dumping, prepared-statement bookkeeping, result loaders) costs more
CPU than the statement's round trip: about 30-45 µs of 90-110 µs per read, measured with 32
concurrent readers. Here the id goes as 16 binary bytes to a statement prepared under a fixed name,
and the row comes back as the server's text: the caller wants the JSON as is.

The rest is as for any statement: the connection is a pool connection used by one request at a
time (its tenancy set by the checkout), failures raise psycopg's own exceptions (so the pool sees a
broken connection and ``errors.py`` maps them), and the statement is counted, timed and
slow-logged by :data:`~taskmaster.db.observe.OBSERVER`. Other connections (a caller's own) take the
ordinary cursor path.
"""

from __future__ import annotations

import time
from typing import LiteralString
from uuid import UUID

import psycopg
from psycopg import errors, pq
from psycopg.generators import execute

from taskmaster.db.observe import OBSERVER
from taskmaster.db.pool import PooledConnection, statement_cursor

UUID_OID = 2950
ID_PLACEHOLDER = "%(id)s"


class ReadById:
    """``sql`` with one ``%(id)s`` placeholder, a uuid, and one row of text columns (or none)."""

    __slots__ = ("_libpq_sql", "_name", "sql")

    def __init__(self, name: str, sql: LiteralString) -> None:
        if sql.count(ID_PLACEHOLDER) != 1 or sql.count("%") != 1:
            raise ValueError(f"{name}: exactly one {ID_PLACEHOLDER} parameter expected")
        self.sql = sql
        self._name = f"taskmaster_{name}".encode()
        self._libpq_sql = sql.replace(ID_PLACEHOLDER, "$1").encode()

    async def fetch(self, conn: psycopg.AsyncConnection, resource_id: UUID) -> list[bytes] | None:
        """The row's columns as the server's text (NULL as empty bytes), or None for no row."""
        if not isinstance(conn, PooledConnection) or not isinstance(resource_id, UUID):
            cur = await statement_cursor(conn).execute(self.sql, {"id": resource_id})
            row = await cur.fetchone()
            return None if row is None else [b"" if v is None else str(v).encode() for v in row]
        started = time.perf_counter()
        outcome = "error"
        try:
            row = await self._run(conn, resource_id)
            outcome = "ok"
            return row
        except psycopg.Error as exc:
            OBSERVER.record_error(type(exc).__name__)
            raise
        finally:
            OBSERVER.finished(conn.pool_name, outcome, self.sql, time.perf_counter() - started)

    async def _run(self, conn: PooledConnection, resource_id: UUID) -> list[bytes] | None:
        try:
            return await self._execute(conn, resource_id)
        except errors.InvalidSqlStatementName:
            # psycopg sends DEALLOCATE ALL after a ROLLBACK (its own prepared statements may refer
            # to objects the transaction dropped): ours went with it. Prepare it again.
            conn.prepared_reads.discard(self._name)
            return await self._execute(conn, resource_id)

    async def _execute(self, conn: PooledConnection, resource_id: UUID) -> list[bytes] | None:
        pgconn = conn.pgconn
        if self._name not in conn.prepared_reads:
            pgconn.send_prepare(self._name, self._libpq_sql, param_types=[UUID_OID])
            _check(conn, await conn.wait(execute(pgconn)), pq.ExecStatus.COMMAND_OK)
            conn.prepared_reads.add(self._name)
        pgconn.send_query_prepared(
            self._name, [resource_id.bytes], param_formats=[pq.Format.BINARY]
        )
        result = _check(conn, await conn.wait(execute(pgconn)), pq.ExecStatus.TUPLES_OK)
        if result.ntuples == 0:
            return None
        return [result.get_value(0, column) or b"" for column in range(result.nfields)]


def _check(
    conn: PooledConnection, results: list[pq.abc.PGresult], expected: pq.ExecStatus
) -> pq.abc.PGresult:
    result = results[-1]
    if result.status != expected:
        raise errors.error_from_result(result, encoding=conn.info.encoding)
    return result
