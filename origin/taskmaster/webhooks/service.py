"""Webhooks in: store a verified delivery (:func:`receive`), then process it asynchronously
(:func:`process_due`, called by the origin's background loop and by maintenance).

Processing claims due events (``pending``, or ``failed`` whose ``next_retry_at`` has passed) with
``FOR UPDATE SKIP LOCKED`` in one transaction, so any number of origin processes and maintenance
runs can process at once without taking the same event; each event is applied in its own
savepoint. The row lock is the claim (``processing`` is never left behind by a crash). A failed
attempt is retried after ``retry_base_s * 2**(attempt-1)`` seconds (at most ``retry_max_s``) and
dead-lettered after ``max_processing_attempts`` (from ``WEBHOOK_MAX_ATTEMPTS`` when stored).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import psycopg
from psycopg.types.json import Jsonb

from taskmaster.db.pool import ConnectionPool
from taskmaster.db.sql import load_queries
from taskmaster.errors import ApiError, bad_request
from taskmaster.settings import WebhookSettings
from taskmaster.webhooks import signatures
from taskmaster.webhooks.mapping import MAPPERS, MappingError, Outcome, skipped
from taskmaster.webhooks.schemas import StoredEvent, WebhookReceipt

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))
logger = logging.getLogger("taskmaster.webhooks")

# Headers kept with the event (never a secret; the signature has its own column).
KEPT_HEADERS = (
    "content-type",
    "user-agent",
    "x-github-event",
    "x-github-delivery",
    "x-github-hook-id",
    "x-github-hook-installation-target-id",
    "x-github-hook-installation-target-type",
    "linear-delivery",
    "linear-event",
)
MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class Delivery:
    """A verified delivery, ready to store."""

    provider: str
    delivery_id: str
    event_type: str
    action: str | None
    payload: Any
    headers: dict[str, str]
    signature: str


def _payload(body: bytes) -> dict[str, Any]:
    try:
        payload = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise bad_request("malformed-body", f"The body is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise bad_request("malformed-body", "The body must be a JSON object.")
    return payload


def _kept(headers: Any) -> dict[str, str]:
    return {name: headers[name] for name in KEPT_HEADERS if headers.get(name) is not None}


def _bounded(value: Any, name: str, limit: int) -> str:
    text = str(value or "").strip()
    if not text or len(text) > limit:
        raise bad_request("invalid-webhook", f"{name} is missing or longer than {limit} chars.")
    return text


def github_delivery(secret: str, headers: Any, body: bytes) -> Delivery:
    signature = headers.get("x-hub-signature-256")
    signatures.verify_github(secret, signature, body)
    payload = _payload(body)
    action = payload.get("action")
    return Delivery(
        provider="github",
        delivery_id=_bounded(headers.get("x-github-delivery"), "X-GitHub-Delivery", 200),
        event_type=_bounded(headers.get("x-github-event"), "X-GitHub-Event", 100),
        action=str(action)[:100] if action is not None else None,
        payload=payload,
        headers=_kept(headers),
        signature=signature,
    )


def linear_delivery(secret: str, headers: Any, body: bytes) -> Delivery:
    signature = headers.get("linear-signature")
    signatures.verify_linear(secret, signature, body)
    payload = _payload(body)
    delivery_id = headers.get("linear-delivery")
    if not delivery_id and payload.get("webhookId") and payload.get("webhookTimestamp"):
        delivery_id = f"{payload['webhookId']}:{payload['webhookTimestamp']}"
    action = payload.get("action")
    return Delivery(
        provider="linear",
        delivery_id=_bounded(delivery_id, "Linear-Delivery (or webhookId+webhookTimestamp)", 200),
        event_type=_bounded(payload.get("type") or headers.get("linear-event"), "type", 100),
        action=str(action)[:100] if action is not None else None,
        payload=payload,
        headers=_kept(headers),
        signature=signature,
    )


async def receive(pool: ConnectionPool, delivery: Delivery, max_attempts: int) -> WebhookReceipt:
    """Store a verified delivery as ``pending``; a redelivery returns the original event."""
    params = {
        "provider": delivery.provider,
        "delivery_id": delivery.delivery_id,
        "event_type": delivery.event_type,
        "action": delivery.action,
        "payload": Jsonb(delivery.payload),
        "headers": Jsonb(delivery.headers),
        "signature": delivery.signature,
        "max_attempts": max_attempts,
    }
    async with pool.connection() as conn:
        row = await (await conn.execute(QUERIES["insert_event"], params)).fetchone()
        duplicate = row is None
        if duplicate:
            row = await (await conn.execute(QUERIES["get_event_by_delivery"], params)).fetchone()
    if row is None:  # stored and deleted between the two statements (retention): store again
        raise ApiError(409, "conflict", "Conflict", "The delivery is being processed; retry.")
    return WebhookReceipt(
        id=row[0],
        provider=delivery.provider,
        delivery_id=delivery.delivery_id,
        status=row[1],
        duplicate=duplicate,
    )


def retry_delay(attempts_before: int, settings: WebhookSettings) -> float:
    """Seconds before the next attempt, after ``attempts_before + 1`` failed attempts."""
    return min(settings.retry_max_s, settings.retry_base_s * 2 ** min(attempts_before, 30))


async def _apply(conn: Any, event: StoredEvent) -> Outcome:
    mapper = MAPPERS.get((event.provider, event.event_type))
    if mapper is None:
        return skipped(f"{event.provider} event {event.event_type!r} is not mapped")
    await conn.execute(
        QUERIES["set_audit_request_id"],
        {"request_id": f"webhook:{event.provider}:{event.delivery_id}"[:200]},
    )
    return await mapper(conn, event)


async def process_due(
    pool: ConnectionPool, settings: WebhookSettings | None = None, *, limit: int = 50
) -> int:
    """Process up to ``limit`` due webhook events; returns how many were attempted (0: none due).

    Safe to run concurrently (from several processes, or a maintenance job beside the origin's
    background loop)."""
    settings = settings or WebhookSettings()
    async with pool.connection() as conn, conn.transaction():
        cur = await conn.execute(QUERIES["claim_due_events"], {"limit": limit})
        events = [StoredEvent(*row) for row in await cur.fetchall()]
        for event in events:
            try:
                async with conn.transaction():  # a savepoint: a failed mapping undoes only itself
                    outcome = await _apply(conn, event)
            except (MappingError, psycopg.Error, KeyError, TypeError, ValueError) as exc:
                delay = retry_delay(event.processing_attempts, settings)
                error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
                cur = await conn.execute(
                    QUERIES["fail_event"], {"id": event.id, "delay_s": delay, "error": error}
                )
                status = (await cur.fetchone() or ("?",))[0]
                logger.warning(
                    "webhook %s %s attempt %d failed (%s): %s",
                    event.provider,
                    event.delivery_id,
                    event.processing_attempts + 1,
                    status,
                    error,
                )
                continue
            await conn.execute(
                QUERIES["finish_event"],
                {
                    "id": event.id,
                    "status": outcome.status,
                    "task_id": outcome.task_id,
                    "pull_request_id": outcome.pull_request_id,
                    "metadata": Jsonb(outcome.note),
                },
            )
    return len(events)


async def drain(pool: ConnectionPool, settings: WebhookSettings | None = None) -> int:
    """Process until nothing is due (maintenance); returns how many events were attempted."""
    total = 0
    while (count := await process_due(pool, settings)) > 0:
        total += count
    return total
