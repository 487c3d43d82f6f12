"""A diagnostic: the origin's data path alone, to tell its cost from the request pipeline's.

Serves ``GET /api/v1/tasks/{id}`` with the origin's own :class:`~taskmaster.db.pool.ConnectionPool`
(autocommit, prepared statements, deque hand-out) and ``TASKS.get_json`` (the same named query,
JSON rendered by PostgreSQL), in a bare Litestar app: no authentication, request id, access log,
idempotency, envelope or ETag. ``bench/run.py`` serves it like the others. Comparing it with the baseline shows
what the data path gains; comparing the origin with it shows what the request pipeline costs.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

from litestar import Litestar, MediaType, Request, Response, get
from taskmaster.db.pool import ConnectionPool
from taskmaster.errors import ApiError
from taskmaster.tasks.service import TASKS


def create_app() -> Litestar:
    pool = ConnectionPool(os.environ["DATABASE_URL"])

    @get("/api/v1/tasks/{task_id:uuid}")
    async def get_task(task_id: UUID) -> Response[bytes]:
        _, task_json = await TASKS.get_json(pool, task_id)
        return Response(task_json, media_type=MediaType.JSON)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await pool.open()
        try:
            yield
        finally:
            await pool.close()

    def refused(request: Request, exc: ApiError) -> Response:  # e.g. 404 for an unknown id
        return Response({"detail": str(exc)}, status_code=exc.status)

    return Litestar(
        route_handlers=[get_task], lifespan=[lifespan], exception_handlers={ApiError: refused}
    )
