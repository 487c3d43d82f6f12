"""What a webhook receiver answers, and a stored event as the processor reads it."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

import msgspec

WebhookStatus = Literal["pending", "processing", "processed", "failed", "skipped", "dead_letter"]


class WebhookReceipt(msgspec.Struct):
    """``id`` of the stored event (the original one for a redelivery), its status now, and
    whether this delivery was a duplicate (200) or newly stored (202)."""

    id: UUID
    provider: str
    delivery_id: str
    status: WebhookStatus
    duplicate: bool


class StoredEvent(msgspec.Struct):
    """A claimed event. Field order = ``claim_due_events``."""

    id: UUID
    provider: str
    delivery_id: str
    event_type: str
    action: str | None
    payload: Any
    processing_attempts: int
    max_processing_attempts: int
