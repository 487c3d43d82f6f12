"""Key lifecycle rules and data access. Used by the HTTP routes and by ``taskmaster keys`` alike.

Every write runs in one transaction that first sets the acting identity
(``app.current_key_id``/``app.is_admin``/``app.request_id``, transaction-local): RLS on api_keys
reads it, and the audit trigger on api_keys stamps it on the audit row of the change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection, sql
from psycopg.types.json import Jsonb

from taskmaster.api.pagination import (
    CursorCodec,
    SortField,
    SortKey,
    keyset_clause,
    order_by_clause,
)
from taskmaster.db.pool import ConnectionPool
from taskmaster.db.sql import load_queries
from taskmaster.db.table import Db, transaction
from taskmaster.errors import ApiError, not_found
from taskmaster.keys import format as keyformat
from taskmaster.keys.schemas import (
    ApiKey,
    KeyCreate,
    KeyCreated,
    RateLimits,
    Verdict,
    VerdictRateLimits,
)
from taskmaster.people.grants import Grants

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

SORT_FIELDS: dict[str, SortField] = {
    "created_at": SortField("created_at", "timestamptz"),
    "name": SortField("name", "text"),
    "id": SortField("id", "uuid"),
}
DEFAULT_SORT = "created_at"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs a key operation: the authenticated key (None from the CLI) and the request."""

    key_id: str | None
    request_id: str
    is_admin: bool = True


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """What authentication needs to know about a key (verdict_columns in queries.sql)."""

    id: UUID
    key_hash: str
    scopes: tuple[str, ...]
    allowed_ips: tuple[str, ...]
    allowed_endpoints: tuple[str, ...]
    expires_at: datetime | None
    grace_expires_at: datetime | None
    revoked_at: datetime | None
    is_active: bool
    per_minute: int
    per_hour: int
    per_day: int
    burst: int
    owner_user_id: UUID | None = None  # the user the key acts for (None: a service key)
    allowed_projects: tuple[str, ...] = ()  # empty: no project restriction
    # Derived once (a record is cached and read on every request of its key).
    key_id: str = field(init=False)
    effective_expiry: datetime | None = field(init=False)
    """When the key stops working: its expiry or the end of its rotation grace."""
    grants: Grants = field(init=False)
    """A service key's grants (an owned key's depend on its owner: people/authn.py)."""

    def __post_init__(self) -> None:
        ends = [t for t in (self.expires_at, self.grace_expires_at) if t is not None]
        object.__setattr__(self, "key_id", str(self.id))
        object.__setattr__(self, "effective_expiry", min(ends) if ends else None)
        object.__setattr__(self, "grants", Grants.of_key(self.scopes, self.allowed_projects))

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> KeyRecord:
        values = list(row)
        values[2], values[3], values[4] = tuple(row[2]), tuple(row[3]), tuple(row[4])
        if len(values) > 14:
            values[14] = tuple(str(project) for project in row[14] or ())
        return cls(*values)

    def refusal(self, now: datetime) -> str | None:
        """None when the key may be used now, else the contract reason (revoked, inactive, …)."""
        if self.revoked_at is not None:
            return "revoked"
        if not self.is_active:
            return "inactive"
        expiry = self.effective_expiry
        if expiry is not None and expiry <= now:
            return "expired"
        return None


@dataclass(frozen=True, slots=True)
class KeyList:
    keys: list[ApiKey]
    next_cursor: str | None
    has_more: bool


def _api_key(row: tuple[Any, ...]) -> ApiKey:
    (id_, name, description, owner, prefix, scopes, per_minute, per_hour, per_day, burst,
     *rest) = row  # fmt: skip
    return ApiKey(
        id_, name, description, owner, prefix, list(scopes),
        RateLimits(per_minute, per_hour, per_day, burst), *rest,
    )  # fmt: skip


@asynccontextmanager
async def _transaction(db: Db, actor: Actor) -> AsyncIterator[AsyncConnection]:
    """The request's transaction, with the actor's identity for RLS on api_keys (transaction-
    local, as the audit context is)."""
    async with transaction(db) as conn:
        await conn.execute(
            QUERIES["set_context"],
            {
                "key_id": actor.key_id or "",
                "is_admin": "on" if actor.is_admin else "off",
                "request_id": actor.request_id,
            },
        )
        yield conn


async def lookup_by_hash(pool: ConnectionPool, key_hash: str) -> KeyRecord | None:
    async with pool.connection() as conn:
        cur = await conn.execute(QUERIES["find_key_by_hash"], {"key_hash": key_hash})
        row = await cur.fetchone()
    return KeyRecord.from_row(row) if row is not None else None


def verdict_for(record: KeyRecord | None, now: datetime, *, owner_active: bool = True) -> Verdict:
    """The contract's verdict for a looked-up key (``POST /internal/keys/verify``). A key whose
    owner is deactivated is ``inactive``: that is how a deactivation reaches the edge, whose cached
    answers for the key stop within its verdict TTL."""
    if record is None:
        return Verdict(valid=False, reason="unknown")
    reason = record.refusal(now) or (None if owner_active else "inactive")
    if reason is not None:
        return Verdict(valid=False, reason=reason)  # type: ignore[arg-type]
    expiry = record.effective_expiry
    return Verdict(
        valid=True,
        key_id=record.id,
        scopes=list(record.scopes),
        expires_at=expiry.astimezone(UTC) if expiry is not None else None,
        allowed_ips=list(record.allowed_ips),
        allowed_endpoints=list(record.allowed_endpoints),
        rate_limits=VerdictRateLimits(
            record.per_minute, record.per_hour, record.per_day, record.burst
        ),
        cache_partition=(
            record.key_id if record.owner_user_id is not None or record.allowed_projects else None
        ),
    )


def _mint() -> tuple[str, dict[str, str]]:
    plain = keyformat.generate_key()
    return plain, {
        "key_hash": keyformat.key_hash(plain),
        "key_prefix": keyformat.display_prefix(plain),
    }


async def create_key(db: Db, actor: Actor, body: KeyCreate) -> KeyCreated:
    plain, secret = _mint()
    params = {
        "name": body.name,
        "description": body.description,
        "owner": body.owner or body.name,
        "scopes": list(dict.fromkeys(body.scopes)),
        "rate_limit_per_minute": body.rate_limit_per_minute,
        "rate_limit_per_hour": body.rate_limit_per_hour,
        "rate_limit_per_day": body.rate_limit_per_day,
        "rate_limit_burst": body.rate_limit_burst,
        "allowed_ips": body.allowed_ips,
        "allowed_endpoints": body.allowed_endpoints,
        "expires_at": body.expires_at,
        "metadata": Jsonb(body.metadata),
        "created_by_key_id": actor.key_id,
        **secret,
    }
    async with _transaction(db, actor) as conn:
        cur = await conn.execute(QUERIES["insert_key"], params)
        row = await cur.fetchone()
    assert row is not None
    return KeyCreated(*_fields(_api_key(row)), key=plain)


def _fields(key: ApiKey) -> list[Any]:
    return [getattr(key, name) for name in key.__struct_fields__]


async def get_key(db: Db, actor: Actor, key_id: UUID) -> ApiKey:
    async with _transaction(db, actor) as conn:
        cur = await conn.execute(QUERIES["get_key"], {"id": key_id})
        row = await cur.fetchone()
    if row is None:
        raise not_found("API key", key_id)
    return _api_key(row)


async def revoke_key(db: Db, actor: Actor, key_id: UUID, reason: str | None) -> ApiKey:
    async with _transaction(db, actor) as conn:
        cur = await conn.execute(QUERIES["revoke_key"], {"id": key_id, "reason": reason})
        row = await cur.fetchone()
    if row is None:
        raise not_found("API key", key_id)
    return _api_key(row)


async def rotate_key(db: Db, actor: Actor, key_id: UUID, grace_seconds: int) -> KeyCreated:
    """Mint a successor that inherits everything but the secret; the old key dies after the grace."""
    plain, secret = _mint()
    async with _transaction(db, actor) as conn:
        cur = await conn.execute(QUERIES["lock_key"], {"id": key_id})
        state = await cur.fetchone()
        if state is None:
            raise not_found("API key", key_id)
        dead, rotated = state
        if dead or rotated:
            raise ApiError(
                409,
                "key-not-rotatable",
                "Conflict",
                f"API key {key_id} is "
                + ("revoked or expired" if dead else "already rotated")
                + "; only a live key that was not rotated yet can be rotated.",
            )
        params = {"id": key_id, "created_by_key_id": actor.key_id, **secret}
        cur = await conn.execute(QUERIES["insert_rotated_key"], params)
        row = await cur.fetchone()
        await conn.execute(QUERIES["start_grace"], {"id": key_id, "grace_seconds": grace_seconds})
    assert row is not None
    return KeyCreated(*_fields(_api_key(row)), key=plain)


_list_query_cache: dict[tuple[Any, ...], str] = {}


def _list_query(keys: tuple[SortKey, ...], after_cursor: bool) -> str:
    cache_key = (keys, after_cursor)
    cached = _list_query_cache.get(cache_key)
    if cached is not None:
        return cached
    where = (
        sql.SQL("WHERE ") + keyset_clause(keys, SORT_FIELDS, {}, [None] * len(keys))
        if after_cursor
        else sql.SQL("")
    )
    query = sql.SQL("SELECT {columns} FROM api_keys {where} {order} LIMIT %(limit)s").format(
        columns=sql.SQL(QUERIES["fragment:key_columns"]),
        where=where,
        order=order_by_clause(keys, SORT_FIELDS),
    )
    text = query.as_string(None)
    _list_query_cache[cache_key] = text
    return text


def _cursor_value(key: ApiKey, field: str) -> Any:
    value = getattr(key, field)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


async def list_keys(
    db: Db,
    actor: Actor,
    codec: CursorCodec,
    keys: tuple[SortKey, ...],
    cursor: str | None,
    limit: int,
) -> KeyList:
    params: dict[str, Any] = {"limit": limit + 1}
    if cursor is not None:
        for index, value in enumerate(codec.decode(cursor, keys)):
            params[f"cursor_{index}"] = value
    async with _transaction(db, actor) as conn:
        cur = await conn.execute(_list_query(keys, cursor is not None), params)  # type: ignore[arg-type]
        rows = await cur.fetchall()
    has_more = len(rows) > limit
    found = [_api_key(row) for row in rows[:limit]]
    next_cursor = None
    if has_more:
        last = found[-1]
        next_cursor = codec.encode(keys, [_cursor_value(last, key.field) for key in keys])
    return KeyList(found, next_cursor, has_more)
