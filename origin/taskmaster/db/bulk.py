"""Bulk writes with COPY: all rows in one transaction, or none.

The rows are validated before they get here (msgspec); COPY is binary with the column types
declared up front, so psycopg's C dumpers format each row without text escaping. When the driver
or the server still refuses a row, :class:`RowRefused` says which one (0-based), taken from the
row being written or from the server's ``COPY <table>, line N`` error context.

To bulk-load another append-only table: write its ``COPY … FROM STDIN (FORMAT BINARY)`` as a
named query and call :func:`copy_rows` with the column types and a row generator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, LiteralString

import psycopg

from taskmaster.db.table import Db, transaction
from taskmaster.errors import ApiError, FieldError

_COPY_LINE = re.compile(r"COPY \w+, line (\d+)")


class RowRefused(Exception):
    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message

    def problem(self, field: str) -> ApiError:
        """The 422 for a batch body whose list ``field`` holds the refused row (nothing written)."""
        where = f"{field}[{self.index}]"
        return ApiError(
            422,
            "invalid-batch-item",
            "Unprocessable content",
            f"{where} is invalid: {self.message}; nothing was written.",
            errors=[FieldError(field=where, message=self.message)],
        )


async def copy_rows(
    db: Db,
    statement: LiteralString,
    types: Sequence[str],
    rows: Callable[[datetime], Iterable[tuple[Any, ...]]],
    field: str,
) -> int:
    """COPY ``rows(now)`` (``now``: the transaction's timestamp, for rows that carry none); the
    number of rows written, or a 422 naming the refused item of the body's list ``field``."""
    index = 0
    try:
        async with transaction(db) as conn:
            cur = await conn.execute("SELECT now()")
            (now,) = await cur.fetchone()  # type: ignore[misc]
            async with conn.cursor().copy(statement) as copy:
                copy.set_types(types)
                write_row = copy.write_row
                for index, row in enumerate(rows(now)):  # noqa: B007 - index names a bad row
                    await write_row(row)
    except (psycopg.DataError, psycopg.IntegrityError) as exc:
        diag = getattr(exc, "diag", None)
        found = _COPY_LINE.search(diag.context or "") if diag is not None else None
        message = (diag.message_primary if diag is not None else None) or str(exc)
        refused = RowRefused(int(found[1]) - 1 if found else index, message)
        raise refused.problem(field) from exc
    return index + 1
