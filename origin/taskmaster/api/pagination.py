"""Keyset pagination: allow-listed sorts, opaque tamper-evident cursors, composed SQL.

A cursor is ``base64url(json([sort, values])) + "." + base64url(hmac)``: it carries the sort it was
made for and the sort-key values of the last row served. The HMAC (``TASKMASTER_SECRET_KEY``) makes
a forged or edited cursor a 400 instead of a query over attacker-chosen values.

The ORDER BY and the keyset predicate are composed with :mod:`psycopg.sql` from the resource's
allow-list (constant column names) and bound placeholders — never from input text. To make a new
resource pageable, describe its sortable columns with :class:`SortField` and call
:func:`parse_sort` / :func:`keyset_clause` / :func:`order_by_clause`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import msgspec
from psycopg import sql

from taskmaster.errors import bad_request

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class SortField:
    column: str
    sql_type: str  # the cast applied to cursor values: "timestamptz", "int", "text", "uuid"


@dataclass(frozen=True, slots=True)
class SortKey:
    field: str
    descending: bool


def parse_sort(raw: str | None, allowed: dict[str, SortField], default: str) -> tuple[SortKey, ...]:
    """``"-priority,created_at"`` → sort keys, always ending with ``id`` as the unique tie-breaker."""
    text = raw if raw else default
    keys: list[SortKey] = []
    for part in text.split(","):
        part = part.strip()
        name = part.removeprefix("-")
        if name not in allowed:
            raise bad_request(
                "invalid-sort",
                f"Cannot sort by {name!r}; allowed: {', '.join(sorted(allowed))}",
            )
        if any(key.field == name for key in keys):
            raise bad_request("invalid-sort", f"Sort field {name!r} is given twice")
        keys.append(SortKey(name, part.startswith("-")))
    if not any(key.field == "id" for key in keys):
        keys.append(SortKey("id", keys[-1].descending if keys else False))
    return tuple(keys)


def sort_signature(keys: tuple[SortKey, ...]) -> str:
    return ",".join(("-" if key.descending else "") + key.field for key in keys)


class CursorCodec:
    def __init__(self, secret: str) -> None:
        self._secret = hashlib.sha256(b"cursor:" + secret.encode()).digest()

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:16]

    def encode(self, keys: tuple[SortKey, ...], values: list[Any]) -> str:
        payload = msgspec.json.encode([sort_signature(keys), values])
        return _b64(payload) + "." + _b64(self._mac(payload))

    def decode(self, cursor: str, keys: tuple[SortKey, ...]) -> list[Any]:
        try:
            payload_part, mac_part = cursor.split(".", 1)
            payload = _unb64(payload_part)
            mac = _unb64(mac_part)
        except (ValueError, binascii.Error) as exc:
            raise bad_request("invalid-cursor", "The cursor is malformed.") from exc
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise bad_request("invalid-cursor", "The cursor is not one this API issued.")
        signature, values = msgspec.json.decode(payload)
        if signature != sort_signature(keys) or len(values) != len(keys):
            raise bad_request("invalid-cursor", "The cursor was issued for a different sort order.")
        return list(values)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def order_by_clause(keys: tuple[SortKey, ...], allowed: dict[str, SortField]) -> sql.Composed:
    parts = [
        sql.SQL("{} {}").format(
            sql.Identifier(allowed[key.field].column), sql.SQL("DESC" if key.descending else "ASC")
        )
        for key in keys
    ]
    return sql.SQL("ORDER BY ") + sql.SQL(", ").join(parts)


def keyset_clause(
    keys: tuple[SortKey, ...],
    allowed: dict[str, SortField],
    params: dict[str, Any],
    values: list[Any],
) -> sql.Composable:
    """Rows strictly after the cursor row in the given order; binds values into ``params``."""
    placeholders = []
    for index, (key, value) in enumerate(zip(keys, values, strict=True)):
        name = f"cursor_{index}"
        params[name] = value
        placeholders.append(
            sql.SQL("{}::{}").format(sql.Placeholder(name), sql.SQL(allowed[key.field].sql_type))
        )
    columns = [sql.Identifier(allowed[key.field].column) for key in keys]
    if len({key.descending for key in keys}) == 1:
        # One direction: a row comparison, which a composite index serves directly.
        op = sql.SQL("<" if keys[0].descending else ">")
        return sql.SQL("({}) {} ({})").format(
            sql.SQL(", ").join(columns), op, sql.SQL(", ").join(placeholders)
        )
    # Mixed directions: (a > x) OR (a = x AND b < y) OR (a = x AND b = y AND id > z) ...
    alternatives = []
    for index, key in enumerate(keys):
        equal = [sql.SQL("{} = {}").format(columns[j], placeholders[j]) for j in range(index)]
        op = sql.SQL("<" if key.descending else ">")
        alternatives.append(
            sql.SQL("(")
            + sql.SQL(" AND ").join(
                [*equal, sql.SQL("{} {} {}").format(columns[index], op, placeholders[index])]
            )
            + sql.SQL(")")
        )
    return sql.SQL("(") + sql.SQL(" OR ").join(alternatives) + sql.SQL(")")
