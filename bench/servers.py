"""Serving the origin and its peers as production does, and stopping them cleanly.

Both run under granian with one worker per core and uvloop (the same command as ``make serve``);
the origin with ``TASKMASTER_ENV=production`` and secrets generated for this run. To serve another
app, describe it with :class:`ServerSpec` and pass it to :func:`start`.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(slots=True)
class ServerSpec:
    name: str
    target: str  # granian's factory target, module:callable
    port: int
    env: dict[str, str]
    ready_path: str  # answers 200 once the app (and its pool) is up
    working_dir: str | None = None
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    granian_args: tuple[str, ...] = ()  # more of granian's options (bench/tail.py's A/B runs)


@dataclass(slots=True)
class Server:
    spec: ServerSpec
    process: subprocess.Popen
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.spec.port}"


def origin_spec(database_url: str, port: int) -> ServerSpec:
    env = {
        "TASKMASTER_ENV": "production",
        "DATABASE_URL": database_url,
        "TASKMASTER_SECRET_KEY": secrets.token_urlsafe(32),
        "EDGE_SIGNING_SECRET": secrets.token_urlsafe(48),
        "JWT_SIGNING_KEYS": "bench:" + secrets.token_urlsafe(48),
        # A Fernet key (32 random bytes, urlsafe base64): sensitive settings are encrypted with it.
        "TASKMASTER_CONFIG_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }
    return ServerSpec("origin", "taskmaster.app:create_asgi_app", port, env, "/health")


PEERS = {"naive": "baseline_app", "asyncpg": "asyncpg_app"}  # peer name: module under bench/


def peer_spec(name: str, database_url: str, port: int, bench_dir: Path) -> ServerSpec:
    """A peer app of ``bench/`` (``PEERS``) serving ``GET /tasks/{id}``."""
    env = {"DATABASE_URL": database_url}
    # Any id answers: a 404 still proves the app and its pool are up.
    return ServerSpec(
        name, f"{PEERS[name]}:create_app", port, env,
        "/tasks/00000000-0000-4000-8000-000000000000", working_dir=str(bench_dir),
    )  # fmt: skip


def core_spec(database_url: str, port: int, bench_dir: Path) -> ServerSpec:
    env = {"DATABASE_URL": database_url}
    return ServerSpec(
        "origin-core", "origin_core_app:create_app", port, env,
        "/api/v1/tasks/00000000-0000-4000-8000-000000000000", working_dir=str(bench_dir),
    )  # fmt: skip


def start(spec: ServerSpec, root: Path, log_dir: Path) -> Server:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{spec.name}.log"
    command = [
        str(root / ".venv/bin/granian"), "--interface", "asgi", "--factory",
        "--host", "127.0.0.1", "--port", str(spec.port), "--workers", str(spec.workers),
        "--loop", "uvloop", "--ws", "--log-level", "warning",
    ]  # fmt: skip
    if spec.working_dir:
        command += ["--working-dir", spec.working_dir]
    command += spec.granian_args
    command.append(spec.target)
    env = {**os.environ, **spec.env, "PYTHONDONTWRITEBYTECODE": "1"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(spec, process, log_path)
    _wait_ready(server)
    return server


def _wait_ready(server: Server, timeout: float = 30.0) -> None:
    try:
        _poll_ready(server, timeout)
    except BaseException:
        stop(server)
        raise


def _poll_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    url = server.base_url + server.spec.ready_path
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.spec.name} exited; see {server.log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our http URL
                return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.spec.name} did not answer {url} in {timeout}s")


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_where(pgrp: int | None = None, ppid: int | None = None) -> float:
    """User + system CPU seconds of the live processes in process group ``pgrp`` or with parent
    ``ppid`` (and that parent, with its children that exited: an autovacuum worker or a backend
    that ends mid-window would otherwise take its CPU out of the sum), from /proc."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        # after "pid (comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt
        # cmajflt utime stime … (proc(5))
        if int(fields[2]) == pgrp or int(fields[1]) == ppid:
            total += int(fields[11]) + int(fields[12])
        elif ppid is not None and int(entry.name) == ppid:  # + cutime, cstime: reaped children
            total += sum(int(value) for value in fields[11:15])
    return total / _TICKS


def cpu_seconds(server: Server) -> float:
    """CPU spent so far by the server's processes (granian's main process and its workers)."""
    return _cpu_where(pgrp=server.process.pid)


def postgres_cpu_seconds(data_dir: Path) -> float:
    """CPU spent so far by a PostgreSQL cluster's live processes (postmaster and its children:
    the backends serving the pools, whose connections live through a run)."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    return _cpu_where(ppid=postmaster)


def stop(server: Server) -> None:
    """SIGTERM the granian process group this run started (never anything else)."""
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


@contextlib.contextmanager
def alone(server: Server, others: Iterable[Server]) -> Iterator[None]:
    """Only ``server`` runs meanwhile: every other server's process group is stopped (SIGSTOP)
    and resumed after. Idle servers still do periodic work (an older origin's stream hub polls
    every 20 ms: ~50 ms of CPU a second per worker with PostgreSQL's share), which on 2 cores
    took from whichever server was measured; paused, none does, for every server alike."""
    paused = [s for s in others if s is not server and s.process.poll() is None]
    for other in paused:
        os.killpg(other.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for other in paused:
            os.killpg(other.process.pid, signal.SIGCONT)
