"""The tail of ``GET /api/v1/tasks/{id}`` (issue 20): origin variants A/B, with loop stalls.

Serves each variant (``--origin NAME[:ENV=VALUE,…]``; ``GRANIAN=…`` in the list adds granian
options, ``PYTHONPATH=<tree>/origin`` serves another tree's origin) and, with ``--peers``, the two
peers, every one behind the stall probe (``bench/stall_probe.py``: loop lag and collections per
worker); then runs GET by id on each in turn, round after round, as ``bench/run.py`` does, and
prints p50/p99/max, req/s and CPU per request per round, and each server's stall histogram.

    .venv/bin/python -m bench.tail --db-port 54344 --origin now --origin nolog:LOG_REQUESTS=0
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

from bench import dataset, servers, stall_probe
from bench.load import LoadConfig, LoadResult, run_wrk
from bench.run import BENCH_DIR, RESULTS_DIR, ROOT, create_key, sample_ids

ORIGIN_TARGET = "taskmaster.app:create_asgi_app"


def variant_spec(text: str, database_url: str, port: int, probe_dir: Path) -> servers.ServerSpec:
    name, _, settings = text.partition(":")
    spec = servers.origin_spec(database_url, port)
    spec.name = name
    for item in filter(None, settings.split(",")):
        key, _, value = item.partition("=")
        if key == "GRANIAN":
            spec.granian_args += tuple(value.split())
        else:
            spec.env[key] = value
    if probe_dir is not None:
        spec.env["STALL_PROBE_WATCH"] = "1"
    return _probed(spec, ORIGIN_TARGET, probe_dir)


def _probed(spec: servers.ServerSpec, target: str, probe_dir: Path | None) -> servers.ServerSpec:
    if probe_dir is None:
        return spec
    spec.env |= {
        "STALL_PROBE_TARGET": target,
        "STALL_PROBE_DIR": str(probe_dir),
        "STALL_PROBE_NAME": spec.name,
    }
    spec.target = "stall_probe:create_app"
    spec.working_dir = str(BENCH_DIR)
    return spec


def line(name: str, run: LoadResult) -> str:
    return (
        f"  {name:<12} {run.rps:>8,.0f} req/s  p50 {run.p50_ms:6.2f}  p90 {run.p90_ms:6.2f}  "
        f"p99 {run.p99_ms:6.2f}  max {run.max_ms:7.2f} ms  CPU {run.server_cpu_us} + "
        f"{run.db_cpu_us} µs/req  errors {run.errors}"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-port", type=int, required=True)
    parser.add_argument("--data-dir", default=str(ROOT / ".data/bench-postgres"))
    parser.add_argument("--origin", action="append", default=[], help="NAME[:ENV=VALUE,…]")
    parser.add_argument("--peers", action="store_true", help="serve the naive and asyncpg peers")
    parser.add_argument("--no-probe", action="store_true", help="serve without the stall probe")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=6)
    args = parser.parse_args(argv)
    config = LoadConfig(args.duration, 2, 2, 32)
    db = dataset.start_server(Path(args.data_dir), args.db_port)
    key = create_key(db)
    ids_file = RESULTS_DIR / "tail-task-ids.txt"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    sample_ids(db, ids_file)
    probe_dir = None if args.no_probe else RESULTS_DIR / "stalls"
    if probe_dir is not None:
        shutil.rmtree(probe_dir, ignore_errors=True)

    from taskmaster.devdb import free_port

    specs = [variant_spec(v, db.app_url, free_port(), probe_dir) for v in args.origin or ["origin"]]
    if args.peers:
        for name in servers.PEERS:
            spec = servers.peer_spec(name, db.app_url, free_port(), BENCH_DIR)
            specs.append(_probed(spec, spec.target, probe_dir))
    get_env = {"BENCH_IDS_FILE": str(ids_file), "BENCH_KEY": key, "BENCH_PREFIX": "/api/v1/tasks/"}
    peer_env = {**get_env, "BENCH_KEY": "", "BENCH_PREFIX": "/tasks/"}
    runs: dict[str, list[LoadResult]] = {spec.name: [] for spec in specs}
    started: list[servers.Server] = []
    try:
        for spec in specs:
            started.append(servers.start(spec, ROOT, RESULTS_DIR / "logs"))
        for index in range(args.rounds):
            print(f"round {index + 1}/{args.rounds}", flush=True)
            for server in started:
                env = peer_env if server.spec.name in servers.PEERS else get_env
                run = run_wrk(
                    "get_by_id.lua", server.base_url, config, env,
                    cpu_of=lambda server=server: servers.cpu_seconds(server),
                    db_cpu_of=lambda: servers.postgres_cpu_seconds(db.server.data_dir),
                )  # fmt: skip
                runs[server.spec.name].append(run)
                print(line(server.spec.name, run), flush=True)
    finally:
        for server in started:
            servers.stop(server)
    print("medians:")
    for name, results in runs.items():
        p99 = [r.p99_ms for r in results]
        print(
            f"  {name:<12} {statistics.median(r.rps for r in results):>8,.0f} req/s  "
            f"p50 {statistics.median(r.p50_ms for r in results):.2f}  p99 {statistics.median(p99):.2f} "
            f"(spread {min(p99):.1f} to {max(p99):.1f}) ms  CPU "
            f"{statistics.median(r.cpu_us or 0 for r in results):.0f} µs/req"
        )
    if probe_dir is not None:
        for name in runs:
            paths = sorted(probe_dir.glob(f"stalls-{name}-*.json"))
            if paths:
                print(stall_probe.format_summary(name, stall_probe.summarise(paths)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
