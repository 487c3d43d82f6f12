"""Configuration setting bodies (msgspec); patterns mirror the configuration_settings CHECKs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

ValueType = Literal["string", "number", "boolean", "object", "array"]
KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,199}$"


class Setting(msgspec.Struct):
    """A setting as the API returns it. Field order = ``setting_columns``. A sensitive setting's
    ``value`` is always null: its ciphertext never leaves the database through the API."""

    id: UUID
    key: str
    value: Any
    value_type: ValueType
    is_sensitive: bool
    description: str | None
    updated_by: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class SettingWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``PUT /configuration/{key}`` (creates or replaces). ``value_type`` defaults to the
    JSON type of ``value`` and must match it when given."""

    value: str | int | float | bool | dict[str, Any] | list[Any]
    value_type: ValueType | None = None
    is_sensitive: bool = False
    description: Annotated[str, msgspec.Meta(max_length=10_000)] | None = None
