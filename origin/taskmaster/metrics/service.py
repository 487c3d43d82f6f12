"""Metric ingestion (one binary COPY per batch, all or nothing) and series aggregation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from psycopg.types.json import Jsonb

from taskmaster.db.bulk import copy_rows
from taskmaster.db.sql import load_queries
from taskmaster.db.table import Db, reading
from taskmaster.errors import bad_request
from taskmaster.metrics.schemas import (
    BUCKETS,
    MAX_BUCKETS,
    Bucket,
    MetricBatch,
    Series,
    SeriesPoint,
)

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))
_COPY_TYPES = ["text", "text", "float8", "text", "jsonb", "text", "timestamptz"]


async def write_batch(db: Db, batch: MetricBatch) -> int:
    encode = msgspec.json.encode

    def rows(now: datetime) -> Iterator[tuple[Any, ...]]:
        for m in batch.metrics:
            yield (
                m.name, m.category, m.value, m.unit, Jsonb(m.labels, encode),
                m.aggregation_period, m.recorded_at or now,
            )  # fmt: skip

    await copy_rows(db, QUERIES["copy_metrics"], _COPY_TYPES, rows, "metrics")
    return len(batch.metrics)


def _aware(moment: datetime) -> datetime:
    """Query times without an offset are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def series(db: Db, name: str, start: datetime, end: datetime, bucket: Bucket) -> Series:
    """Aggregates per bucket; 400 when the range is empty or spans more than MAX_BUCKETS."""
    width = BUCKETS[bucket]
    start, end = _aware(start), _aware(end)
    if end <= start:
        raise bad_request("invalid-range", "'to' must be later than 'from'.")
    if (end - start) / width > MAX_BUCKETS:
        raise bad_request(
            "range-too-large",
            f"The range spans more than {MAX_BUCKETS} buckets of {bucket}; "
            "narrow it or use a wider bucket.",
        )
    params = {"name": name, "start": start, "end": end, "bucket": width}
    async with reading(db) as conn:
        cur = await conn.execute(QUERIES["metric_series"], params)
        rows = await cur.fetchall()
    return Series(name, bucket, start, end, [SeriesPoint(*row) for row in rows])
