"""CPU per request of ``GET /api/v1/tasks/{id}`` (or of one fixed GET, ``--path``, e.g. a list
page) with the app driven in process: no HTTP server,
no wrk, so the figure moves little with the machine's other load (decisions on a shared machine).

32 concurrent callers (one asyncio task each, uvloop) send ASGI requests straight to the app; the
process's CPU time and the bench PostgreSQL's are divided by the requests served. The origin app
(``create_asgi_app``: front layer, lean path, the whole app) and the peers (``bench/*_app.py``)
run the same way. Needs the bench database running (``bench.run`` leaves it up):

    .venv/bin/python -m bench.in_process --db-port 54351 [--app origin|naive|asyncpg] [-n 20000]
    .venv/bin/python -m bench.in_process --db-port 54351 --path '/api/v1/tasks?status=pending'
    .venv/bin/python -m bench.in_process --db-port 54351 --claim [--count 10] [-n 10000]

``--claim``: ``POST /api/v1/tasks/next/claim`` instead (issue 14), each caller an agent of its
own, over a project seeded per run (as ``bench/claims_bench.py`` seeds one) in the claims
scenario's database (``taskmaster_bench_claims``, created and migrated when missing), with enough
ready tasks that no claim finds the queue empty; ``--count``: batch claims of that many. Run it
from another tree's ``origin/`` (``PYTHONPATH=/tmp/main/origin``) for an A/B on the same data.
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

import msgspec
import uvloop

from bench import claims_bench, dataset, run, servers

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


async def one(
    app: Any,
    target: str,
    headers: list[tuple[bytes, bytes]],
    method: str = "GET",
    body: bytes = b"",
) -> int:
    status = 0
    path, _, query = target.partition("?")
    if body:
        headers = [*headers, (b"content-type", b"application/json"),
                   (b"content-length", b"%d" % len(body))]  # fmt: skip

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
        "root_path": "", "headers": list(headers), "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    await app(scope, receive, send)
    return status


async def drive(
    app: Any,
    prefix: str,
    ids: list[str],
    key: str,
    total: int,
    conns: int,
    claim: dict[str, Any] | None = None,
    warmup: int = 200,
) -> dict:
    """``prefix`` + a random id per request (``ids`` empty: ``prefix`` alone, a fixed GET);
    with ``claim`` (a next/claim body), POSTs of it to ``prefix``, the agent named per caller."""
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"application/json")]
    if key and prefix.startswith("/api"):
        headers.append((b"authorization", f"Bearer {key}".encode()))
    inbox, life = await lifespan(app)
    statuses: dict[int, int] = {}
    callers = iter(range(10 * conns))

    async def caller(count: int) -> None:
        agent = next(callers)
        body = msgspec.json.encode(claim | {"agent": f"agent-{agent}"}) if claim else b""
        for _ in range(count):
            if claim is not None:
                status = await one(app, prefix, headers, "POST", body)
            else:
                target = prefix + random.choice(ids) if ids else prefix  # noqa: S311 - test ids
                status = await one(app, target, headers)
            statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(caller(warmup) for _ in range(conns)))
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
    parser.add_argument("--claim", action="store_true", help="POST /api/v1/tasks/next/claim")
    parser.add_argument("--count", type=int, help="with --claim: batch claims of this many")
    parser.add_argument("--warmup", type=int, default=200, help="requests per caller, unmeasured")
    args = parser.parse_args(argv)
    db = dataset.start_server(ROOT / ".data/bench-postgres", args.db_port)
    if args.claim:
        claim_run(db, args)
        return
    ids_file = run.RESULTS_DIR / "task-ids.txt"
    if not ids_file.exists():
        run.sample_ids(db, ids_file)
    ids = ids_file.read_text().split()
    key = run.create_key(db) if args.app == "origin" else ""
    app, prefix = build(args.app, db.app_url)
    if args.path:
        prefix, ids = args.path, []
    figures = uvloop.run(drive(app, prefix, ids, key, args.n, args.connections, None, args.warmup))
    print(args.app, figures, flush=True)


def claim_run(db: dataset.Database, args: argparse.Namespace) -> None:
    """``--claim``: the origin's next/claim over a project seeded for this run."""
    admin_url = db.url(claims_bench.DB_NAME)
    dataset.migrate(admin_url, ROOT)  # creates the database when missing
    per_request = args.count or 1
    tasks = (args.n + args.warmup * args.connections) * per_request + 1_000
    project = claims_bench._seed(admin_url, claims_bench.SEED_READY, tasks)
    key = claims_bench._key(admin_url)
    app_url = f"postgresql://{dataset.APP_ROLE}@127.0.0.1:{db.server.port}/{claims_bench.DB_NAME}"
    app, _ = build("origin", app_url)
    body: dict[str, Any] = {"project_id": project, "ttl_seconds": claims_bench.TTL_SECONDS}
    if args.count is not None:
        body["count"] = args.count
    figures = uvloop.run(
        drive(app, claims_bench.CLAIM, [], key, args.n, args.connections, body, args.warmup)
    )
    print("claim" + (f" count={args.count}" if args.count else ""), figures, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
