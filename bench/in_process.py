"""CPU per request of ``GET /api/v1/tasks/{id}`` (or of one fixed GET, ``--path``, e.g. a list
page) with the app driven in process: no HTTP server,
no wrk, so the figure moves little with the machine's other load (decisions on a shared machine).

32 concurrent callers (one asyncio task each, uvloop) send ASGI requests straight to the app; the
process's CPU time and the bench PostgreSQL's are divided by the requests served. The origin app
(``create_asgi_app``: front layer, lean path, the whole app) and the peers (``bench/*_app.py``)
run the same way. Needs the bench database running (``bench.run`` leaves it up):

    .venv/bin/python -m bench.in_process --db-port 54351 [--app origin|naive|asyncpg] [-n 20000]
    .venv/bin/python -m bench.in_process --db-port 54351 --path '/api/v1/tasks?status=pending'
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import uvloop

from bench import dataset, run, servers

ROOT = Path(__file__).resolve().parents[1]


def build(app_name: str, database_url: str) -> tuple[Any, str]:
    """The ASGI app and the path prefix of its GET by id."""
    os.environ["DATABASE_URL"] = database_url
    if app_name == "origin":
        os.environ |= servers.origin_spec(database_url, 0).env
        os.environ["LOG_REQUESTS"] = os.environ.get("LOG_REQUESTS", "1")
        from taskmaster.app import create_asgi_app

        return create_asgi_app(), "/api/v1/tasks/"
    sys.path.insert(0, str(ROOT / "bench"))
    module = __import__(servers.PEERS[app_name])
    return module.create_app(), "/tasks/"


async def lifespan(app: Any) -> tuple[asyncio.Queue, asyncio.Task]:
    inbox: asyncio.Queue = asyncio.Queue()
    started = asyncio.get_running_loop().create_future()

    async def send(message: dict) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set_result(None)

    await inbox.put({"type": "lifespan.startup"})
    task = asyncio.ensure_future(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, send)
    )
    await started
    return inbox, task


async def one(app: Any, target: str, headers: list[tuple[bytes, bytes]]) -> int:
    status = 0
    path, _, query = target.partition("?")

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
        "root_path": "", "headers": list(headers), "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    await app(scope, receive, send)
    return status


async def drive(app: Any, prefix: str, ids: list[str], key: str, total: int, conns: int) -> dict:
    """``prefix`` + a random id per request (``ids`` empty: ``prefix`` alone, a fixed GET)."""
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"application/json")]
    if key and prefix.startswith("/api"):
        headers.append((b"authorization", f"Bearer {key}".encode()))
    inbox, life = await lifespan(app)
    statuses: dict[int, int] = {}

    async def caller(count: int) -> None:
        for _ in range(count):
            target = prefix + random.choice(ids) if ids else prefix  # noqa: S311 - test ids
            status = await one(app, target, headers)
            statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(caller(200) for _ in range(conns)))  # warm-up
    statuses.clear()
    data_dir = ROOT / ".data/bench-postgres"
    cpu0, db0, wall0 = (
        time.process_time(),
        servers.postgres_cpu_seconds(data_dir),
        time.perf_counter(),
    )
    await asyncio.gather(*(caller(total // conns) for _ in range(conns)))
    cpu, db = time.process_time() - cpu0, servers.postgres_cpu_seconds(data_dir) - db0
    wall = time.perf_counter() - wall0
    served = sum(statuses.values())
    await inbox.put({"type": "lifespan.shutdown"})
    await asyncio.wait_for(life, 10)
    return {
        "requests": served, "statuses": statuses, "cpu_us": round(cpu / served * 1e6, 1),
        "db_cpu_us": round(db / served * 1e6, 1), "wall_rps": round(served / wall),
    }  # fmt: skip


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-port", type=int, default=int(os.environ.get("BENCH_DB_PORT", 54339)))
    parser.add_argument("--app", choices=["origin", *servers.PEERS], default="origin")
    parser.add_argument("-n", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--path", help="one fixed GET (path?query) instead of GET by random id")
    args = parser.parse_args(argv)
    db = dataset.start_server(ROOT / ".data/bench-postgres", args.db_port)
    ids_file = run.RESULTS_DIR / "task-ids.txt"
    if not ids_file.exists():
        run.sample_ids(db, ids_file)
    ids = ids_file.read_text().split()
    key = run.create_key(db) if args.app == "origin" else ""
    app, prefix = build(args.app, db.app_url)
    if args.path:
        prefix, ids = args.path, []
    figures = uvloop.run(drive(app, prefix, ids, key, args.n, args.connections))
    print(args.app, figures, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
