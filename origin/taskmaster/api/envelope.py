"""The success envelope of design.md §3: ``{"data", "pagination"?, "meta": {"request_id"}}``.

Each resource declares concrete envelope structs (``TaskEnvelope``, ``TaskPage``) by subclassing
these, so the OpenAPI document names them plainly.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request


class Meta(msgspec.Struct):
    request_id: str


class Pagination(msgspec.Struct):
    limit: int
    next_cursor: str | None
    has_more: bool


def meta_for(request: Request[Any, Any, Any]) -> Meta:
    return Meta(request_id=request.scope.get("request_id", ""))
