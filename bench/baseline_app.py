"""The baseline: the naive way to serve one row with Litestar and psycopg, for ratios.

A minimal Litestar app with a ``psycopg_pool.AsyncConnectionPool`` at its default settings and
``async with pool.connection()`` per request, answering the same single-row query as
``GET /api/v1/tasks/{id}`` (the origin's ``get_task`` select list). No authentication, no
envelope. ``bench/run.py`` serves it exactly as it serves the origin (granian, one worker per
core, uvloop) so that the ratio origin / baseline measures the origin's own choices.

    DATABASE_URL=… granian --interface asgi --factory --working-dir bench baseline_app:create_app
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

from litestar import Litestar, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool


def _task_columns() -> str:
    """The origin's select list for a task, read from its queries.sql (the same query)."""
    text = (Path(__file__).resolve().parents[1] / "origin/taskmaster/tasks/queries.sql").read_text()
    fragment = text.split("-- fragment: task_columns", 1)[1].split("\n\n", 1)[0]
    return " ".join(line for line in fragment.splitlines() if not line.startswith("--"))


QUERY = f"SELECT {_task_columns()} FROM tasks WHERE id = %(id)s"


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
