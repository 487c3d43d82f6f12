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
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from taskmaster.devdb import LocalPostgres

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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=".data/postgres")
    parser.add_argument("--db-port", type=int, default=54329)
    parser.add_argument("--db-name", default="taskmaster")
    parser.add_argument("--replica", action="store_true", help="also run a streaming standby")
    args = parser.parse_args()

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

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        _migrate(database_url)
        env = {
            "EDGE_SIGNING_SECRET": DEV_EDGE_SIGNING_SECRET,
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
                    str(ORIGIN_PORT),
                    "--no-ws",
                    "--log-level",
                    "warning",
                    "taskmaster.app:create_asgi_app",
                ],
                env=env,
            )
        )
        if not _wait_http(f"http://127.0.0.1:{ORIGIN_PORT}/health", 60):
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
                        str(EDGE_PORT),
                        "--origin",
                        f"http://127.0.0.1:{ORIGIN_PORT}",
                    ],
                    env=env,
                )
            )
        print(
            f"\n  origin   http://127.0.0.1:{ORIGIN_PORT}  (health: /health, docs: /schema,"
            f" OpenAPI: /schema/openapi.json)\n"
            + (f"  edge     http://127.0.0.1:{EDGE_PORT}\n" if len(children) > 1 else "")
            + f"  database {database_url}\n"
            + (f"  standby  {env['DATABASE_READ_URL']}\n" if standby is not None else "")
            + "\n  Ctrl-C stops everything.\n",
            flush=True,
        )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


if __name__ == "__main__":
    raise SystemExit(main())
