"""Claims scenario of ``make bench`` (issue 14): agents leasing work through the HTTP API of the
origin served as production serves it (granian, one worker per core), over a scratch database of
the bench cluster (``taskmaster_bench_claims``, recreated and migrated on every run).

    make bench BENCH_ARGS="--only claims"            # this scenario alone (a few minutes)
    .venv/bin/python -m bench.run --only claims --duration 10 --connections 32

Each part seeds a project of its own (INSERT … SELECT generate_series, triggers off, the counters
they keep written by the seed), then runs ``--connections`` agents for ``--duration`` seconds after
a warm-up, each agent a keep-alive HTTP/1.1 connection driven from one asyncio process:

- **claims**: ``POST /tasks/next/claim`` over 20,000 ready tasks: claims/s, p50/p99, double
  claims (a task answered twice, and tasks whose lease_token passed 1);
- **batch**: the same with ``"count": 10`` over 100,000 ready tasks: tasks leased/s;
- **size**: claim then release (the ready set stays put) over 1,000 and over 100,000 ready
  tasks: claims/s of each and their ratio (flat in size: ≥ 0.9); three rounds, the two sizes
  alternating, and the verdict on the median of the rounds' ratios (one 10-second window each
  had put the ratio anywhere between 0.83 and 1.40 from one run to the next);
- **single agent**: one agent, claims one after another over 10,000 ready tasks: the rate of the
  first 1,000 claims and of the next 5,000 (it must not fall as leases accumulate), and the CPU
  per claim of each stretch (a claim grown dearer, or a machine grown slower); three rounds, each
  over a project of its own, so the two stretches alternate, and the verdict on the median of the
  rounds' ratios (one round's first stretch lasts a second or two: the machine's speed from one
  second to the next moved a single ratio by ±10 %);
- **graph**: claim then complete (``PATCH …/status`` with ``X-Lease-Token``) over 100,000 ready
  tasks, a tenth of which has a dependant waiting on it (priority 10, so it is claimed as soon as
  it is claimable): claims/s, p50/p99, double claims, and prerequisite → dependant latency, from
  the completing answer to the dependant's claim answer.

The price list (``python -m bench.claims_bench --db-port N``, see the section near the end): the
claim statement's server CPU per claim with one index or trigger of tasks dropped in a copy of a
template database, or any SQL run on the copy (``--variant NAME=SQL``, e.g. a migration's down).

Before the first part it waits (up to 2 minutes) for the autovacuum workers that earlier
scenarios' seeds set off, then runs a CHECKPOINT, and says how long that took: their work would
otherwise share the two cores with the claims (a first run seeds a million tasks and the graph
scenario's 400,000 rows just before).

The load generator shares the machine with the server and the database: it parses responses with
``httptools`` (C, the parser uvicorn uses) because a full client library would cost more CPU per
request than the origin spends on a claim, and its share would show up as a slower server.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httptools
import msgspec
import psycopg
import uvloop

from bench import dataset, servers

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "taskmaster_bench_claims"
CLAIM = "/api/v1/tasks/next/claim"
TTL_SECONDS = 600
TARGETS = {
    "claims_per_s": 1000,
    "p99_ms": 50,
    "batch_leased_per_s": 4000,
    "size_ratio": 0.9,
    "single_ratio": 0.9,
}
SINGLE_AGENT_ROUNDS = 3
SIZES = (1_000, 100_000)  # claim + release: the ratio of the claim rates over these ready sets
SIZE_ROUNDS = 3

SEED_READY = """
INSERT INTO projects (id, name, slug) VALUES (%(project)s, %(slug)s, %(slug)s);
INSERT INTO tasks (project_id, title, priority, created_at)
SELECT %(project)s, 'claim ' || n, n %% 9, now() - interval '1 day' + n * interval '1 ms'
FROM generate_series(1, %(tasks)s) AS n;
"""
# A tenth of the ready tasks has one dependant (priority 10): blocked until it completes.
SEED_GRAPH = """
INSERT INTO projects (id, name, slug) VALUES (%(project)s, %(slug)s, %(slug)s);
CREATE TEMP TABLE ready_seed ON COMMIT DROP AS
SELECT n, gen_random_uuid() AS id FROM generate_series(1, %(tasks)s) AS n;
INSERT INTO tasks (id, project_id, title, priority, created_at, open_dependants)
SELECT id, %(project)s, 'claim ' || n, n %% 9, now() - interval '1 day' + n * interval '1 ms',
       (n %% 10 = 0)::integer
FROM ready_seed;
CREATE TEMP TABLE dependant_seed ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, id AS prerequisite FROM ready_seed WHERE n %% 10 = 0;
INSERT INTO tasks (id, project_id, title, priority, open_prerequisites)
SELECT id, %(project)s, 'dependant', 10, 1 FROM dependant_seed;
INSERT INTO task_dependencies (task_id, depends_on_task_id, dependency_type, prerequisite_open,
                               dependent_open, project_id)
SELECT id, prerequisite, 'depends_on', true, true, %(project)s FROM dependant_seed;
"""


# ---- the load generator ----------------------------------------------------------------------


class _Message:
    """httptools callbacks: collect one response body."""

    def __init__(self) -> None:
        self.body = bytearray()
        self.complete = False

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        self.complete = True


class Connection:
    """One agent's keep-alive HTTP/1.1 connection to the origin."""

    def __init__(self, host: str, port: int, key: str) -> None:
        self.host, self.port = host, port
        self.auth = f"Authorization: Bearer {key}\r\nHost: {host}\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> Connection:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def call(self, method: str, path: str, body: Any, headers: str = "") -> tuple[int, Any]:
        assert self.reader is not None and self.writer is not None
        data = msgspec.json.encode(body)
        head = (
            f"{method} {path} HTTP/1.1\r\n{self.auth}{headers}"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        self.writer.write(head.encode() + data)
        message = _Message()
        parser = httptools.HttpResponseParser(message)
        while not message.complete:
            chunk = await self.reader.read(65536)
            if not chunk:
                raise ConnectionError("the origin closed the connection")
            parser.feed_data(chunk)
        return parser.get_status_code(), msgspec.json.decode(message.body)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Tally:
    """What the agents saw during the measured window."""

    latencies_ms: list[float] = field(default_factory=list)
    claimed: Counter[str] = field(default_factory=Counter)
    leased: int = 0
    errors: Counter[int] = field(default_factory=Counter)
    claimed_at: dict[str, float] = field(default_factory=dict)
    completed_at: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_seconds: tuple[float, float] = (0.0, 0.0)  # origin, postgres, in the measured window


Step = Callable[[Connection, str, Tally, bool], Awaitable[bool]]
CpuClock = Callable[[], tuple[float, float]]  # CPU seconds so far: the origin's, postgres'


async def _run_agents(
    host: str,
    port: int,
    key: str,
    agents: int,
    seconds: float,
    warmup: float,
    step: Step,
    cpu: CpuClock | None = None,
) -> Tally:
    """``agents`` connections run ``step`` until time is up; only the window after the warm-up
    counts (and, with ``cpu``, the CPU spent in it). A step returns False when the queue is
    empty (the agent stops)."""
    tally = Tally()
    connections = [await Connection(host, port, key).open() for _ in range(agents)]
    start = time.monotonic()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    ended = [stop_at]
    cpu_from: list[tuple[float, float]] = []
    if cpu is not None:
        asyncio.get_running_loop().call_later(warmup, lambda: cpu_from.append(cpu()))

    async def agent(n: int, conn: Connection) -> None:
        while (now := time.monotonic()) < stop_at:
            if not await step(conn, f"agent-{n}", tally, now >= measure_from):
                ended[0] = min(ended[0], time.monotonic())
                return

    try:
        await asyncio.gather(*(agent(n, c) for n, c in enumerate(connections)))
    finally:
        for conn in connections:
            conn.close()
    tally.seconds = max(ended[0] - measure_from, 1e-3)
    if cpu is not None and cpu_from:
        (origin_0, postgres_0), (origin_1, postgres_1) = cpu_from[0], cpu()
        tally.cpu_seconds = (origin_1 - origin_0, postgres_1 - postgres_0)
    return tally


def _claim_step(project: str, count: int | None, then: str | None) -> Step:
    """Claim (``count`` at a time), then optionally ``release`` or ``complete`` what was leased."""
    body: dict[str, Any] = {"agent": "", "project_id": project, "ttl_seconds": TTL_SECONDS}
    if count is not None:
        body["count"] = count

    async def step(conn: Connection, agent: str, tally: Tally, measured: bool) -> bool:
        began = time.monotonic()
        status, answer = await conn.call("POST", CLAIM, body | {"agent": agent})
        done = time.monotonic()
        if status == 404:
            return False
        if status != 200:
            tally.errors[status] += measured
            return True
        leased = answer["data"] if count is not None else [answer["data"]]
        if measured:
            tally.latencies_ms.append((done - began) * 1000)
            tally.leased += len(leased)
        for task in leased:
            tally.claimed[task["id"]] += 1
            tally.claimed_at.setdefault(task["id"], done)
            if then is not None:
                await _after_claim(conn, agent, task, then, tally)
        return True

    return step


async def _after_claim(conn: Connection, agent: str, task: Any, then: str, tally: Tally) -> None:
    path = f"/api/v1/tasks/{task['id']}"
    if then == "release":
        body = {"agent": agent, "lease_token": task["lease_token"]}
        status, _ = await conn.call("POST", f"{path}/release", body)
    else:
        fence = f"X-Lease-Token: {task['lease_token']}\r\n"
        status, _ = await conn.call("PATCH", f"{path}/status", {"status": "completed"}, fence)
        tally.completed_at[task["id"]] = time.monotonic()
    if status != 200:
        tally.errors[status] += 1


def _create_step(project: str) -> Step:
    """The reference in the same run: ``POST /api/v1/tasks`` (one short write transaction)."""
    body = {"title": "reference", "project_id": project}

    async def step(conn: Connection, agent: str, tally: Tally, measured: bool) -> bool:
        began = time.monotonic()
        status, _ = await conn.call("POST", "/api/v1/tasks", body)
        if measured:
            if status == 201:
                tally.latencies_ms.append((time.monotonic() - began) * 1000)
            else:
                tally.errors[status] += 1
        return True

    return step


# ---- seeding and serving -----------------------------------------------------------------------


def _seed(url: str, statement: str, tasks: int) -> str:
    project = str(uuid.uuid4())
    params = {"project": project, "slug": f"claims-{project[:8]}", "tasks": tasks}
    with psycopg.connect(url, autocommit=True) as conn:
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")
            for part in statement.split(";\n"):
                if part.strip():
                    conn.execute(part, params)  # type: ignore[arg-type]
        conn.execute("VACUUM ANALYZE tasks, task_dependencies")
    return project


AUTOVACUUM_AT_WORK = """
SELECT count(*), string_agg(DISTINCT datname, ', ') FROM pg_stat_activity
WHERE backend_type = 'autovacuum worker'
"""


def _settle(db: dataset.Database, log: Callable[[str], None], limit_s: float = 120.0) -> None:
    """Let the cluster finish what earlier scenarios left it (autovacuum of their freshly seeded
    tables, the checkpoint their WAL asks for) before the claims are measured: that work is
    theirs, and it shares the two cores with the claims. Says what it waited for."""
    began = time.monotonic()
    seen: set[str] = set()
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        while time.monotonic() - began < limit_s:
            workers, databases = conn.execute(AUTOVACUUM_AT_WORK).fetchone()  # type: ignore[misc]
            if not workers:
                break
            seen.update((databases or "").split(", "))
            time.sleep(0.5)
        conn.execute("CHECKPOINT")
    waited, where = time.monotonic() - began, ", ".join(sorted(seen)) or "none"
    log(f"Claims: cluster settled in {waited:.1f} s (autovacuum in: {where}), then a checkpoint")


def _fresh_database(db: dataset.Database) -> str:
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    dataset.migrate(db.url(DB_NAME), ROOT)
    return db.url(DB_NAME)


def _key(admin_url: str) -> str:
    env = {**os.environ, "DATABASE_URL": admin_url}
    out = subprocess.run(
        [str(ROOT / ".venv/bin/taskmaster"), "keys", "create", "--name", "bench-claims",
         "--scopes", "admin", "--json"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return str(json.loads(out.stdout)["key"])


def _lease_tokens_above_one(url: str, project: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM tasks WHERE project_id = %s AND lease_token > 1", (project,)
        ).fetchone()
    return int(row[0]) if row else 0


def _dependants(url: str, project: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT d.task_id::text, d.depends_on_task_id::text FROM task_dependencies d"
            " JOIN tasks t ON t.id = d.task_id WHERE t.project_id = %s",
            (project,),
        ).fetchall()
    return dict(rows)


def _pgbench(db: dataset.Database, project: str, script: str, clients: int, seconds: int) -> float:
    """The SQL alone under pgbench (the embedded server's own binary), prepared, ``clients``
    clients: the ceiling the HTTP path is compared with. Returns transactions/s."""
    from taskmaster.devdb import POSTGRES_BIN_PATH

    path = ROOT / "bench/results/claims-pgbench.sql"
    path.write_text(script)
    out = subprocess.run(
        [f"{POSTGRES_BIN_PATH}/pgbench", "-n", "-M", "prepared", "-c", str(clients), "-j", "2",
         "-T", str(seconds), "-D", f"project={project}", "-f", str(path), "-h", "127.0.0.1",
         "-p", str(db.server.port), "-U", "postgres", DB_NAME],
        capture_output=True, text=True, check=True,
        # Tenancy: the sessions see every project, as the bench's admin key does over HTTP.
        env={**os.environ, "PGOPTIONS": "-c app.projects=*"},
    )  # fmt: skip
    tps = [line for line in out.stdout.splitlines() if line.startswith("tps = ")]
    return round(float(tps[0].split()[2]), 1) if tps else float("nan")


def _sql_claim_script() -> str:
    """claim_next:project with the values of an agent's call written in, the project a variable."""
    from taskmaster.graph.service import QUERIES

    query = QUERIES["claim_next:project"]
    for name, value in (("assignee", "NULL"), ("count", "1"), ("ttl_seconds", "300"),
                        ("agent", "'pgbench'"), ("project_id", ":project"),
                        # the audit context the statement sets: the session's (none here)
                        ("audit_key_id", "NULL"), ("audit_user_id", "NULL"),
                        ("audit_request_id", "NULL")):  # fmt: skip
        query = query.replace(f"%({name})s", value)
    return " ".join(query.split()) + ";\n"


# ---- figures --------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def _summary(tally: Tally) -> dict[str, Any]:
    requests = max(len(tally.latencies_ms), 1)
    origin_cpu, postgres_cpu = tally.cpu_seconds
    return {
        # CPU per request: what decides on a shared machine, where the rates are starved.
        "origin_cpu_ms": round(origin_cpu * 1000 / requests, 3),
        "postgres_cpu_ms": round(postgres_cpu * 1000 / requests, 3),
        "claims_per_s": round(len(tally.latencies_ms) / tally.seconds, 1),
        "leased_per_s": round(tally.leased / tally.seconds, 1),
        "p50_ms": _pct(tally.latencies_ms, 0.50),
        "p99_ms": _pct(tally.latencies_ms, 0.99),
        "requests": len(tally.latencies_ms),
        "errors": dict(tally.errors),
        "seconds": round(tally.seconds, 2),
    }


def _doubles(tally: Tally) -> int:
    return sum(1 for n in tally.claimed.values() if n > 1)


async def _single_agent(
    host: str, port: int, key: str, project: str, cpu: CpuClock
) -> dict[str, Any]:
    """One agent, 6,000 claims in a row: the rate of the first 1,000 and of the next 5,000, and
    the CPU per claim (origin + PostgreSQL, µs) of each stretch. The rate of one agent follows
    the machine's speed from second to second; the CPU per claim tells a claim that got dearer
    as claims accumulated from a machine that got slower."""
    conn = await Connection(host, port, key).open()
    body = {"agent": "solo", "project_id": project, "ttl_seconds": TTL_SECONDS}
    stamps: list[float] = [time.monotonic()]
    used: list[tuple[float, float]] = [cpu()]
    try:
        for n in range(6000):
            status, _ = await conn.call("POST", CLAIM, body)
            if status != 200:
                break
            stamps.append(time.monotonic())
            if n + 1 == 1000:
                used.append(cpu())
    finally:
        conn.close()
    used.append(cpu())
    claims = len(stamps) - 1
    first = 1000 / (stamps[min(1000, claims)] - stamps[0]) if claims >= 1000 else float("nan")
    rest = (claims - 1000) / (stamps[-1] - stamps[1000]) if claims > 1000 else float("nan")

    def cpu_us(start: int, end: int, count: int) -> list[float]:
        return [round((used[end][i] - used[start][i]) * 1e6 / count) for i in (0, 1)]

    figures: dict[str, Any] = {
        "claims": claims,
        "first_1000_per_s": round(first, 1),
        "next_5000_per_s": round(rest, 1),
    }
    if claims > 1000:
        figures["first_1000_cpu_us"] = cpu_us(0, 1, 1000)
        figures["next_5000_cpu_us"] = cpu_us(1, 2, claims - 1000)
    return figures


def _size_medians(runs: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """Claim + release over each size, round by round (the sizes alternate), and the medians
    the verdict reads: each size's claims/s and the rounds' ratios (largest over smallest)."""
    small, large = (runs[size] for size in SIZES)
    ratios = [b["claims_per_s"] / a["claims_per_s"] for a, b in zip(small, large, strict=True)]
    figures: dict[str, Any] = {"size_ratio": round(statistics.median(ratios), 3)}
    for size, rounds in runs.items():
        rates = [r["claims_per_s"] for r in rounds]
        figures[f"size_{size}"] = {"claims_per_s": statistics.median(rates), "rounds": rounds}
    return figures


def _single_agent_medians(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The rounds of the one agent, and the medians the verdict reads: of each stretch's rate, of
    the rounds' ratios (next 5,000 over first 1,000), and of each stretch's CPU per claim."""

    def median(values: list[float]) -> float:
        return statistics.median(values) if values else float("nan")

    ratios = [r["next_5000_per_s"] / r["first_1000_per_s"] for r in rounds if r["claims"] > 1000]
    figures: dict[str, Any] = {
        "rounds": rounds,
        "first_1000_per_s": round(median([r["first_1000_per_s"] for r in rounds]), 1),
        "next_5000_per_s": round(median([r["next_5000_per_s"] for r in rounds]), 1),
        "ratio": round(median(ratios), 3),
    }
    for stretch in ("first_1000_cpu_us", "next_5000_cpu_us"):
        pairs = [r[stretch] for r in rounds if stretch in r]
        if pairs:
            figures[stretch] = [round(median([p[i] for p in pairs])) for i in (0, 1)]
    return figures


def run(
    db: dataset.Database,
    duration: int,
    warmup: int,
    agents: int,
    log: Callable[[str], None] = print,
    port: int | None = None,
) -> dict[str, Any]:
    """Every part of the scenario against a fresh database; returns the figures."""
    from taskmaster.devdb import free_port

    _settle(db, log)
    admin_url = _fresh_database(db)
    key = _key(admin_url)
    app_url = f"postgresql://{dataset.APP_ROLE}@127.0.0.1:{db.server.port}/{DB_NAME}"
    spec = servers.origin_spec(app_url, port or free_port())
    origin = servers.start(spec, ROOT, ROOT / "bench/results/logs")
    host, http_port = "127.0.0.1", spec.port
    figures: dict[str, Any] = {"agents": agents, "duration_s": duration}

    def cpu() -> tuple[float, float]:
        return servers.cpu_seconds(origin), servers.postgres_cpu_seconds(db.server.data_dir)

    def run_agents(step: Step) -> Tally:
        return uvloop.run(_run_agents(host, http_port, key, agents, duration, warmup, step, cpu))

    def load(project: str, count: int | None = None, then: str | None = None) -> Tally:
        return run_agents(_claim_step(project, count, then))

    try:
        log(f"Claims: reference, {agents} agents on POST /api/v1/tasks …")
        project = _seed(admin_url, SEED_READY, 0)
        tally = run_agents(_create_step(project))
        figures["reference_post_task"] = _summary(tally)
        log(f"Claims: {agents} agents over 20,000 ready tasks …")
        project = _seed(admin_url, SEED_READY, 20_000)
        tally = load(project)
        figures["claims"] = _summary(tally) | {
            "double_claims": _doubles(tally),
            "lease_token_above_1": _lease_tokens_above_one(admin_url, project),
        }
        log(f"Claims: the SQL alone (pgbench, {agents} clients) …")
        project = _seed(admin_url, SEED_READY, 20_000)
        figures["sql_claims_per_s"] = _pgbench(db, project, _sql_claim_script(), agents, duration)
        insert = "INSERT INTO tasks (project_id, title) VALUES (:project, 'reference');\n"
        figures["sql_inserts_per_s"] = _pgbench(db, project, insert, agents, duration)
        log(f"Claims: count=10, {agents} agents over 100,000 ready tasks …")
        project = _seed(admin_url, SEED_READY, 100_000)
        tally = load(project, count=10)
        figures["batch"] = _summary(tally) | {"double_claims": _doubles(tally)}
        # Claim + release keeps a ready set as it is, so both projects serve every round.
        sized = {size: _seed(admin_url, SEED_READY, size) for size in SIZES}
        runs: dict[int, list[dict[str, Any]]] = {size: [] for size in SIZES}
        for n in range(SIZE_ROUNDS):
            for size in SIZES if n % 2 == 0 else SIZES[::-1]:
                log(f"Claims: claim + release over {size:,} ready tasks, round {n + 1} …")
                runs[size].append(_summary(load(sized[size], then="release")))
        figures |= _size_medians(runs)
        rounds = []
        for n in range(SINGLE_AGENT_ROUNDS):
            log(f"Claims: one agent, 6,000 claims in a row, round {n + 1} …")
            project = _seed(admin_url, SEED_READY, 10_000)
            _settle(db, log)  # the earlier parts' autovacuum would share the cores with one stretch
            rounds.append(uvloop.run(_single_agent(host, http_port, key, project, cpu)))
        figures["single_agent"] = _single_agent_medians(rounds)
        log(f"Claims: claim + complete, {agents} agents over 100,000 ready tasks with dependants …")
        project = _seed(admin_url, SEED_GRAPH, 100_000)
        tally = load(project, then="complete")
        waits = _unblock_latencies(tally, _dependants(admin_url, project))
        figures["graph"] = _summary(tally) | {
            "double_claims": _doubles(tally),
            "unblocked": len(waits),
            "unblock_p50_ms": _pct(waits, 0.5),
            "unblock_p99_ms": _pct(waits, 0.99),
        }
    finally:
        servers.stop(origin)
    return figures


def _unblock_latencies(tally: Tally, dependants: dict[str, str]) -> list[float]:
    """Completing answer of the prerequisite → claim answer of its dependant, in ms."""
    waits = []
    for dependant, prerequisite in dependants.items():
        if dependant in tally.claimed_at and prerequisite in tally.completed_at:
            waits.append((tally.claimed_at[dependant] - tally.completed_at[prerequisite]) * 1000)
    return waits


def lines(figures: dict[str, Any] | None) -> list[str]:
    """The figures as report lines, each against its target where the issue set one."""
    if not figures:
        return ["  (not run)"]
    if "error" in figures:
        return [f"  error: {figures['error']}"]
    c, b, g, s = figures["claims"], figures["batch"], figures["graph"], figures["single_agent"]
    small, large = figures["size_1000"], figures["size_100000"]

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    ok = c["claims_per_s"] >= TARGETS["claims_per_s"] and c["p99_ms"] <= TARGETS["p99_ms"]
    ok = ok and c["double_claims"] == 0 and c["lease_token_above_1"] == 0
    ref = figures.get("reference_post_task") or {}
    return [
        f"  reference, same run: POST /api/v1/tasks {ref.get('claims_per_s', 0):,.0f}/s,"
        f" p99 {ref.get('p99_ms')} ms; next/claim runs at"
        f" {c['claims_per_s'] / max(ref.get('claims_per_s') or 1, 1):.2f}x that",
        f"  CPU per request (ms, origin + postgres): next/claim {c.get('origin_cpu_ms')} +"
        f" {c.get('postgres_cpu_ms')}; POST /api/v1/tasks {ref.get('origin_cpu_ms')} +"
        f" {ref.get('postgres_cpu_ms')}; count=10 {b.get('origin_cpu_ms')} +"
        f" {b.get('postgres_cpu_ms')}",
        f"  the SQL alone, same run (pgbench, prepared): claim {figures.get('sql_claims_per_s')}/s,"
        f" INSERT INTO tasks {figures.get('sql_inserts_per_s')}/s",
        f"  {figures['agents']} agents, next/claim over 20,000 ready: {c['claims_per_s']:,.0f}"
        f" claims/s, p50 {c['p50_ms']} ms, p99 {c['p99_ms']} ms, double claims"
        f" {c['double_claims']} (lease_token > 1: {c['lease_token_above_1']}), errors"
        f" {c['errors'] or 0}  [≥ 1,000/s, p99 ≤ 50 ms, 0 double: {verdict(ok)}]",
        f"  count=10 over 100,000 ready: {b['leased_per_s']:,.0f} tasks leased/s"
        f" ({b['claims_per_s']:,.0f} requests/s, p99 {b['p99_ms']} ms), double claims"
        f" {b['double_claims']}  [≥ 4,000/s:"
        f" {verdict(b['leased_per_s'] >= TARGETS['batch_leased_per_s'])}]",
        f"  claim + release, median of {len(small.get('rounds', [])) or 1} rounds: over 1,000"
        f" ready {small['claims_per_s']:,.0f} claims/s; over 100,000:"
        f" {large['claims_per_s']:,.0f} claims/s; ratio {figures['size_ratio']}"
        f"  [≥ 0.9: {verdict(figures['size_ratio'] >= TARGETS['size_ratio'])}]; rounds: "
        + ", ".join(
            f"{a['claims_per_s']:,.0f} vs {b['claims_per_s']:,.0f}"
            for a, b in zip(small.get("rounds", []), large.get("rounds", []), strict=False)
        ),
        f"  one agent, median of {len(s.get('rounds', [])) or 1} rounds: first 1,000 claims"
        f" {s['first_1000_per_s']:,.0f}/s, next 5,000 {s['next_5000_per_s']:,.0f}/s, ratio"
        f" {s.get('ratio')}  [does not fall, ≥ 0.9:"
        f" {verdict(s.get('ratio', 0) >= TARGETS['single_ratio'])}]; CPU per claim (µs,"
        f" origin + postgres): {_pair(s.get('first_1000_cpu_us'))} then"
        f" {_pair(s.get('next_5000_cpu_us'))}; rounds: "
        + ", ".join(
            f"{r['first_1000_per_s']:,.0f} → {r['next_5000_per_s']:,.0f}"
            for r in s.get("rounds", [])
        ),
        f"  claim + complete over 100,000 ready with dependants: {g['claims_per_s']:,.0f}"
        f" claims/s, p50 {g['p50_ms']} ms, p99 {g['p99_ms']} ms, double claims"
        f" {g['double_claims']}; prerequisite completed → dependant claimed: p50"
        f" {g['unblock_p50_ms']} ms, p99 {g['unblock_p99_ms']} ms ({g['unblocked']} dependants)",
    ]


def _pair(values: list[float] | None) -> str:
    return " + ".join(f"{v:,.0f}" for v in values) if values else "n/a"


# ---- the price list: the claim statement's database CPU, one index or trigger dropped ---------
#
#     .venv/bin/python -m bench.claims_bench --db-port 54344 [--count 10] [--rounds 2]
#
# A template database (migrated, one project of ready tasks) is copied once per variant; the copy
# loses one index or trigger, then one connection runs the claim statement (prepared) over and
# over, and its backend's CPU (/proc) per claim, minus the baseline's, is that index's or trigger's
# price; pgbench (``--clients``) gives the rate of the same copy under concurrent claimers.
# Indexes the claim statement reads are not priced.

PRICES_DB = "taskmaster_bench_prices"
# what the claim statement reads (dropping one would change its plan, not price its upkeep)
CLAIM_READS = ("tasks_pkey", "tasks_project_claim_queue_idx", "tasks_project_lease_due_idx")
PRICED_TRIGGERS = ("tasks_log_update", "tasks_mark_changed",
                   "tasks_sync_completion")  # fmt: skip


def _priced_indexes(url: str) -> list[str]:
    """Every index of tasks but the ones the claim statement reads."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'tasks' ORDER BY 1"
        ).fetchall()
    return [name for (name,) in rows if name not in CLAIM_READS]


def _variants(indexes: list[str], only: list[str] | None, extra: dict[str, str]) -> dict[str, str]:
    drops = {"baseline": ""}
    drops |= {f"-{name}": f"DROP INDEX {name}" for name in indexes}
    drops |= {f"-{name}": f"DROP TRIGGER {name} ON tasks" for name in PRICED_TRIGGERS}
    chosen = {k: v for k, v in drops.items() if only is None or k == "baseline" or k[1:] in only}
    return chosen | extra


def _proc_cpu_seconds(pid: int) -> float:
    """Time the process spent on a CPU (ns in /proc/PID/schedstat: finer than stat's ticks)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def backend_us_per_claim(url: str, script: str, project: str, claims: int) -> tuple[float, float]:
    """Server CPU per claim of one backend running the statement ``claims`` times (after a
    warm-up that takes it to its generic plan), from /proc: only that statement's work; and the
    slowest claim's wall time in ms (a GIN pending-list flush shows there)."""
    query = script.replace(":project", "%(project)s").rstrip().rstrip(";")
    slowest = 0.0
    with psycopg.connect(url, autocommit=True, prepare_threshold=0) as conn:
        conn.execute("SET app.projects = '*'")
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        for _ in range(200):
            conn.execute(query, {"project": project}).fetchall()  # type: ignore[arg-type]
        before = _proc_cpu_seconds(pid)
        for _ in range(claims):
            began = time.perf_counter()
            conn.execute(query, {"project": project}).fetchall()  # type: ignore[arg-type]
            slowest = max(slowest, time.perf_counter() - began)
        return (_proc_cpu_seconds(pid) - before) * 1e6 / claims, slowest * 1000


def function_us_per_claim(url: str, script: str, project: str, claims: int) -> dict[str, float]:
    """Self time per claim of each trigger function and function it calls (µs, wall time:
    ``track_functions = all``, ``pg_stat_user_functions``), over ``claims`` claims."""
    query = script.replace(":project", "%(project)s").rstrip().rstrip(";")
    with psycopg.connect(url, autocommit=True, prepare_threshold=0) as conn:
        conn.execute("SET app.projects = '*'")
        conn.execute("SET track_functions = 'all'")
        conn.execute("SELECT pg_stat_reset()")
        for _ in range(claims):
            conn.execute(query, {"project": project}).fetchall()  # type: ignore[arg-type]
    with psycopg.connect(url, autocommit=True) as conn:  # the backend above flushed at exit
        rows = conn.execute("SELECT funcname, self_time FROM pg_stat_user_functions").fetchall()
    return {name: round(ms * 1000 / claims, 1) for name, ms in rows}


def _copy_database(db: dataset.Database, copy: str, drop: str) -> str:
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{PRICES_DB}"')
    if drop:
        with psycopg.connect(db.url(copy), autocommit=True) as conn:
            conn.execute(drop)
    return db.url(copy)


def prices(
    db: dataset.Database, count: int, clients: int, seconds: int, rounds: int, claims: int,
    only: list[str] | None = None, extra: dict[str, str] | None = None,
    functions: bool = False, log: Callable[[str], None] = print,
) -> dict[str, dict[str, float]]:  # fmt: skip
    """Per variant (the baseline, one index or trigger dropped, or ``extra``: name → SQL run on
    the copy): server µs per claim (one backend), the slowest claim, and claims/s under pgbench
    with ``clients`` (0: not run), medians over ``rounds`` (the variants interleaved)."""
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PRICES_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PRICES_DB}"')
    dataset.migrate(db.url(PRICES_DB), ROOT)
    project = _seed(db.url(PRICES_DB), SEED_READY, max(20_000, 10_000 * count))  # never runs dry
    script = _sql_claim_script().replace("LIMIT 1", f"LIMIT {count}")
    indexes = _priced_indexes(db.url(PRICES_DB))
    runs: dict[str, list[tuple[float, float, float]]] = {}
    copy = f"{PRICES_DB}_copy"
    for _ in range(rounds):
        for name, drop in _variants(indexes, only, extra or {}).items():
            url = _copy_database(db, copy, drop)
            cost, slowest = backend_us_per_claim(url, script, project, claims)
            if functions:
                log(
                    f"  {name}: functions, µs per claim: {function_us_per_claim(url, script, project, claims)}"
                )
            rate = float("nan")
            if clients:
                done = _pgbench_transactions(db, copy, script, clients, seconds, project)
                rate = done / seconds
            runs.setdefault(name, []).append((rate, cost, slowest))
            log(f"  {name}: {cost:,.0f} µs per claim (slowest {slowest:.1f} ms), {rate:,.0f}/s")

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    return {
        name: {
            "claims_per_s": median([r[0] for r in figures]),
            "us_per_claim": median([r[1] for r in figures]),
            "slowest_ms": max(r[2] for r in figures),
        }
        for name, figures in runs.items()
    }


def _pgbench_transactions(db: dataset.Database, dbname: str, script: str, clients: int,
                          seconds: int, project: str) -> int:  # fmt: skip
    from taskmaster.devdb import POSTGRES_BIN_PATH

    path = ROOT / "bench/results/claims-prices.sql"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script)
    out = subprocess.run(
        [f"{POSTGRES_BIN_PATH}/pgbench", "-n", "-M", "prepared", "-c", str(clients), "-j", "2",
         "-T", str(seconds), "-D", f"project={project}", "-f", str(path), "-h", "127.0.0.1",
         "-p", str(db.server.port), "-U", "postgres", dbname],
        capture_output=True, text=True, check=True,
        env={**os.environ, "PGOPTIONS": "-c app.projects=*"},
    )  # fmt: skip
    done = [line for line in out.stdout.splitlines() if "transactions actually processed" in line]
    return int(done[0].split(":")[1].split("/")[0]) if done else 0


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="the claim statement's price list")
    parser.add_argument("--db-port", type=int, default=int(os.environ.get("BENCH_DB_PORT", 54339)))
    parser.add_argument("--data-dir", default=str(ROOT / ".data/bench-postgres"))
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--clients", type=int, default=0, help="pgbench clients (0: no pgbench)")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--claims", type=int, default=2000, help="claims per variant, one backend")
    parser.add_argument("--only", nargs="*", help="these indexes/triggers only (and the baseline)")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=SQL",
        help="another variant: SQL run on the copy (e.g. a migration's down)",
    )
    parser.add_argument("--functions", action="store_true", help="also pg_stat_user_functions")
    args = parser.parse_args(argv)
    extra = dict(v.split("=", 1) for v in args.variant)
    db = dataset.start_server(Path(args.data_dir), args.db_port)
    table = prices(db, args.count, args.clients, args.seconds, args.rounds, args.claims,
                   args.only, extra, args.functions)  # fmt: skip
    base = table["baseline"]["us_per_claim"]
    print(f"count={args.count}, {args.clients} clients, {args.seconds} s, median of {args.rounds}")
    for name, row in table.items():
        print(f"{name:40} {row['us_per_claim']:7,.0f} µs ({row['us_per_claim'] - base:+5,.0f})"
              f"  slowest {row['slowest_ms']:6.1f} ms  {row['claims_per_s']:8,.0f}/s")  # fmt: skip
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
