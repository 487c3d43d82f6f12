"""Log data access. Single entries are one INSERT; a batch is validated whole by msgspec before
anything is written, then sent with one COPY in one transaction, so it lands entirely or not at all.

The batch loop is the hot path (≥ 50,000 rows/s): per entry it only builds a tuple
(:func:`taskmaster.db.bulk.copy_rows` does the binary COPY); ``context`` is encoded by msgspec.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar.params import QueryParameter
from psycopg.types.json import Jsonb

from taskmaster.api.params import From, To
from taskmaster.db.bulk import copy_rows
from taskmaster.db.sql import load_queries
from taskmaster.db.table import Db, Filter, Table
from taskmaster.logs.schemas import Level, LogBatch, LogEntry, LogWrite

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))
# The types of copy_logs' columns, in order.
_COPY_TYPES = ["text"] * 5 + ["uuid"] * 3 + ["jsonb", "timestamptz"]
Text100 = Annotated[str | None, QueryParameter(max_length=100)]
Text200 = Annotated[str | None, QueryParameter(max_length=200)]

LOGS: Table[LogEntry] = Table(
    name="logs",
    label="log entry",
    struct=LogEntry,
    write=LogWrite,
    sorts=("created_at", "id"),
    default_sort="-created_at",
    filters={
        "level": Filter("level = ANY(%(level)s)", list[Level] | None),
        "source": Filter("source = %(source)s", Text100),
        "component": Filter("component = %(component)s", Text100),
        "correlation_id": Filter("correlation_id = %(correlation_id)s", Text200),
        "task_id": Filter("task_id = %(task_id)s", UUID | None),
        "workflow_id": Filter("workflow_id = %(workflow_id)s", UUID | None),
        "integration_id": Filter("integration_id = %(integration_id)s", UUID | None),
        "from": Filter("created_at >= %(from)s", From),
        "to": Filter("created_at < %(to)s", To),
    },
    # created_at defaults to the time of the write when the entry carries none.
    insert_sql=QUERIES["insert_log"],
    jsonb=frozenset({"context"}),
)


async def write_batch(db: Db, batch: LogBatch) -> int:
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

    await copy_rows(db, QUERIES["copy_logs"], _COPY_TYPES, rows, "entries")
    return len(batch.entries)
