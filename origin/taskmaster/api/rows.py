"""What the row structs of resources share: the columns their tables end with."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Self, TypeVar

import msgspec

T = TypeVar("T")


class VersionedRow(msgspec.Struct, kw_only=True):
    """The last columns of a resource's table: ``metadata``, the ``version`` its ``ETag`` carries,
    and its times. Keyword-only so that msgspec keeps them after the subclass's own fields: field
    order (the select list, the JSON keys, the OpenAPI properties) stays the table's. A row from
    the database is built with :meth:`from_row`."""

    metadata: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Self:
        """The struct of one row of its columns, in order."""
        *own, metadata, version, created_at, updated_at = row
        return cls(
            *own, metadata=metadata, version=version, created_at=created_at, updated_at=updated_at
        )


def row_builder(struct: type[T]) -> Callable[[Sequence[Any]], T]:
    """How a row of ``struct``'s columns becomes a ``struct``: :meth:`VersionedRow.from_row`, or
    positionally for any other struct."""
    if issubclass(struct, VersionedRow):
        return struct.from_row  # type: ignore[no-any-return]
    return lambda row: struct(*row)
