"""Stream scenario of ``make bench`` (issue 17): the event log's fan-out and its cost to writers,
against the origin served as production serves it (granian, one worker per core), over a scratch
database of the bench cluster (``taskmaster_bench_stream``, recreated and migrated every run).

    make bench BENCH_ARGS="--only stream"            # this scenario alone (about a minute)
    .venv/bin/python -m bench.run --only stream --duration 10 --connections 32

- **fan-out**: 1,000 SSE subscribers (``GET /api/v1/stream``, keep-alive connections of one
  asyncio process counting ``id:`` lines), then a burst of events written straight to the
  database (INSERT … SELECT of tasks, in statements of 100): events delivered per second to all
  subscribers together, from the first write to the last subscriber's last event, and how long
  the slowest subscriber took;
- **write cost**: ``POST /api/v1/tasks`` by ``--connections`` agents (the claims scenario's load
  generator) with the event log's triggers enabled and disabled (``ALTER TABLE … DISABLE
  TRIGGER``, the same run and database), alternated twice, best of each: requests/s and p50/p99.

The subscribers share the machine (2 cores) with the server and PostgreSQL, so the fan-out
figure is a floor of what the origin can do; read it with the CPU figures beside it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import uvloop

from bench import claims_bench, dataset, servers

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "taskmaster_bench_stream"
SUBSCRIBERS = 1000
EVENTS = 2000
INSERT_BATCH = 100
# tasks_log_update also writes the audit row of an update (migration log_row_updates_once); the
# bench posts tasks, so it is off only for the few updates of a run.
LOG_TRIGGERS = ("tasks_event_log_insert", "tasks_log_update", "tasks_event_log_delete")


def _fresh_database(db: dataset.Database) -> str:
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    dataset.migrate(db.url(DB_NAME), ROOT)
    return db.url(DB_NAME)


def _project(url: str) -> str:
    project = str(uuid.uuid4())
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO projects (id, name, slug) VALUES (%s, %s, %s)",
            (project, f"stream-{project[:8]}", f"stream-{project[:8]}"),
        )
    return project


async def _subscribe(
    host: str, port: int, key: str, project: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """An open stream (the writer is kept: a collected StreamWriter closes its connection)."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        f"GET /api/v1/stream?project_id={project} HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {key}\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"subscribe refused: {head[:200]!r}")
    return reader, writer


async def _count(reader: asyncio.StreamReader, expected: int, done: list[float]) -> None:
    """Read until ``expected`` events arrived (chunked framing is left in: ids are counted)."""
    seen = 0
    tail = b""
    while seen < expected:
        chunk = await reader.read(262144)
        if not chunk:
            raise RuntimeError(f"a subscriber's stream ended after {seen} events: {tail!r}")
        data = tail + chunk
        seen += data.count(b"\nid: ") - tail.count(b"\nid: ")
        tail = data[-200:]
    done.append(time.monotonic())


async def _fan_out(host: str, port: int, key: str, url: str) -> dict[str, Any]:
    project = _project(url)
    streams: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    for _ in range(SUBSCRIBERS // 100):
        streams += await asyncio.gather(*(_subscribe(host, port, key, project) for _ in range(100)))
    await asyncio.sleep(1)  # every stream registered with its process's hub
    done: list[float] = []
    counters = [asyncio.create_task(_count(r, EVENTS, done)) for r, _ in streams]
    began = time.monotonic()

    def write() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            for _ in range(EVENTS // INSERT_BATCH):
                conn.execute(
                    "INSERT INTO tasks (project_id, title) SELECT %s, 'fan-out ' || n"
                    " FROM generate_series(1, %s) n",
                    (project, INSERT_BATCH),
                )

    await asyncio.to_thread(write)
    written = time.monotonic() - began
    await asyncio.wait_for(asyncio.gather(*counters), 120)
    elapsed = max(done) - began
    for _, writer in streams:
        writer.close()
    return {
        "subscribers": SUBSCRIBERS,
        "events": EVENTS,
        "delivered": SUBSCRIBERS * EVENTS,
        "seconds": round(elapsed, 2),
        "write_seconds": round(written, 2),
        "events_per_s_delivered": round(SUBSCRIBERS * EVENTS / elapsed),
        "first_subscriber_done_s": round(min(done) - began, 2),
    }


def _set_log_triggers(url: str, enabled: bool) -> None:
    verb = "ENABLE" if enabled else "DISABLE"
    with psycopg.connect(url, autocommit=True) as conn:
        for trigger in LOG_TRIGGERS:
            conn.execute(f"ALTER TABLE tasks {verb} TRIGGER {trigger}")  # type: ignore[arg-type]


def _post_tasks(
    host: str, port: int, key: str, project: str, agents: int, duration: int, warmup: int
) -> dict[str, Any]:
    step = claims_bench._create_step(project)
    tally = uvloop.run(claims_bench._run_agents(host, port, key, agents, duration, warmup, step))
    figures = claims_bench._summary(tally)
    return {"per_s": figures["claims_per_s"], "p50_ms": figures["p50_ms"],
            "p99_ms": figures["p99_ms"], "errors": figures["errors"]}  # fmt: skip


def run(
    db: dataset.Database, duration: int, warmup: int, agents: int,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:  # fmt: skip
    from taskmaster.devdb import free_port

    url = _fresh_database(db)
    key = claims_bench._key(url)
    app_url = f"postgresql://{dataset.APP_ROLE}@127.0.0.1:{db.server.port}/{DB_NAME}"
    spec = servers.origin_spec(app_url, free_port())
    # The burst is written faster than 1,000 streams on 2 shared cores drain it: a queue of the
    # whole burst, so the figure is the fan-out's rate, not the overflow cut (tested elsewhere).
    # Each open stream holds one of granian's concurrent-request slots (backpressure, by default
    # backlog / workers = 512 here): room for every subscriber on whichever worker gets it.
    spec.env |= {
        "STREAM_MAX_PER_PRINCIPAL": str(SUBSCRIBERS * 2),
        "STREAM_QUEUE_MAX": str(EVENTS),
        "GRANIAN_BACKPRESSURE": str(SUBSCRIBERS * 2),
    }
    origin = servers.start(spec, ROOT, ROOT / "bench/results/logs")
    host = "127.0.0.1"
    figures: dict[str, Any] = {"agents": agents, "duration_s": duration}
    try:
        log(f"Stream: {SUBSCRIBERS} SSE subscribers, {EVENTS} events …")
        figures["fan_out"] = uvloop.run(_fan_out(host, spec.port, key, url))
        project = _project(url)
        runs: dict[str, list[dict[str, Any]]] = {"with_log": [], "without_log": []}
        for _ in range(2):
            for name, enabled in (("with_log", True), ("without_log", False)):
                log(
                    f"Stream: POST /api/v1/tasks, {agents} agents, event log {'on' if enabled else 'off'} …"
                )
                _set_log_triggers(url, enabled)
                runs[name].append(
                    _post_tasks(host, spec.port, key, project, agents, duration, warmup)
                )
        _set_log_triggers(url, True)
        for name, results in runs.items():
            figures[name] = max(results, key=lambda r: r["per_s"])
        figures["write_cost_ratio"] = round(
            figures["with_log"]["per_s"] / max(figures["without_log"]["per_s"], 1), 3
        )
    finally:
        servers.stop(origin)
    return figures


def lines(figures: dict[str, Any] | None) -> list[str]:
    if not figures:
        return ["  (not run)"]
    if "error" in figures:
        return [f"  error: {figures['error']}"]
    f, on, off = figures["fan_out"], figures["with_log"], figures["without_log"]
    return [
        f"  fan-out: {f['subscribers']:,} SSE subscribers x {f['events']:,} events ="
        f" {f['delivered']:,} deliveries in {f['seconds']} s: {f['events_per_s_delivered']:,}"
        f" events/s delivered (writes took {f['write_seconds']} s; first subscriber done"
        f" at {f['first_subscriber_done_s']} s)",
        f"  POST /api/v1/tasks, {figures['agents']} agents, same run, best of 2:"
        f" with the event log {on['per_s']:,.0f}/s p50 {on['p50_ms']} ms p99 {on['p99_ms']} ms;"
        f" without {off['per_s']:,.0f}/s p50 {off['p50_ms']} ms p99 {off['p99_ms']} ms"
        f" (ratio {figures['write_cost_ratio']})",
    ]
