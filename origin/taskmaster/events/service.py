"""Subscriptions (CRUD over :data:`SUBSCRIPTIONS`) and delivery (:func:`deliver_due`).

Delivery, at least once and in order per aggregate (task or deployment) and subscriber:

0. dispatch: read the event log after the stored cursor (``dispatch_event_log``: one process at
   a time; docs/stream.md "Ids" for why what it reads is gap-free) into ``outbound_events`` and
   one ``event_deliveries`` row per matching active subscription;
1. claim due deliveries in one statement (``claim_due_deliveries``): ``delivering`` with a lease,
   skipping rows other workers hold and any delivery whose predecessor for the same subscriber and
   aggregate is not yet delivered (or dead-lettered);
2. POST each, signed (``X-TaskMaster-Signature: sha256=hex(HMAC(secret, timestamp + "." + body))``),
   with a short timeout and no redirects; 2xx is success;
3. record the outcome: ``delivered``, or ``failed`` with ``next_attempt_at`` backed off
   exponentially, or ``dead_letter`` after ``EVENTS_MAX_ATTEMPTS`` (which releases the next event).

A worker that dies mid-delivery leaves its claim to expire (the lease), so the event is sent again:
subscribers must treat ``X-TaskMaster-Event-Id`` as an idempotency key.

SSRF: only http(s) URLs; unless ``EVENTS_ALLOW_PRIVATE_TARGETS`` (default on in development only),
targets whose host is or resolves to a loopback, private, link-local, multicast, reserved or
unspecified address are refused at registration and again before every delivery.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import logging
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import httpx
import msgspec
from cryptography.fernet import Fernet, MultiFernet

from taskmaster.db.pool import ConnectionPool
from taskmaster.db.sql import load_queries
from taskmaster.db.table import Db, Filter, Table, body_params, writing
from taskmaster.errors import ApiError, FieldError
from taskmaster.events.schemas import (
    DeliveryStatus,
    EventDelivery,
    EventMessage,
    EventType,
    Subscription,
    SubscriptionCreated,
    SubscriptionPatch,
    SubscriptionWrite,
)
from taskmaster.settings import EventSettings, Settings

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))
logger = logging.getLogger("taskmaster.events")

SIGNATURE_HEADER = "X-TaskMaster-Signature"
TIMESTAMP_HEADER = "X-TaskMaster-Timestamp"
EVENT_ID_HEADER = "X-TaskMaster-Event-Id"
USER_AGENT = "TaskMaster-Events/1.0"
SECRET_PREFIX = "tms_"  # noqa: S105 - a display prefix, not a secret
MAX_ERROR_LENGTH = 2000
DISPATCH_BATCH = 1000

SUBSCRIPTIONS: Table[Subscription] = Table(
    name="event_subscriptions",
    label="subscription",
    struct=Subscription,
    write=SubscriptionWrite,
    columns=QUERIES["fragment:subscription_columns"],
    sorts=("created_at", "name", "id"),
    filters={"active": Filter("active = %(active)s", bool | None)},
    # The INSERT also stores the encrypted secret, its prefix and the creating key.
    insert_sql=QUERIES["insert_subscription"],
    jsonb=frozenset({"metadata"}),
)

DELIVERIES: Table[EventDelivery] = Table(
    name="event_deliveries",
    label="delivery",
    struct=EventDelivery,
    columns=QUERIES["fragment:delivery_columns"],
    sorts=("created_at", "id"),
    filters={
        "status": Filter("status = ANY(%(status)s)", list[DeliveryStatus] | None),
        "event_type": Filter("event_type = ANY(%(event_type)s)", list[EventType] | None),
        "aggregate_id": Filter("aggregate_id = %(aggregate_id)s", UUID | None),
    },
    scope="subscription_id = %(subscription_id)s",
    parent=SUBSCRIPTIONS,
)


# ---- secrets ----------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _cipher(keys: str) -> MultiFernet:
    """``TASKMASTER_CONFIG_KEY``: comma-separated Fernet keys, the first encrypts."""
    return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])


def encrypt_secret(config_key: str, secret: str) -> bytes:
    return _cipher(config_key).encrypt(secret.encode())


def decrypt_secret(config_key: str, token: bytes) -> str:
    return _cipher(config_key).decrypt(bytes(token)).decode()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-TaskMaster-Signature`` value a subscriber recomputes to verify a delivery."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


# ---- SSRF guard ---------------------------------------------------------------------------------


class TargetRefused(Exception):
    pass


def _address_refused(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


async def check_target(url: str, allow_private: bool) -> None:
    """Raise :class:`TargetRefused` for a URL the origin must not POST to."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("only http(s) URLs with a host are accepted")
    if allow_private:
        return
    host = parts.hostname
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, parts.port or (443 if parts.scheme == "https" else 80),
                type=socket.SOCK_STREAM,
            )  # fmt: skip
        except OSError as exc:
            raise TargetRefused(f"{host} does not resolve") from exc
        addresses = [str(info[4][0]) for info in infos]
    refused = [a for a in addresses if _address_refused(a)]
    if refused:
        raise TargetRefused(f"{host} resolves to a non-public address ({refused[0]})")


async def _validated_url(url: str, settings: EventSettings) -> None:
    try:
        await check_target(url, settings.allow_private_targets)
    except TargetRefused as exc:
        raise ApiError(
            422,
            "target-refused",
            "Unprocessable content",
            f"The subscription URL is not allowed: {exc}.",
            errors=[FieldError(field="url", message=str(exc))],
        ) from exc


# ---- subscriptions ------------------------------------------------------------------------------


async def create_subscription(
    db: Db, settings: Settings, body: SubscriptionWrite, actor_key_id: str | None
) -> SubscriptionCreated:
    await _validated_url(body.url, settings.events)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    params = body_params(body, SUBSCRIPTIONS.jsonb) | {
        "secret_encrypted": encrypt_secret(settings.config_key, secret),
        "secret_prefix": secret[:12],
        "created_by_key_id": actor_key_id or None,
    }
    created = await SUBSCRIPTIONS.insert(db, QUERIES["insert_subscription"], params)
    return SubscriptionCreated(**msgspec.structs.asdict(created), secret=secret)


async def patch_subscription(
    db: Db,
    settings: Settings,
    subscription_id: UUID,
    body: SubscriptionPatch,
    if_version: int | None,
) -> Subscription:
    if isinstance(body.url, str):
        await _validated_url(body.url, settings.events)
    return await SUBSCRIPTIONS.patch(db, subscription_id, body, if_version)


# ---- delivery -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claimed:
    id: UUID
    attempts: int
    subscription_id: UUID
    url: str
    secret_encrypted: bytes
    event_id: UUID
    event_type: str
    aggregate_type: str
    aggregate_id: UUID
    sequence: int
    payload: Any
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Attempt:
    ok: bool
    status_code: int | None
    error: str | None


def retry_delay(attempts: int, settings: EventSettings) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones (exponential, capped)."""
    return min(settings.retry_max_s, settings.retry_base_s * 2 ** min(max(attempts - 1, 0), 30))


def message_body(claimed: Claimed) -> bytes:
    return msgspec.json.encode(
        EventMessage(
            id=claimed.event_id,
            type=claimed.event_type,
            aggregate_type=claimed.aggregate_type,
            aggregate_id=claimed.aggregate_id,
            sequence=claimed.sequence,
            occurred_at=claimed.created_at,
            data=claimed.payload,
        )
    )


async def _send(http: httpx.AsyncClient, claimed: Claimed, settings: Settings) -> Attempt:
    try:
        await check_target(claimed.url, settings.events.allow_private_targets)
        secret = decrypt_secret(settings.config_key, claimed.secret_encrypted)
    except TargetRefused as exc:
        return Attempt(False, None, f"target refused: {exc}")
    except Exception as exc:  # a secret no configured key decrypts
        return Attempt(
            False, None, f"cannot decrypt the subscription secret ({type(exc).__name__})"
        )
    body = message_body(claimed)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_ID_HEADER: str(claimed.event_id),
        "X-TaskMaster-Event-Type": claimed.event_type,
        "X-TaskMaster-Delivery-Id": str(claimed.id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    try:
        response = await http.post(claimed.url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return Attempt(False, None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH])
    if 200 <= response.status_code < 300:
        return Attempt(True, response.status_code, None)
    return Attempt(False, response.status_code, f"HTTP {response.status_code}")


async def _record(
    pool: ConnectionPool, claimed: Claimed, attempt: Attempt, settings: EventSettings
) -> None:
    async with writing(pool) as conn:
        if attempt.ok:
            await conn.execute(
                QUERIES["delivery_succeeded"],
                {
                    "id": claimed.id,
                    "attempts": claimed.attempts,
                    "status_code": attempt.status_code,
                },
            )
            return
        cur = await conn.execute(
            QUERIES["delivery_failed"],
            {
                "id": claimed.id,
                "attempts": claimed.attempts,
                "max_attempts": settings.max_attempts,
                "delay_s": retry_delay(claimed.attempts, settings),
                "status_code": attempt.status_code,
                "error": (attempt.error or "")[:MAX_ERROR_LENGTH],
            },
        )
        row = await cur.fetchone()
    logger.warning(
        "event %s to subscription %s attempt %d: %s (%s)",
        claimed.event_id,
        claimed.subscription_id,
        claimed.attempts,
        attempt.error,
        row[0] if row else "claim lost",
    )


async def deliver_due(
    pool: ConnectionPool,
    settings: Settings,
    *,
    limit: int = 50,
    http: httpx.AsyncClient | None = None,
) -> int:
    """Dispatch new event-log events, then deliver up to ``limit`` due ones (concurrently: at
    most one per subscriber and task); returns how many events were dispatched plus deliveries
    attempted (0: nothing to do). Safe to run concurrently."""
    events = settings.events
    lease_s = events.http_timeout_s * 2 + 30
    async with writing(pool) as conn:
        cur = await conn.execute(QUERIES["dispatch_event_log"], {"batch": DISPATCH_BATCH})
        row = await cur.fetchone()
        dispatched = int(row[0]) if row else 0
        cur = await conn.execute(
            QUERIES["claim_due_deliveries"], {"limit": limit, "lease_s": lease_s}
        )
        claimed = [Claimed(*row) for row in await cur.fetchall()]
    if not claimed:
        return dispatched
    own = http is None
    client = http or httpx.AsyncClient(
        timeout=httpx.Timeout(events.http_timeout_s), follow_redirects=False, trust_env=False
    )
    try:

        async def one(item: Claimed) -> None:
            await _record(pool, item, await _send(client, item, settings), events)

        await asyncio.gather(*(one(item) for item in claimed))
    finally:
        if own:
            await client.aclose()
    return dispatched + len(claimed)


async def drain(pool: ConnectionPool, settings: Settings) -> int:
    """Deliver until nothing is due now (maintenance); returns how many attempts were made."""
    total = 0
    while (count := await deliver_due(pool, settings)) > 0:
        total += count
    return total
