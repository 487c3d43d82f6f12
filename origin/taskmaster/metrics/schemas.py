"""Metric bodies (msgspec); Literals and patterns mirror the ``system_metrics`` CHECKs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import msgspec

from taskmaster.api.types import Timestamp

Category = Literal[
    "database", "api", "task_processing", "deployment", "error_rate", "performance", "security",
    "resource_usage", "business",
]  # fmt: skip
Period = Literal["instant", "minute", "hour", "day"]
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.:-]{0,199}$"
MetricName = Annotated[str, msgspec.Meta(pattern=NAME_PATTERN)]
# Finite and small enough that sums over a series can never overflow double precision.
Value = Annotated[float, msgspec.Meta(ge=-1e100, le=1e100)]
MAX_BATCH = 10_000

Bucket = Literal["1m", "5m", "15m", "1h", "1d"]
BUCKETS: dict[str, timedelta] = {
    "1m": timedelta(minutes=1),
    "5m": timedelta(minutes=5),
    "15m": timedelta(minutes=15),
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
}
MAX_BUCKETS = 10_000  # points one series request may span


class MetricWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One measurement; ``recorded_at`` (with a time zone) defaults to the time of the write."""

    name: MetricName
    value: Value
    category: Category = "performance"
    unit: Annotated[str, msgspec.Meta(max_length=30)] | None = None
    labels: dict[str, Any] = msgspec.field(default_factory=dict)
    aggregation_period: Period = "instant"
    recorded_at: Timestamp | None = None


class MetricBatch(msgspec.Struct, forbid_unknown_fields=True):
    """Body of ``POST /metrics``: all measurements are written, or none."""

    metrics: Annotated[list[MetricWrite], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]


class MetricBatchResult(msgspec.Struct):
    accepted: int


class SeriesPoint(msgspec.Struct):
    """The measurements of one bucket ``[bucket_start, bucket_start + bucket)``."""

    bucket_start: datetime
    count: int
    avg: float
    min: float
    max: float
    sum: float


class Series(msgspec.Struct):
    """A metric's buckets in time order; buckets without measurements are left out. Buckets are
    aligned to UTC (``date_bin`` from 2000-01-01T00:00:00Z)."""

    name: str
    bucket: Bucket
    start: datetime
    end: datetime
    points: list[SeriesPoint]
