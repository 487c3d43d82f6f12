"""Query and header parameters every resource's routes share (declared once, documented once).

Litestar reads a handler's parameters from its signature (and ``checks`` refuses any query
parameter a handler does not declare), so each list route still names these in its signature:
``limit: Limit = DEFAULT_PAGE_SIZE, cursor: Cursor = None, sort: Sort = None``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Request
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, QueryParameter

from taskmaster.api.etags import IF_MATCH_PATTERN
from taskmaster.api.pagination import MAX_PAGE_SIZE
from taskmaster.db.session import Session

# A handler's request, its session (injected by its name, ``db``) and a uuid path parameter.
Req = Request[Any, Any, Any]
Db = NamedDependency[Session]
PathId = FromPath[UUID]

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Page size")]
Cursor = Annotated[
    str | None,
    QueryParameter(max_length=2048, description="Opaque cursor from pagination.next_cursor"),
]
Sort = Annotated[
    str | None,
    QueryParameter(
        max_length=200,
        description="Comma-separated sort fields, '-' for descending (allow-listed per resource)",
    ),
]
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        pattern=IF_MATCH_PATTERN,
        description="Apply the write only if one of the ETags still matches (strong comparison)",
    ),
]
IfNoneMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-None-Match",
        pattern=IF_MATCH_PATTERN,
        description="Answer 304 if one of the ETags (weak comparison) still matches",
    ),
]
# A time window over created_at (``?from=…&to=…``); ``from`` is a Python keyword, hence the alias.
From = Annotated[datetime | None, QueryParameter(name="from", description="created_at >= this")]
To = Annotated[datetime | None, QueryParameter(name="to", description="created_at < this")]
