"""The ops CLI's database access: one short-lived pool per command, on ``DATABASE_URL``."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

from taskmaster.db.pool import ConnectionPool

T = TypeVar("T")


def run_with_pool(work: Callable[[ConnectionPool], Awaitable[T]], command: str) -> T:
    """Run ``work`` with a one-connection pool (closed afterwards); exits when DATABASE_URL is
    not set, naming ``command``."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit(f"{command}: DATABASE_URL is not set")

    async def go() -> T:
        pool = ConnectionPool(url, name="cli", min_size=0, max_size=1, connect_timeout_s=5)
        try:
            return await work(pool)
        finally:
            await pool.close()

    return asyncio.run(go())
