"""``make bench``: seed (once), serve the origin and its peers as production does, load them with
wrk, measure the edge pipeline and the task graph, and report every figure against its target.

    .venv/bin/python -m bench.run [--duration 10] [--connections 32] [--rounds 3] [--at REV] [--profile]

Steps (each its own module): :mod:`dataset` (embedded PostgreSQL under ``.data/bench-postgres``,
1M tasks by COPY, reused between runs), :mod:`servers` (granian, one worker per core, uvloop),
:mod:`load` (wrk + Lua scripts in ``bench/wrk/``), :mod:`report` (table, PASS/FAIL, JSON and
``bench/results/summary.md``). The throughput targets are ratios to the peers serving the same work
(naive psycopg_pool, asyncpg) measured in the same run: every server runs in turn, round after
round, so all see the same machine noise, and the medians of the rounds are compared.

To add a scenario: add its wrk script, run it in :func:`measure` and give it a :class:`report.Row`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench import at_rev, claims_bench, dataset, profiling, report, servers, stream_bench
from bench.load import LoadConfig, run_wrk

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
LIST_QUERY = "status=pending&sort=-created_at"
DEPTH = 10_000
PAGE_LIMIT = 50  # the default page size, for page 1 and the deep page alike
# POST /logs/batch: entries per request (the route takes up to 10,000) and concurrent clients; a
# bulk-ingest endpoint is measured at bulk sizes, a few writers at a time.
LOG_BATCH = 5_000
LOG_CONNECTIONS = 4
LOGS_PATH = "/api/v1/logs/batch"
PEER_LABELS = {
    "naive": "naive peer: Litestar + psycopg_pool, dict_row, select *",
    "asyncpg": "asyncpg peer: Litestar + asyncpg fetchrow, select *",
}
GET_LABEL = "GET /api/v1/tasks/{id} (authenticated, random ids)"
CORE_LABEL = "  diagnostic: origin pool + TASKS.get_json only (no auth/middleware)"


def log(message: str) -> None:
    print(message, flush=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 10)))
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--rounds", type=int, default=3,
        help="alternating rounds of every server (GET by id) and scenario; medians reported",
    )  # fmt: skip
    parser.add_argument("--db-port", type=int, default=int(os.environ.get("BENCH_DB_PORT", 54339)))
    parser.add_argument("--data-dir", default=str(ROOT / ".data/bench-postgres"))
    parser.add_argument("--tasks", type=int, default=1_000_000, help="dataset size (tasks)")
    parser.add_argument("--profile", action="store_true", help="py-spy the origin under GET load")
    parser.add_argument(
        "--at", metavar="REV", action="append", default=[],
        help="also serve the origin as committed at REV (repeatable), on a copy of the database "
        "rolled back to REV's schema, in the GET-by-id rounds beside the working tree's",
    )  # fmt: skip
    parser.add_argument("--skip-edge", action="store_true")
    parser.add_argument(
        "--edge-only", action="store_true",
        help="only the edge figures (start-up, CPU per request): no dataset, no origin under load",
    )  # fmt: skip
    parser.add_argument("--skip-graph", action="store_true")
    parser.add_argument("--skip-claims", action="store_true")
    parser.add_argument("--skip-stream", action="store_true")
    parser.add_argument(
        "--only", choices=["claims", "stream"],
        help="run one scenario alone (claims: bench/claims_bench.py, stream: bench/stream_bench.py)",
    )  # fmt: skip
    parser.add_argument("--origin-port", type=int, default=None, help="claims: the origin's port")
    return parser.parse_args(argv)


# ---- talking to the origin -------------------------------------------------------------------


def api(base: str, key: str, path: str, body: Any = None) -> Any:
    method = "GET" if body is None else "POST"
    request = urllib.request.Request(base + path, method=method)  # noqa: S310 - our http URL
    request.add_header("Authorization", f"Bearer {key}")
    request.add_header("Accept", "application/json")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, data=data, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def create_key(db: dataset.Database) -> str:
    env = {**os.environ, "DATABASE_URL": db.admin_url}
    out = subprocess.run(
        [str(ROOT / ".venv/bin/taskmaster"), "keys", "create", "--name",
         f"bench-{int(time.time())}", "--scopes", "admin", "--json"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)["key"]


def sample_ids(db: dataset.Database, path: Path, count: int = 20_000) -> int:
    with psycopg.connect(db.admin_url) as conn:
        rows = conn.execute(
            "SELECT id FROM tasks TABLESAMPLE SYSTEM (5) REPEATABLE (8) LIMIT %s", (count,)
        ).fetchall()
        path.write_text("".join(f"{row[0]}\n" for row in rows))
    return len(rows)


def writes_project(db: dataset.Database) -> str:
    with psycopg.connect(db.admin_url) as conn:
        row = conn.execute(
            "SELECT id FROM projects WHERE slug = %s", (dataset.WRITES_PROJECT_SLUG,)
        ).fetchone()
    assert row is not None
    return str(row[0])


def deep_cursor(base: str, key: str, depth: int) -> str:
    """A real cursor for the page after ``depth`` rows, got by walking the list once (max limit)."""
    cursor: str | None = None
    walked = 0
    while walked < depth:
        step = min(200, depth - walked)
        path = f"/api/v1/tasks?{LIST_QUERY}&limit={step}"
        if cursor:
            path += f"&cursor={cursor}"
        page = api(base, key, path)
        walked += len(page["data"])
        cursor = page["pagination"]["next_cursor"]
        if not cursor:
            raise RuntimeError(f"the list ended after {walked} rows, before depth {depth}")
    assert cursor is not None
    return cursor


def logs_route(base: str, key: str) -> dict[str, Any] | None:
    """The request schema of POST /logs/batch when the origin serves that route, else None."""
    try:
        spec = api(base, key, "/schema/openapi.json")
    except OSError:
        return None
    operation = spec.get("paths", {}).get(LOGS_PATH, {}).get("post")
    if operation is None:
        return None
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    return {"schema": schema.get("schema", {}), "components": spec.get("components", {})}


def logs_body(route: dict[str, Any], count: int) -> Any:
    """``count`` log entries shaped as the route's schema wants them: a bare array, or an object
    holding the array under its one array-typed property (e.g. ``{"entries": [...]}``)."""
    entries = [
        {
            "level": ("info", "warn", "error", "debug")[i % 4],
            "message": f"bench log line {i}: request handled",
            "source": "bench",
            "component": "bench.logs",
            "correlation_id": f"bench-{i // 10}",
            "context": {"i": i},
        }
        for i in range(count)
    ]
    schema = route["schema"]
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = route["components"].get("schemas", {}).get(name, {})
    if schema.get("type") == "array":
        return entries
    for name, prop in schema.get("properties", {}).items():
        if prop.get("type") == "array" or "items" in prop:
            return {name: entries}
    return {"entries": entries}


# ---- the measured part -----------------------------------------------------------------------


@dataclass(slots=True)
class Served:
    """A server of GET by id in the alternating rounds: its row, its wrk environment."""

    row: report.Row
    server: servers.Server
    env: dict[str, str]


def measure(
    origin: servers.Server,
    peers: dict[str, servers.Server],
    core: servers.Server,
    revisions: list[tuple[str, servers.Server]],
    db_dir: Path,
    key: str,
    ids_file: Path,
    project_id: str,
    config: LoadConfig,
    rounds: int,
    profile_dir: Path | None,
) -> tuple[dict[str, report.Row], dict[str, Any]]:
    extra: dict[str, Any] = {}
    auth = {"BENCH_KEY": key}
    ids = {"BENCH_IDS_FILE": str(ids_file)}

    log(f"Walking the list to depth {DEPTH:,} for a real cursor …")
    cursor = deep_cursor(origin.base_url, key, DEPTH)
    route = logs_route(origin.base_url, key)

    every = [origin, *peers.values(), core, *(server for _, server in revisions)]

    def on(server: servers.Server, script: str, path: str, env: dict[str, str], **kw: Any):
        with servers.alone(server, every):  # the others paused: only this one's work counts
            return run_wrk(
                script, server.base_url + path, config, env,
                cpu_of=lambda: servers.cpu_seconds(server),
                db_cpu_of=lambda: servers.postgres_cpu_seconds(db_dir), **kw,
            )  # fmt: skip

    get_env = {**ids, **auth, "BENCH_PREFIX": "/api/v1/tasks/"}
    peer_env = {**ids, "BENCH_PREFIX": "/tasks/", "BENCH_KEY": ""}
    served = [
        Served(report.Row(name, PEER_LABELS[name]), server, peer_env)
        for name, server in peers.items()
    ]
    served.append(Served(report.Row("get_task", GET_LABEL), origin, get_env))
    served += [
        Served(_scenario_row("get_task", GET_LABEL, label), server, get_env)
        for label, server in revisions
    ]  # fmt: skip
    # Every server of the same work in turn, round after round: all see the same machine noise.
    for index in range(rounds):
        for entry in served:
            log(f"GET by id, round {index + 1}/{rounds}: {entry.row.key} …")
            entry.row.runs.append(on(entry.server, "get_by_id.lua", "", entry.env))
    log("GET by id: origin data path only (diagnostic) …")
    core_row = report.Row("origin_core", CORE_LABEL)
    core_row.runs.append(on(core, "get_by_id.lua", "", {**ids, "BENCH_PREFIX": "/api/v1/tasks/"}))

    if profile_dir is not None:
        extra["profile"] = {}
        for entry in served[: len(peers) + 1]:
            name = entry.server.spec.name
            log(f"Profiling {name} under GET load (py-spy) …")
            with servers.alone(entry.server, every):
                extra["profile"][name] = profiling.profile_under_load(
                    entry.server, profile_dir, config.duration_s,
                    lambda entry=entry: run_wrk(
                        "get_by_id.lua", entry.server.base_url, config, entry.env, warmup=False
                    ),
                )  # fmt: skip

    # The list pages and POST /tasks on the working tree's origin and on every ``--at`` origin, in
    # turn, round after round; the deep cursor is walked per server (its format may differ by
    # revision) and each origin's POSTs go into its own database (REV's is a copy).
    deep_path = f"/api/v1/tasks?{LIST_QUERY}&cursor="
    post_env = {**auth, "BENCH_PROJECT_ID": project_id, "BENCH_PATH": "/api/v1/tasks"}
    origins = [("", origin, cursor)]
    for label, server in revisions:
        log(f"Walking the list to depth {DEPTH:,} on origin at {label} …")
        origins.append((label, server, deep_cursor(server.base_url, key, DEPTH)))
    # (row key, label, wrk script, its environment, the path given the server's deep cursor)
    scenarios: list[tuple[str, str, str, dict[str, str], Callable[[str], str]]] = [
        ("list_page1", f"GET /api/v1/tasks?{LIST_QUERY} page 1", "fixed.lua", auth,
         lambda _deep: f"/api/v1/tasks?{LIST_QUERY}"),
        ("list_deep", f"GET /api/v1/tasks?{LIST_QUERY} at depth {DEPTH:,} (cursor)", "fixed.lua",
         auth, lambda deep: deep_path + deep),
        ("post_task", "POST /api/v1/tasks", "post_task.lua", post_env, lambda _deep: ""),
    ]  # fmt: skip
    runs = [
        (_scenario_row(name, label, rev_label), server, script, env, path_of(deep))
        for name, label, script, env, path_of in scenarios
        for rev_label, server, deep in origins
    ]
    for index in range(rounds):
        for row, server, script, env, path in runs:
            log(f"{row.key}, round {index + 1}/{rounds} …")
            row.runs.append(on(server, script, path, env))

    logs_row = report.Row(
        "logs_batch", f"POST {LOGS_PATH} ({LOG_BATCH:,} rows/request)", rows_per_request=LOG_BATCH
    )
    if route is None:
        logs_row.note = "n/a (route not present)"
    else:
        log("POST /api/v1/logs/batch …")
        body_file = RESULTS_DIR / "logs-batch-body.json"
        body_file.write_text(json.dumps(logs_body(route, LOG_BATCH)))
        logs_env = {**auth, "BENCH_BODY_FILE": str(body_file)}
        logs_row.runs.append(
            on(origin, "post_body.lua", LOGS_PATH, logs_env, connections=LOG_CONNECTIONS)
        )
        if profile_dir is not None and logs_row.runs[0].rps * LOG_BATCH < 50_000:
            log("Profiling origin under POST /logs/batch load (py-spy) …")
            with servers.alone(origin, every):
                extra["profile"]["origin, logs batch"] = profiling.profile_under_load(
                    origin, profile_dir, config.duration_s,
                    lambda: run_wrk(
                        "post_body.lua", origin.base_url + LOGS_PATH, config, logs_env,
                        connections=LOG_CONNECTIONS, warmup=False,
                    ),
                    name="origin-logs",
                )  # fmt: skip

    rows = [*(entry.row for entry in served), core_row, *(run[0] for run in runs), logs_row]
    return {row.key: row for row in rows}, extra


def _scenario_row(key: str, label: str, rev_label: str) -> report.Row:
    """A scenario's row: the working tree's (``rev_label`` empty), or REV's beside it."""
    if not rev_label:
        return report.Row(key, label)
    return report.Row(f"{key}{report.AT}{rev_label.split()[-1]}", f"  origin at {rev_label}")


# ---- the edge and the task graph -------------------------------------------------------------


def _node_json(*command: str) -> dict[str, Any]:
    try:
        out = subprocess.run(
            ["node", *command], cwd=ROOT, capture_output=True, text=True, check=True, timeout=240
        )
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, OSError, ValueError, IndexError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


def _hit_us(data: dict[str, Any], field: str = "cpu_us_per_request") -> float | None:
    """CPU per request of the keyed GET answered from the edge cache: exactly auth + limits +
    cache lookup, no forward to the origin."""
    hit = next((r for r in data.get("results", []) if "HIT" in r["status"]), None)
    return hit.get(field) if hit else None


def edge_pipeline() -> dict[str, Any]:
    """The edge on Pyodide: its start-up (SDK + Worker import, ``edge/bench/startup.mjs``) and its
    CPU per request two ways: the pipeline alone with in-memory ports (``bench/edge_pipeline.mjs``)
    and the whole Worker through the local runner, SDK adapter and the bridge to workerd's
    bindings included, split into Worker, bridge and workerd CPU (``edge/bench/pipeline_cpu.mjs``)."""
    if not (ROOT / "edge/runner/node_modules").exists():
        return {"error": "edge runner not installed (make install)"}
    startup = _node_json(str(ROOT / "edge/bench/startup.mjs"), "--json", "--runs", "3")
    pipeline = _node_json(str(BENCH_DIR / "edge_pipeline.mjs"))
    worker = _node_json(str(ROOT / "edge/bench/pipeline_cpu.mjs"), "--json")
    return {
        "startup": startup, "pipeline": pipeline, "worker": worker,
        "pipeline_hit_us": _hit_us(pipeline), "worker_hit_us": _hit_us(worker),
        "worker_hit_own_us": _hit_us(worker, "worker_cpu_us_per_request"),
        "import_ms": (startup.get("import_total") or {}).get("cpu_ms"),
    }  # fmt: skip


def edge_only(stamp: str) -> int:
    """``--edge-only``: the edge figures and their targets, written beside the full runs'."""
    log("Edge on Pyodide (start-up, CPU per request) …")
    edge = edge_pipeline()
    targets = report.edge_targets(edge)
    text = "\n".join([
        f"TaskMaster edge benchmark {stamp} — {os.cpu_count()} cores", "",
        "Targets:", report.targets_text(targets), "",
        "Edge (Pyodide):", report.edge_text(edge),
    ])  # fmt: skip
    path = RESULTS_DIR / f"edge-{stamp}.json"
    path.write_text(json.dumps({"stamp": stamp, "edge": edge, "targets": targets}, indent=2,
                               default=report._default))  # fmt: skip
    log(text)
    log(f"Results: {path.relative_to(ROOT)}")
    return 0


def graph_figures(db: dataset.Database) -> dict[str, Any] | None:
    """``bench/graph_bench.py`` (the task-graph engineer's) when present: run as a module with
    DATABASE_URL set to a scratch, migrated database of the bench cluster, seeding its graph
    there on the first run and reusing it (``--reuse``) after; its printed figures are kept."""
    if not (BENCH_DIR / "graph_bench.py").exists():
        return None
    name = "taskmaster_bench_graph"
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f"CREATE DATABASE {name}")
    dataset.migrate(db.url(name), ROOT)
    with psycopg.connect(db.url(name)) as conn:
        seeded = conn.execute("SELECT EXISTS (SELECT 1 FROM task_dependencies)").fetchone()
    command = [sys.executable, "-m", "bench.graph_bench"]
    if seeded and seeded[0]:
        command.append("--reuse")
    env = {**os.environ, "DATABASE_URL": db.url(name)}
    try:
        out = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=300
        )
    except subprocess.CalledProcessError as exc:
        if exc.stdout and exc.stdout.strip():  # it ran and printed figures; a target failed
            lines = exc.stdout.strip().splitlines()
            return {"output": [*lines, f"(graph_bench exited {exc.returncode})"]}
        return {"error": f"exit {exc.returncode}: {(exc.stderr or '').strip()[-800:]}"}
    except (subprocess.SubprocessError, OSError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"output": out.stdout.strip().splitlines()}


def profile_lines(extra: dict[str, Any]) -> list[str]:
    if not extra.get("profile"):
        return []
    lines = ["Profiles (py-spy, every worker; wall time on the stack):"]
    for name, summary in extra["profile"].items():
        lines += [f"  {name} ({summary.get('file', '')}):", profiling.brief(summary)]
    return [*lines, ""]


def working_tree() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    dirty = " + uncommitted changes" if git("status", "--porcelain", "--", "origin") else ""
    return f"working tree at {git('rev-parse', '--short=12', 'HEAD')}{dirty}"


def claims_figures(args: argparse.Namespace, db: dataset.Database) -> dict[str, Any]:
    try:
        return claims_bench.run(
            db, args.duration, args.warmup, args.connections, log, args.origin_port
        )
    except (subprocess.SubprocessError, OSError, psycopg.Error, RuntimeError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


def stream_figures(args: argparse.Namespace, db: dataset.Database) -> dict[str, Any]:
    try:
        return stream_bench.run(db, args.duration, args.warmup, args.connections, log)
    except (subprocess.SubprocessError, OSError, psycopg.Error, RuntimeError, TimeoutError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


def scenario_only(
    name: str,
    figures: dict[str, Any],
    lines: Callable[[dict[str, Any]], list[str]],
    stamp: str,
    began: float,
) -> int:
    """``--only NAME``: one scenario's figures alone, printed and kept as JSON."""
    text = "\n".join([
        f"TaskMaster {name} benchmark {stamp} — {os.cpu_count()} cores, granian x "
        f"{os.cpu_count()} workers; origin code: {working_tree()}",
        *lines(figures),
        f"Total {time.monotonic() - began:.0f} s.",
    ])  # fmt: skip
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    path.write_text(json.dumps(figures, indent=2))
    log("")
    log(text)
    log(f"Results: {path.relative_to(ROOT)}")
    return 0 if "error" not in figures else 1


# ---- main ------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    if args.edge_only:
        return edge_only(stamp)
    config = LoadConfig(args.duration, args.warmup, args.threads, args.connections)
    plan = dataset.SeedPlan(tasks=args.tasks)

    log(f"Bench PostgreSQL in {args.data_dir} on port {args.db_port} …")
    db = dataset.start_server(Path(args.data_dir), args.db_port)
    if args.only == "claims":
        return scenario_only("claims", claims_figures(args, db), claims_bench.lines, stamp, began)
    if args.only == "stream":
        return scenario_only("stream", stream_figures(args, db), stream_bench.lines, stamp, began)
    seeding = dataset.ensure_dataset(db, plan, ROOT, log)
    log("Dataset: " + ("seeded " + json.dumps(seeding) if seeding["seeded"] else "reused"))

    key = create_key(db)
    ids_file = RESULTS_DIR / "task-ids.txt"
    n_ids = sample_ids(db, ids_file)
    project_id = writes_project(db)

    from taskmaster.devdb import free_port

    revisions = [at_rev.resolve(rev, RESULTS_DIR) for rev in args.at]
    served = {"origin": working_tree()}
    log(f"Origin code: {served['origin']}")
    rev_urls = {}
    for revision in revisions:  # before any server connects: a template database must be idle
        log(f"Copying the database for {revision.label} …")
        rev_urls[revision.sha] = at_rev.clone_database(db, revision, log)
        served[f"origin at {revision.label}"] = revision.label

    log_dir = RESULTS_DIR / "logs"
    started: list[servers.Server] = []
    try:
        origin = servers.start(servers.origin_spec(db.app_url, free_port()), ROOT, log_dir)
        started.append(origin)
        peers = {}
        for name in servers.PEERS:
            spec = servers.peer_spec(name, db.app_url, free_port(), BENCH_DIR)
            peers[name] = servers.start(spec, ROOT, log_dir)
            started.append(peers[name])
        core = servers.start(servers.core_spec(db.app_url, free_port(), BENCH_DIR), ROOT, log_dir)
        started.append(core)
        at_servers = []
        for revision in revisions:
            spec = servers.origin_spec(rev_urls[revision.sha], free_port())
            spec.name = f"origin-{revision.sha[:12]}"
            spec.env["PYTHONPATH"] = str(revision.tree)
            at_servers.append((revision.label, servers.start(spec, ROOT, log_dir)))
            started.append(at_servers[-1][1])
        profile_dir = RESULTS_DIR / f"profile-{stamp}" if args.profile else None
        rows, extra = measure(
            origin, peers, core, at_servers, db.server.data_dir, key, ids_file, project_id,
            config, args.rounds, profile_dir,
        )  # fmt: skip
    finally:
        for server in reversed(started):
            servers.stop(server)
        for revision in revisions:
            at_rev.drop_database(db, revision)

    edge = None if args.skip_edge else (log("Edge pipeline on Pyodide …") or edge_pipeline())
    graph = None
    if not args.skip_graph and (BENCH_DIR / "graph_bench.py").exists():
        log("Task graph (bench/graph_bench.py) …")
        graph = graph_figures(db)

    claims = None
    if not args.skip_claims:
        log("Claims (bench/claims_bench.py) …")
        claims = claims_figures(args, db)

    stream = None
    if not args.skip_stream:
        log("Stream (bench/stream_bench.py) …")
        stream = stream_figures(args, db)

    lines = report.table(list(rows.values()), rows["naive"], rows.get("asyncpg"))
    targets = report.evaluate(rows, edge)
    elapsed = time.monotonic() - began
    header = (
        f"TaskMaster benchmark {stamp} — {os.cpu_count()} cores, granian x {os.cpu_count()} "
        f"workers + uvloop, wrk -t{config.threads} -c{config.connections} -d{config.duration_s}s, "
        f"{plan.tasks:,} tasks; medians of {args.rounds} alternating rounds; "
        f"origin code: {'; '.join(served.values())}"
    )
    text = "\n".join([
        header, "", report.render_text(lines), "", "Targets:", report.targets_text(targets), "",
        "Edge pipeline (Pyodide, CPU per request):", report.edge_text(edge), "",
        "Task graph (bench/graph_bench.py):", report.graph_text(graph), "",
        "Claims (bench/claims_bench.py, HTTP):", *claims_bench.lines(claims), "",
        "Stream (bench/stream_bench.py, SSE):", *stream_bench.lines(stream), "",
        *profile_lines(extra),
        f"Total {elapsed:.0f} s (dataset {'seeded' if seeding['seeded'] else 'reused'}).",
    ])  # fmt: skip
    md = "\n".join([
        f"# Benchmark {stamp}", "", header, "", report.render_markdown(lines), "", "## Targets", "",
        "| target | goal | measured | verdict |", "|---|---|---|---|",
        *[f"| {t.name} | {t.goal} | {t.measured} | **{t.verdict}** |" for t in targets], "",
        "## Edge pipeline (Pyodide, CPU per request)", "", report.edge_text(edge), "",
        "## Task graph", "", report.graph_text(graph), "",
        "## Claims (HTTP)", "", *claims_bench.lines(claims), "",
        "## Stream (SSE)", "", *stream_bench.lines(stream), "",
    ])  # fmt: skip
    payload = {
        "stamp": stamp, "cores": os.cpu_count(), "origin_code": served, "config": config, "plan": plan,
        "seeding": seeding, "ids_sampled": n_ids, "targets": targets,
        "rows": {
            key: {"label": row.label, "median": row.result, "best": row.best, "runs": row.runs,
                  "rows_per_request": row.rows_per_request, "note": row.note}
            for key, row in rows.items()
        },
        "edge": edge, "graph": graph, "claims": claims, "stream": stream, "extra": extra,
        "elapsed_s": round(elapsed, 1),
    }  # fmt: skip
    path = report.write(RESULTS_DIR, stamp, payload, text, md)
    log("")
    log(text)
    log(f"Results: {path.relative_to(ROOT)}, {RESULTS_DIR.relative_to(ROOT)}/summary.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
