"""Subscription bodies and what the API returns (msgspec); Literals mirror the table CHECKs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from taskmaster.api.resource import patch_of
from taskmaster.api.rows import VersionedRow
from taskmaster.api.types import Name

EventType = Literal[
    "task.created",
    "task.updated",
    "task.completed",
    "task.failed",
    "task.claimed",
    "deployment.started",
    "deployment.completed",
    "deployment.failed",
]
DeliveryStatus = Literal["pending", "delivering", "delivered", "failed", "dead_letter"]
Url = Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s/?#]+", max_length=2048)]
Description = Annotated[str, msgspec.Meta(max_length=2000)]
EventTypes = Annotated[list[EventType], msgspec.Meta(max_length=8)]


class Subscription(VersionedRow):
    """A subscriber. Field order = ``subscription_columns``. The secret is never returned again
    after creation; ``secret_prefix`` identifies it."""

    id: UUID
    name: str
    url: str
    secret_prefix: str
    event_types: list[EventType]
    active: bool
    description: str | None


class SubscriptionCreated(Subscription, kw_only=True):
    """The creation answer: the only time ``secret`` (to verify X-TaskMaster-Signature) is shown."""

    secret: str


class SubscriptionWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /subscriptions``. ``event_types`` empty: every event type."""

    name: Name
    url: Url
    event_types: EventTypes = msgspec.field(default_factory=list)
    active: bool = True
    description: Description | None = None
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)


SubscriptionPatch = patch_of(SubscriptionWrite, "SubscriptionPatch")


class EventDelivery(msgspec.Struct):
    """One event's delivery to one subscriber. Field order = ``delivery_columns``."""

    id: UUID
    subscription_id: UUID
    event_id: UUID
    event_type: EventType
    aggregate_id: UUID
    sequence: int
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime


class EventMessage(msgspec.Struct):
    """The body POSTed to a subscriber."""

    id: UUID
    type: str
    aggregate_type: str
    aggregate_id: UUID
    sequence: int
    occurred_at: datetime
    data: Any
