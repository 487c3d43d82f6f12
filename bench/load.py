"""Load from a separate process with wrk: fixed duration, threads and connections per scenario.

Each scenario is a wrk Lua script under ``bench/wrk/`` (auth header, rotating ids, POST bodies)
that ends with a ``BENCH_RESULT {json}`` line (``wrk/common.lua``); :func:`run_wrk` parses it
into a :class:`LoadResult`. A short warm-up run precedes every measured run (JIT-free Python
still has caches to fill: prepared statements, verdict cache, pool connections).

To add a scenario: write its script (``dofile`` common.lua first), then call :func:`run_wrk`
with the script name, URL and the environment the script reads.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

WRK_DIR = Path(__file__).resolve().parent / "wrk"


@dataclass(frozen=True, slots=True)
class LoadConfig:
    duration_s: int = 10
    warmup_s: int = 2
    threads: int = 2
    connections: int = 32
    timeout_s: int = 5


@dataclass(slots=True)
class LoadResult:
    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int
    connections: int
    # CPU (user + system) spent per request during the measured run by the server's processes and
    # by PostgreSQL: the cost figures that other load on a shared machine disturbs least (req/s
    # moves with it).
    server_cpu_us: float | None = None
    db_cpu_us: float | None = None

    @property
    def cpu_us(self) -> float | None:
        """Server + database CPU per request."""
        if self.server_cpu_us is None or self.db_cpu_us is None:
            return None
        return round(self.server_cpu_us + self.db_cpu_us, 1)

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (make bench does it)")
    return found


def run_wrk(
    script: str,
    url: str,
    config: LoadConfig,
    env: dict[str, str] | None = None,
    connections: int | None = None,
    warmup: bool = True,
    cpu_of: Callable[[], float] | None = None,
    db_cpu_of: Callable[[], float] | None = None,
) -> LoadResult:
    """One scenario; ``cpu_of`` / ``db_cpu_of`` return the server's / database's CPU seconds so
    far (for CPU per request)."""
    conns = connections or config.connections
    full_env = {**os.environ, "BENCH_WRK_DIR": str(WRK_DIR), **(env or {})}
    if warmup and config.warmup_s > 0:
        _wrk(script, url, config.warmup_s, config, conns, full_env)
    cpu_before = cpu_of() if cpu_of else 0.0
    db_before = db_cpu_of() if db_cpu_of else 0.0
    raw = _wrk(script, url, config.duration_s, config, conns, full_env)
    cpu_used = cpu_of() - cpu_before if cpu_of else None
    db_used = db_cpu_of() - db_before if db_cpu_of else None
    per_request = 1e6 / raw["requests"] if raw["requests"] else 0.0
    duration_s = raw["duration_us"] / 1e6
    return LoadResult(
        requests=raw["requests"],
        duration_s=round(duration_s, 2),
        rps=round(raw["requests"] / duration_s, 1),
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        mean_ms=round(raw["mean_us"] / 1000, 3),
        max_ms=raw["max_us"] / 1000,
        non_2xx=raw["status"],
        socket_errors=raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        connections=conns,
        server_cpu_us=round(cpu_used * per_request, 1) if cpu_used is not None else None,
        db_cpu_us=round(db_used * per_request, 1) if db_used is not None else None,
    )


def _wrk(
    script: str, url: str, seconds: int, config: LoadConfig, conns: int, env: dict[str, str]
) -> dict:
    command = [
        wrk_binary(), f"-t{config.threads}", f"-c{conns}", f"-d{seconds}s",
        f"--timeout={config.timeout_s}s", "-s", str(WRK_DIR / script), url,
    ]  # fmt: skip
    out = subprocess.run(
        command, env=env, capture_output=True, text=True, check=True, timeout=seconds + 60
    )
    for line in out.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line.removeprefix("BENCH_RESULT "))
    raise RuntimeError(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")
