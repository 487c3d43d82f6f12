"""Analytics response bodies. Counts keyed by an enumeration list every value (0 when absent)."""

from __future__ import annotations

import msgspec


class EstimateAccuracy(msgspec.Struct):
    """Over tasks with estimated_hours > 0 and actual_hours recorded (``tasks``)."""

    tasks: int
    mean_actual_to_estimate_ratio: float | None  # > 1: work took longer than estimated
    mean_absolute_percentage_error: float | None  # mean of |actual - estimate| / estimate
    accuracy: float | None  # max(0, 1 - mean_absolute_percentage_error)
    estimated_hours_total: float
    actual_hours_total: float


class TaskAnalytics(msgspec.Struct):
    total: int
    by_status: dict[str, int]
    avg_complexity: float | None
    estimates: EstimateAccuracy


class ValidationAnalytics(msgspec.Struct):
    total: int
    by_status: dict[str, int]
    by_type: dict[str, int]
    avg_score: float | None
    avg_execution_time_ms: float | None
    pass_rate: float | None  # passed / (passed + failed + warning + error)


class ErrorCodeCount(msgspec.Struct):
    error_code: str
    errors: int  # distinct error rows
    occurrences: int  # sum of their occurrence_count


class ErrorAnalytics(msgspec.Struct):
    total: int
    unresolved: int
    occurrences: int
    by_severity: dict[str, int]
    by_type: dict[str, int]
    top_codes: list[ErrorCodeCount]  # the 10 codes seen most often
