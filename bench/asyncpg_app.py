"""The asyncpg peer: the fastest common Python driver serving the same work as the origin's
``GET /api/v1/tasks/{id}``, for ratios.

A minimal Litestar app with an ``asyncpg`` pool (the origin's pool size: 2 to 10 connections per
worker) and ``fetchrow`` per request: ``select *`` of the task, jsonb columns decoded (by msgspec,
as the origin decodes json columns), the whole row in the same ``{"data": …}`` envelope. No
authentication. ``bench/run.py`` serves it like the origin (granian, one worker per core, uvloop,
TCP to the same database as the same role).

    DATABASE_URL=… granian --interface asgi --factory --working-dir bench asyncpg_app:create_app
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from litestar import Litestar, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException

QUERY = "SELECT * FROM tasks WHERE id = $1"
POOL_MIN, POOL_MAX = 2, 10  # the origin's defaults (DATABASE_POOL_MIN / DATABASE_POOL_MAX)


async def _decode_jsonb(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, schema="pg_catalog", encoder=msgspec.json.encode,
            decoder=msgspec.json.decode, format="text",
        )  # fmt: skip


@get("/tasks/{task_id:uuid}")
async def get_task(state: State, task_id: UUID) -> dict[str, Any]:
    row = await state.pool.fetchrow(QUERY, task_id)
    if row is None:
        raise NotFoundException()
    return {"data": dict(row)}


def create_app() -> Litestar:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.pool = pool = await asyncpg.create_pool(
            os.environ["DATABASE_URL"], min_size=POOL_MIN, max_size=POOL_MAX, init=_decode_jsonb,
            # Every project visible, as to the origin's admin key (project tenancy: app.projects).
            server_settings={"app.projects": "*"},
        )  # fmt: skip
        try:
            yield
        finally:
            await pool.close()

    return Litestar(route_handlers=[get_task], lifespan=[lifespan])
