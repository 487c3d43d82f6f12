"""``make dev``: the whole stack on this machine, stopped by Ctrl-C.

1. PostgreSQL: ``DATABASE_URL`` if set, else the embedded server with its data under ``.data/``
   (kept between runs, git-ignored);
2. migrations with dbmate;
3. the origin on http://127.0.0.1:8000 (granian, reloading on code changes is left to the editor:
   restart ``make dev``);
4. the edge runner on http://127.0.0.1:8787 when its Node dependencies are installed;
5. with ``--replica`` (``make dev REPLICA=1``): a streaming physical standby of the embedded
   primary (``pg_basebackup -R`` into ``<data-dir>-standby``, port ``--db-port`` + 1) behind
   ``DATABASE_READ_URL``.
Everything this script started is stopped on exit; an external database is left alone.

For a newcomer's terminal: logs are the readable ``text`` format unless ``LOG_FORMAT`` says
otherwise (production keeps JSON), Ctrl-C is a normal stop (exit 0, also for ``make``: this
process takes the terminal's foreground, so the interrupt reaches it and its children rather than
make), and a database without any API key gets the one command that makes the first.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg

from taskmaster.devdb import LocalPostgres
from taskmaster.people.settings import DEV_JWT_KEYS

ROOT = Path(__file__).resolve().parents[2]
ORIGIN_PORT = 8000
EDGE_PORT = 8787
# Shared by the local origin and edge runner so the edge's signed identity verifies; production
# sets its own (a wrangler secret and an origin environment variable).
DEV_EDGE_SIGNING_SECRET = "dev-only-edge-signing-secret-change-me"  # noqa: S105


def _wait_http(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback URL
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


@contextlib.contextmanager
def _terminal_foreground() -> Iterator[None]:
    """Make this process's own group the terminal's foreground group while it runs, so Ctrl-C
    is delivered to it and its children only: ``make`` (left in the background group) then sees a
    clean exit 0 instead of dying of SIGINT. A no-op without a terminal."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        yield
        return
    previous_sigttou = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        previous = os.tcgetpgrp(tty)
        os.setpgid(0, 0)
        os.tcsetpgrp(tty, os.getpgrp())
    except OSError:
        previous = None
    try:
        yield
    finally:
        if previous is not None:
            with contextlib.suppress(OSError):
                os.tcsetpgrp(tty, previous)
        signal.signal(signal.SIGTTOU, previous_sigttou)
        os.close(tty)


def _first_key_hint(database_url: str) -> str:
    """The command that makes the first API key, when the database has none."""
    try:
        with psycopg.connect(database_url, connect_timeout=5) as conn:
            row = conn.execute("SELECT EXISTS (SELECT 1 FROM api_keys)").fetchone()
    except psycopg.Error:
        return ""
    if row and row[0]:
        return ""
    return (
        "  No API key yet. Make the first one (in a second terminal):\n"
        "      make key NAME=me SCOPES=admin\n\n"
    )


def _migrate(database_url: str) -> None:
    dbmate = shutil.which("dbmate") or str(Path(sys.executable).with_name("dbmate"))
    subprocess.run(
        [
            dbmate,
            "--migrations-dir",
            str(ROOT / "db/migrations"),
            "--no-dump-schema",
            "--wait",
            "--wait-timeout",
            "30s",
            "up",
        ],
        check=True,
        env={**os.environ, "DATABASE_URL": database_url},
    )


def _standby(primary: LocalPostgres, port: int) -> LocalPostgres:
    """The primary's streaming standby, made once (kept between runs like the primary's data)."""
    data_dir = primary.data_dir.with_name(primary.data_dir.name + "-standby")
    standby = (
        LocalPostgres(data_dir, port)
        if (data_dir / "PG_VERSION").exists()
        else primary.create_standby(data_dir, port)
    )
    standby.start()
    return standby


def main() -> int:
    with _terminal_foreground():
        return _run()


def _run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=".data/postgres")
    parser.add_argument("--db-port", type=int, default=54329)
    parser.add_argument("--db-name", default="taskmaster")
    parser.add_argument("--origin-port", type=int, default=ORIGIN_PORT)
    parser.add_argument("--edge-port", type=int, default=EDGE_PORT)
    parser.add_argument("--replica", action="store_true", help="also run a streaming standby")
    args = parser.parse_args()
    origin_port, edge_port = args.origin_port, args.edge_port

    server: LocalPostgres | None = None
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        server = LocalPostgres((ROOT / args.data_dir).resolve(), args.db_port)
        server.start()
        database_url = f"{server.url(args.db_name)}?sslmode=disable"
    children: list[subprocess.Popen[bytes]] = []
    standby: LocalPostgres | None = None

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
        if standby is not None:
            standby.stop()
        if server is not None:
            server.stop()
        print("\nstopped.", flush=True)

    # Ctrl-C (SIGINT) and SIGTERM are the normal way to stop: noted here, answered by the loop.
    stopping = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        _migrate(database_url)
        env = {
            "EDGE_SIGNING_SECRET": DEV_EDGE_SIGNING_SECRET,
            "JWT_SIGNING_KEYS": DEV_JWT_KEYS,  # the edge runner verifies people's tokens too
            "LOG_FORMAT": "text",  # readable in a terminal; production's default stays json
            **os.environ,
            "DATABASE_URL": database_url,
        }
        if args.replica:
            if server is None:
                print("--replica needs the embedded primary (no DATABASE_URL)", file=sys.stderr)
                return 2
            standby = _standby(server, args.db_port + 1)
            env["DATABASE_READ_URL"] = f"{standby.url(args.db_name)}?sslmode=disable"
        children.append(
            subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("granian")),
                    "--interface",
                    "asgi",
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(origin_port),
                    "--no-ws",
                    "--log-level",
                    "warning",
                    "taskmaster.app:create_asgi_app",
                ],
                env=env,
            )
        )
        if not _wait_http(f"http://127.0.0.1:{origin_port}/health", 60):
            print("origin did not become healthy", file=sys.stderr)
            return 1
        edge_runner = ROOT / "edge/runner/server.mjs"
        if edge_runner.exists() and (ROOT / "edge/runner/node_modules").exists():
            children.append(
                subprocess.Popen(
                    [
                        "node",
                        str(edge_runner),
                        "--port",
                        str(edge_port),
                        "--origin",
                        f"http://127.0.0.1:{origin_port}",
                    ],
                    env=env,
                )
            )
        print(
            f"\n  origin   http://127.0.0.1:{origin_port}  (health: /health, docs: /schema,"
            f" OpenAPI: /schema/openapi.json)\n"
            + (f"  edge     http://127.0.0.1:{edge_port}\n" if len(children) > 1 else "")
            + f"  database {database_url}\n"
            + (f"  standby  {env['DATABASE_READ_URL']}\n" if standby is not None else "")
            + "\n"
            + _first_key_hint(database_url)
            + "  Ctrl-C stops everything.\n",
            flush=True,
        )
        while not stopping.is_set() and all(child.poll() is None for child in children):
            stopping.wait(0.5)
        return 0 if stopping.is_set() else 1  # a child that exits by itself is a failure
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


if __name__ == "__main__":
    raise SystemExit(main())
