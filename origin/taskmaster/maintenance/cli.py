"""``taskmaster maintenance run``: one maintenance run straight against ``DATABASE_URL``.

Retention comes from the same variables as the origin's (``LOG_RETENTION_DAYS`` …, see
settings.py). Prints one line per step (or the JSON report with ``--json``); exit 0 when every step
succeeded or another run already holds the lock, 1 when a step failed. Schedule it (cron, a
Kubernetes CronJob) or let the edge's cron trigger call ``POST /internal/maintenance/run``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import msgspec

from taskmaster.db.pool import ConnectionPool
from taskmaster.maintenance import service
from taskmaster.settings import Settings, SettingsError


def cmd_run(args: argparse.Namespace) -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        print("taskmaster maintenance: DATABASE_URL is not set", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"taskmaster maintenance: {exc}", file=sys.stderr)
        return 2

    async def go() -> service.MaintenanceReport:
        # The lock's connection is held for the whole run; the retry hooks need one more.
        pool = ConnectionPool(url, name="maintenance", min_size=0, max_size=3, connect_timeout_s=5)
        try:
            return await service.run(pool, settings.maintenance, settings)
        finally:
            await pool.close()

    report = asyncio.run(go())
    if args.json:
        print(msgspec.json.encode(report).decode())
    elif report.status == "already_running":
        print("maintenance: already running (another run holds the lock); nothing done")
    else:
        for step in report.steps:
            counts = ", ".join(f"{k}={v}" for k, v in step.affected.items())
            detail = f" ({step.detail})" if step.detail else ""
            print(
                f"{step.name:<20} {step.status:<8} {step.duration_ms:>10.1f} ms  {counts}{detail}"
            )
        print(f"maintenance {report.run_id}: {report.status}")
    return 1 if report.status == "failed" else 0


def register_maintenance(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("maintenance", help="retention, views, leases, retries")
    commands = parser.add_subparsers(dest="maintenance_command", required=True)
    run = commands.add_parser("run", help="run every maintenance step once (safe to overlap)")
    run.add_argument("--json", action="store_true", help="print the report as one JSON object")
    run.set_defaults(run=cmd_run)
