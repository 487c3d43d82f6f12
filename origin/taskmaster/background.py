"""Background loops of an origin process: webhook processing and event delivery.

Each loop calls its step (``webhooks.service.process_due`` / ``events.service.deliver_due``) again
at once while there was work, else waits ``poll_interval_s`` or until woken (a receiver wakes the
webhook loop after storing a delivery). Every origin process runs them (``BACKGROUND_JOBS=0``
turns them off); the steps claim with ``SKIP LOCKED``, so processes never take the same row. A
failing step (e.g. the database is down) is logged and retried after the interval.

To add a loop: give :class:`BackgroundJobs` another ``_loop(name, step, interval)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from taskmaster.db.pool import ConnectionPool, PoolUnavailable
from taskmaster.events.service import deliver_due
from taskmaster.settings import Settings
from taskmaster.webhooks.service import process_due

logger = logging.getLogger("taskmaster.background")


class BackgroundJobs:
    def __init__(self, pool: ConnectionPool, settings: Settings) -> None:
        self._pool = pool
        self._settings = settings
        self._tasks: list[asyncio.Task[None]] = []
        self._wake_webhooks = asyncio.Event()
        self._wake_events = asyncio.Event()

    def wake_webhooks(self) -> None:
        self._wake_webhooks.set()

    def start(self) -> None:
        settings = self._settings
        self._tasks = [
            asyncio.create_task(
                self._loop(
                    "webhooks",
                    lambda: process_due(self._pool, settings.webhooks),
                    settings.webhooks.poll_interval_s,
                    self._wake_webhooks,
                )
            ),
            asyncio.create_task(
                self._loop(
                    "events",
                    lambda: deliver_due(self._pool, settings),
                    settings.events.poll_interval_s,
                    self._wake_events,
                )
            ),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _loop(
        self,
        name: str,
        step: Callable[[], Awaitable[int]],
        interval: float,
        wake: asyncio.Event,
    ) -> None:
        while True:
            try:
                busy = await step() > 0
            except PoolUnavailable as exc:
                logger.warning("%s loop: database unavailable (%s)", name, exc)
                busy = False
            except Exception:
                logger.exception("%s loop step failed", name)
                busy = False
            if busy:
                await asyncio.sleep(0)  # let requests run between batches
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), interval)
            wake.clear()
