"""Configuration settings: upsert by key with If-Match, encryption of sensitive values, lists."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from litestar.params import QueryParameter
from psycopg.types.json import Jsonb

from taskmaster.api.conditional import NO_VERSION, Versions, resolve
from taskmaster.configuration import crypto
from taskmaster.configuration.schemas import Setting, SettingWrite, ValueType
from taskmaster.db.sql import load_queries
from taskmaster.db.table import Db, Filter, Table, reading, writing
from taskmaster.errors import ApiError, FieldError, not_found

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

# Keyed by ``key``, not id: reads and writes are this module's own statements; the table gives
# the list. A sensitive setting's ``value`` column is NULL (its value is in encrypted_value).
SETTINGS: Table[Setting] = Table(
    name="configuration_settings",
    struct=Setting,
    columns=QUERIES["fragment:setting_columns"],
    sorts=("key", "created_at", "updated_at", "id"),
    default_sort="key",
    filters={
        "key_prefix": Filter(
            "starts_with(key, %(key_prefix)s)",
            Annotated[str | None, QueryParameter(max_length=200)],
        ),
        "is_sensitive": Filter("is_sensitive = %(is_sensitive)s", bool | None),
        "value_type": Filter("value_type = ANY(%(value_type)s)", list[ValueType] | None),
    },
)


async def _one_version(conn: Any, key: str, demand: int | Versions | None) -> int | None:
    """An If-Match list of several versions, resolved against the setting's current one (on the
    write's own connection, before its statement)."""
    if not isinstance(demand, Versions):
        return demand
    cur = await conn.execute(QUERIES["setting_version"], {"key": key})
    row = await cur.fetchone()
    return resolve(demand, row[0]) if row is not None else NO_VERSION


@dataclass(frozen=True, slots=True)
class Saved:
    setting: Setting
    created: bool


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array"


def hidden(setting: Setting) -> Setting:
    """What the API shows: a sensitive setting's value is null (the column is NULL anyway)."""
    if setting.is_sensitive:
        setting.value = None
    return setting


async def get(db: Db, key: str) -> Setting:
    return hidden(await SETTINGS.one(db, QUERIES["get_setting"], {"key": key}, key))


async def put(
    db: Db,
    keys: str,
    key: str,
    body: SettingWrite,
    if_version: int | Versions | None,
    updated_by: str | None,
    *,
    replace_only: bool = False,
) -> Saved:
    """Create or replace ``key``; with ``if_version`` only replace that version, with
    ``replace_only`` (``If-Match: *``) only an existing setting (412 otherwise)."""
    value_type = _json_type(body.value)
    if body.value_type is not None and body.value_type != value_type:
        raise ApiError(
            422, "validation-failed", "Unprocessable content",
            f"value is a JSON {value_type}, not the declared {body.value_type}.",
            errors=[FieldError(field="value_type", message=f"value is a {value_type}")],
        )  # fmt: skip
    params = {
        "key": key,
        "value": None if body.is_sensitive else Jsonb(body.value),
        "encrypted_value": crypto.encrypt(keys, body.value) if body.is_sensitive else None,
        "value_type": value_type,
        "is_sensitive": body.is_sensitive,
        "description": body.description,
        "updated_by": updated_by,
    }
    async with writing(db) as conn:
        version = await _one_version(conn, key, if_version)
        upsert = version is None and not replace_only
        query = QUERIES["upsert_setting"] if upsert else QUERIES["replace_setting"]
        cur = await conn.execute(query, params | {"if_version": version})
        row = await cur.fetchone()
    if row is None:
        raise ApiError(
            412, "precondition-failed", "Precondition failed",
            f"If-Match does not match configuration setting {key} (or it does not exist).",
        )  # fmt: skip
    return Saved(hidden(Setting(*row[:-1])), bool(row[-1]))


async def delete(db: Db, key: str, if_version: int | Versions | None) -> None:
    async with writing(db) as conn:
        version = await _one_version(conn, key, if_version)
        cur = await conn.execute(QUERIES["delete_setting"], {"key": key, "if_version": version})
        if await cur.fetchone() is not None:
            return
        cur = await conn.execute(QUERIES["setting_version"], {"key": key})
        current = await cur.fetchone()
    if current is None:
        raise not_found("configuration setting", key)
    raise ApiError(
        412, "precondition-failed", "Precondition failed",
        f'If-Match does not match configuration setting {key} (now "{current[0]}").',
    )  # fmt: skip


async def read_secret(db: Db, keys: str, key: str) -> Any:
    """The decrypted value of a sensitive setting, for the application's own use only."""
    async with reading(db) as conn:
        cur = await conn.execute(QUERIES["get_secret"], {"key": key})
        row = await cur.fetchone()
    if row is None:
        raise not_found("sensitive configuration setting", key)
    return crypto.decrypt(keys, row[0])
