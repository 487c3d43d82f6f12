"""One maintenance run: ``taskmaster maintenance run`` and ``POST /internal/maintenance/run``.

Steps, each in its own transaction (a failing step is reported and the next still runs):

1. ``cleanup_logs`` — ``cleanup_old_logs_by_table`` with the retention of each table from
   :class:`~taskmaster.settings.MaintenanceSettings` (``LOG_RETENTION_DAYS`` …), and expired
   idempotency keys;
   ``event_log`` — ``purge_event_log`` (``EVENT_LOG_RETENTION_DAYS``: the stream's replay window);
2. ``edge_nonces`` — nonces of edge signatures past their freshness window (``auth.nonces``);
   ``leases`` — expired task leases cleared (in-progress tasks go back to pending);
3. ``materialized_views`` — ``refresh_materialized_views()`` (``REFRESH … CONCURRENTLY``);
4. the retry hooks of :data:`RETRY_HOOKS`: webhook processing (``taskmaster.webhooks.service.drain``)
   and event delivery (``taskmaster.events.service.deliver_due``), each only when its module exists.

Safe to run twice at once: a run first takes the session advisory lock :data:`LOCK_KEY` with
``pg_try_advisory_lock``; a second run that does not get it reports ``already_running`` and does
nothing (exit 0 / HTTP 200). Every step is idempotent, so running again soon after is harmless.

To add a step: write its statement in ``queries.sql`` and a ``_step`` call in :func:`run`; to add a
retry hook, append ``(name, module, function, arguments)`` to :data:`RETRY_HOOKS`.
"""

from __future__ import annotations

import importlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

import msgspec
import psycopg
from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

from taskmaster.db.pool import ConnectionPool, PoolUnavailable
from taskmaster.db.sql import load_queries
from taskmaster.settings import MaintenanceSettings

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))
logger = logging.getLogger("taskmaster.maintenance")

LOCK_KEY = 0x746D_6D61_696E  # "tmmain": the maintenance run's advisory lock
STEP_TIMEOUT = "15min"
HOOK_ROUNDS = 20  # most batches one hook may work through in one run


class StepResult(msgspec.Struct):
    name: str
    status: Literal["ok", "failed", "skipped"]
    duration_ms: float
    affected: dict[str, int] = msgspec.field(default_factory=dict)
    detail: str | None = None


class MaintenanceReport(msgspec.Struct):
    run_id: str
    status: Literal["completed", "failed", "already_running"]
    steps: list[StepResult]
    retention_days: dict[str, int]


def retention_of(settings: MaintenanceSettings) -> dict[str, int]:
    return {
        "logs": settings.log_retention_days,
        "api_access_logs": settings.access_log_retention_days,
        "error_logs": settings.error_retention_days,
        "unresolved_error_logs": settings.unresolved_error_retention_days,
        "audit_logs": settings.audit_retention_days,
        "system_metrics": settings.metrics_retention_days,
        "integration_events": settings.event_retention_days,
        "webhook_events": settings.event_retention_days,
    }


# (step name, module, function, arguments from (pool, settings)) — optional modules.
RETRY_HOOKS: tuple[tuple[str, str, str, Callable[[ConnectionPool, Any], tuple[Any, ...]]], ...] = (
    (
        "webhook_retries",
        "taskmaster.webhooks.service",
        "drain",
        lambda pool, settings: (pool, getattr(settings, "webhooks", None)),
    ),
    (
        "event_deliveries",
        "taskmaster.events.service",
        "deliver_due",
        lambda pool, settings: (pool, settings),
    ),
)


async def _in_step(
    conn: AsyncConnection[Any], run_id: str, work: Callable[[], Awaitable[dict[str, int]]]
) -> dict[str, int]:
    async with conn.transaction():
        await conn.execute(QUERIES["step_context"], {"timeout": STEP_TIMEOUT, "run_id": run_id})
        return await work()


async def _step(
    name: str, work: Callable[[], Awaitable[dict[str, int] | str]], steps: list[StepResult]
) -> None:
    started = time.perf_counter()
    try:
        outcome = await work()
    except (psycopg.Error, PoolUnavailable, Exception) as exc:  # report, and run the next step
        logger.exception("maintenance step %s failed", name)
        steps.append(
            StepResult(name, "failed", _ms(started), detail=f"{type(exc).__name__}: {exc}"[:500])
        )
        return
    if isinstance(outcome, str):
        steps.append(StepResult(name, "skipped", _ms(started), detail=outcome))
    else:
        steps.append(StepResult(name, "ok", _ms(started), affected=outcome))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


async def _hook(module: str, function: str, arguments: tuple[Any, ...]) -> dict[str, int] | str:
    try:
        target = getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        return f"{module}.{function} is not installed"
    total = 0
    for _ in range(HOOK_ROUNDS):
        count = await target(*arguments)
        total += int(count or 0)
        if not count or function == "drain":  # drain loops by itself
            break
    return {"attempted": total}


async def run(
    pool: ConnectionPool,
    maintenance: MaintenanceSettings,
    settings: Any = None,
    *,
    run_id: str | None = None,
) -> MaintenanceReport:
    """One run (see the module docstring). ``settings`` (the full Settings) feeds the hooks."""
    run_id = run_id or f"maintenance-{uuid.uuid4().hex}"
    retention = retention_of(maintenance)
    steps: list[StepResult] = []
    # Steps open their own transactions on this plain pool connection.
    async with pool.connection() as conn:
        cur = await conn.execute(QUERIES["try_lock"], {"key": LOCK_KEY})
        locked = await cur.fetchone()
        if not (locked and locked[0]):
            logger.info("maintenance already running", extra={"run_id": run_id})
            return MaintenanceReport(run_id, "already_running", [], retention)
        try:

            async def cleanup() -> dict[str, int]:
                cur = await conn.execute(QUERIES["cleanup_logs"], {"retention": Jsonb(retention)})
                return {table: int(n) for table, n in await cur.fetchall()}

            async def event_log() -> dict[str, int]:
                days = {"days": maintenance.event_log_retention_days}
                cur = await conn.execute(QUERIES["purge_event_log"], days)
                row = await cur.fetchone()
                return {"event_log": int(row[0]) if row else 0}

            async def nonces() -> dict[str, int]:
                cur = await conn.execute(QUERIES["expire_edge_nonces"])
                return {"edge_nonces": cur.rowcount}

            async def leases() -> dict[str, int]:
                cur = await conn.execute(QUERIES["release_expired_leases"])
                return {"tasks": len(await cur.fetchall())}

            async def views() -> dict[str, int]:
                await conn.execute(QUERIES["refresh_views"])
                return {}

            await _step("cleanup_logs", lambda: _in_step(conn, run_id, cleanup), steps)
            await _step("event_log", lambda: _in_step(conn, run_id, event_log), steps)
            await _step("edge_nonces", lambda: _in_step(conn, run_id, nonces), steps)
            await _step("leases", lambda: _in_step(conn, run_id, leases), steps)
            await _step("materialized_views", lambda: _in_step(conn, run_id, views), steps)
            for name, module, function, arguments in RETRY_HOOKS:
                args = arguments(pool, settings)
                await _step(name, lambda m=module, f=function, a=args: _hook(m, f, a), steps)
        finally:
            if not conn.broken:
                await conn.execute(QUERIES["unlock"], {"key": LOCK_KEY})
    failed = any(step.status == "failed" for step in steps)
    report = MaintenanceReport(run_id, "failed" if failed else "completed", steps, retention)
    logger.info(
        "maintenance run",
        extra={"run_id": run_id, "status": report.status, "steps": msgspec.to_builtins(steps)},
    )
    return report
