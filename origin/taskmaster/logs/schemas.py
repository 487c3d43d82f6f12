"""Log bodies (msgspec); Literals and lengths mirror the ``logs`` CHECKs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from taskmaster.api.types import Message, Timestamp

Level = Literal["debug", "info", "warn", "error", "fatal"]
Label = Annotated[str, msgspec.Meta(max_length=100)]
CorrelationId = Annotated[str, msgspec.Meta(max_length=200)]
MAX_BATCH = 10_000


class LogEntry(msgspec.Struct):
    """A log entry as the API returns it. Field order = ``log_columns`` in queries.sql."""

    id: int
    level: Level
    message: str
    source: str | None
    component: str | None
    correlation_id: str | None
    task_id: UUID | None
    workflow_id: UUID | None
    integration_id: UUID | None
    context: dict[str, Any]
    created_at: datetime


class LogWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One entry to record. ``created_at`` (with a time zone) defaults to the time of the write;
    ``task_id``/``workflow_id``/``integration_id`` are soft references (not checked)."""

    level: Level
    message: Message
    source: Label | None = None
    component: Label | None = None
    correlation_id: CorrelationId | None = None
    task_id: UUID | None = None
    workflow_id: UUID | None = None
    integration_id: UUID | None = None
    context: dict[str, Any] = msgspec.field(default_factory=dict)
    created_at: Timestamp | None = None


class LogBatch(msgspec.Struct, forbid_unknown_fields=True):
    """Body of ``POST /logs/batch``: all entries are written, or none."""

    entries: Annotated[list[LogWrite], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]


class LogBatchResult(msgspec.Struct):
    accepted: int
