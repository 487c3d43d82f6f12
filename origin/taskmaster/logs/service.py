"""Log data access. Single entries are one INSERT; a batch is validated whole by msgspec before
anything is written, then sent with one COPY in one transaction, so it lands entirely or not at all.

The batch loop is the hot path (≥ 50,000 rows/s): per entry it only builds a tuple
(:func:`taskmaster.db.bulk.copy_rows` does the binary COPY); ``context`` is encoded by msgspec.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
from psycopg.types.json import Jsonb

from taskmaster.api.listing import Table
from taskmaster.api.pagination import SortField
from taskmaster.db.bulk import RowRefused, copy_rows
from taskmaster.db.pool import ConnectionPool
from taskmaster.db.sql import load_queries
from taskmaster.logs.schemas import LogBatch, LogEntry

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))
# The types of copy_logs' columns, in order.
_COPY_TYPES = ["text"] * 5 + ["uuid"] * 3 + ["jsonb", "timestamptz"]

LOGS: Table[LogEntry] = Table(
    name="logs",
    label="log entry",
    struct=LogEntry,
    columns=QUERIES["fragment:log_columns"],
    sort_fields={
        "created_at": SortField("created_at", "timestamptz"),
        "id": SortField("id", "bigint"),
    },
    default_sort="-created_at",
    filters={
        "level": "level = ANY(%(level)s)",
        "source": "source = %(source)s",
        "component": "component = %(component)s",
        "correlation_id": "correlation_id = %(correlation_id)s",
        "task_id": "task_id = %(task_id)s",
        "workflow_id": "workflow_id = %(workflow_id)s",
        "integration_id": "integration_id = %(integration_id)s",
        "from": "created_at >= %(from)s",
        "to": "created_at < %(to)s",
    },
    queries=QUERIES,
    key="log",
    jsonb=frozenset({"context"}),
)


async def write_batch(pool: ConnectionPool, batch: LogBatch) -> int:
    """COPY every entry of an already validated batch; 422 naming the first entry the database
    (or the driver) refuses, with the whole batch rolled back."""
    encode = msgspec.json.encode

    def rows(now: datetime) -> Iterator[tuple[Any, ...]]:
        for e in batch.entries:
            yield (
                e.level, e.message, e.source, e.component, e.correlation_id,
                e.task_id, e.workflow_id, e.integration_id,
                Jsonb(e.context, encode), e.created_at or now,
            )  # fmt: skip

    try:
        await copy_rows(pool, QUERIES["copy_logs"], _COPY_TYPES, rows)
    except RowRefused as exc:
        raise exc.problem("entries") from exc
    return len(batch.entries)
