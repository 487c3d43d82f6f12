"""The naive peer: the common way to serve one row with Litestar and psycopg, for ratios.

A minimal Litestar app with a ``psycopg_pool.AsyncConnectionPool`` at its default settings but for
its size (the origin's: 2 to 10 connections per worker, as every peer),
``async with pool.connection()`` per request and ``dict_row``: ``select *`` of the task, the whole
row in the same ``{"data": …}`` envelope as ``GET /api/v1/tasks/{id}``. No authentication.
``bench/run.py`` serves it exactly as it serves the origin (granian, one worker per core, uvloop)
so that the ratio origin / naive measures the origin's own choices; ``asyncpg_app.py`` is the
other peer.

    DATABASE_URL=… granian --interface asgi --factory --working-dir bench baseline_app:create_app
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from litestar import Litestar, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

QUERY = "SELECT * FROM tasks WHERE id = %(id)s"


@get("/tasks/{task_id:uuid}")
async def get_task(state: State, task_id: UUID) -> dict[str, Any]:
    async with state.pool.connection() as conn:
        cur = await conn.execute(QUERY, {"id": task_id})
        row = await cur.fetchone()
    if row is None:
        raise NotFoundException()
    return {"data": row}


def create_app() -> Litestar:
    pool = AsyncConnectionPool(
        os.environ["DATABASE_URL"],
        min_size=2,
        max_size=10,
        open=False,
        # Every project visible, as to the origin's admin key (project tenancy: app.projects).
        kwargs={"row_factory": dict_row, "options": "-c app.projects=*"},
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await pool.open()
        try:
            yield
        finally:
            await pool.close()

    return Litestar(route_handlers=[get_task], state=State({"pool": pool}), lifespan=[lifespan])
