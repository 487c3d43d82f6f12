"""What the row structs of resources share: the columns their tables end with, and the body types
of more than one resource."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Self, TypeVar

import msgspec

T = TypeVar("T")
# Body field types that mean the same in every resource.
Object = dict[str, Any]
ShortText = Annotated[str, msgspec.Meta(max_length=255)]
Message = Annotated[str, msgspec.Meta(max_length=100_000)]
Order = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
Retries = Annotated[int, msgspec.Meta(ge=0, le=100)]
Timeout = Annotated[int, msgspec.Meta(ge=1, le=86_400)]


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
