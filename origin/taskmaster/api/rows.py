"""What the row structs of resources share: the columns their tables end with."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec

# The last columns of every resource's table, in order.
TRAILING_COLUMNS: dict[str, Any] = {
    "metadata": dict[str, Any],
    "version": int,
    "created_at": datetime,
    "updated_at": datetime,
}


class _EndsWithTrailingColumns(msgspec.StructMeta):
    """Appends :data:`TRAILING_COLUMNS` after a row struct's own fields. A msgspec base class
    would put its fields first (or, keyword-only, out of the positional ``Struct(*row)`` that
    builds a row fast); appended, the field order stays the table's: the select list, the JSON
    keys and the OpenAPI properties are as if each struct wrote them out."""

    def __new__(
        mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any
    ) -> _EndsWithTrailingColumns:
        a_row = any(isinstance(base, _EndsWithTrailingColumns) for base in bases)
        has_them = any("version" in getattr(base, "__struct_fields__", ()) for base in bases)
        if a_row and not has_them:  # not VersionedRow itself, nor a subclass of a row struct
            namespace["__annotations__"] = namespace.get("__annotations__", {}) | TRAILING_COLUMNS
        return super().__new__(mcls, name, bases, namespace, **kwargs)  # type: ignore[no-any-return]


class VersionedRow(msgspec.Struct, metaclass=_EndsWithTrailingColumns):
    """A row struct of a resource's table: its own fields, then ``metadata``, the ``version`` its
    ``ETag`` carries, ``created_at`` and ``updated_at`` (appended by the metaclass, so a row is
    still built positionally: ``Deployment(*row)``)."""

    if TYPE_CHECKING:  # what the metaclass adds, for type checkers
        metadata: dict[str, Any]
        version: int
        created_at: datetime
        updated_at: datetime
