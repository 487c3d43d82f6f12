"""Physical backups with PostgreSQL's own tools, and point-in-time restore.

The backup repository (``BACKUP_DIR``) holds::

    wal/                         the WAL archive: the primary's archive_command copies each
                                 finished segment here (archive_settings())
    base/<UTC>-full/             pg_basebackup (plain format, WAL streamed in, backup_manifest)
    base/<UTC>-incr/             pg_basebackup --incremental=<previous>/backup_manifest
    base/<name>.json             when it was taken, its kind and the backup it builds on
    schema/<db>-<UTC>.sql        pg_dump --schema-only
    offsite/                     AES-256-GCM copies of the above, for BACKUP_OFFSITE_COMMAND
    taskmaster_backup.prom       node_exporter textfile metrics (last verified backup per kind)

- :func:`take_base_backup` runs ``pg_basebackup`` (incremental ones need ``summarize_wal=on``,
  PostgreSQL 17+) and then ``pg_verifybackup`` on it: a backup that does not verify is renamed
  ``*.failed`` and the command fails.
- :func:`restore_to_time` picks the newest backup finished before the target, rebuilds a full
  data directory (``pg_combinebackup`` for a chain with incrementals, a copy otherwise), writes
  ``recovery.signal`` with ``restore_command`` and ``recovery_target_time``, and starts a server
  on it that replays the archive up to that moment and is then promoted.
- :func:`prune` keeps ``BACKUP_RETENTION_FULL`` chains (a full backup and its incrementals) and
  ``BACKUP_RETENTION_SCHEMA`` schema dumps, and drops the WAL older than the oldest kept chain
  (``pg_archivecleanup``).
- :func:`export_offsite` encrypts what is new into ``offsite/`` and runs the configured command.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import shutil
import subprocess
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from taskmaster.backup import crypto
from taskmaster.backup.service import BackupError, database_name
from taskmaster.devdb import POSTGRES_BIN_PATH, LocalPostgres, adopt, free_port

Progress = Callable[[str], None]
STAMP = "%Y%m%dT%H%M%S%fZ"
_START_WAL = re.compile(r"^START WAL LOCATION: .* \(file ([0-9A-F]{24})\)$", re.MULTILINE)


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class Repository:
    root: Path

    @property
    def wal(self) -> Path:
        return self.root / "wal"

    @property
    def base(self) -> Path:
        return self.root / "base"

    @property
    def schema(self) -> Path:
        return self.root / "schema"

    @property
    def offsite(self) -> Path:
        return self.root / "offsite"

    @property
    def metrics_file(self) -> Path:
        return Path(os.environ.get("BACKUP_METRICS_FILE") or self.root / "taskmaster_backup.prom")


def archive_settings(repo: Repository) -> dict[str, str]:
    """The primary's settings for continuous archiving into ``repo`` and incremental backups.
    ``test ! -f`` first: an archived segment is never overwritten (PostgreSQL's documented form)."""
    wal = shlex.quote(str(repo.wal.resolve()))
    return {
        "archive_mode": "on",
        "archive_command": f"test ! -f {wal}/%f && cp %p {wal}/%f",
        "archive_timeout": "60s",  # an idle primary still archives its last writes within 1 min
        "summarize_wal": "on",  # pg_basebackup --incremental needs WAL summaries (PG 17+)
    }


@dataclass
class BaseBackup:
    name: str
    kind: str  # "full" or "incremental"
    parent: str | None
    started_at: str  # ISO 8601, UTC
    finished_at: str

    def path(self, repo: Repository) -> Path:
        return repo.base / self.name

    @property
    def finished(self) -> datetime:
        return datetime.fromisoformat(self.finished_at)


def _tool(name: str, *args: str, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(POSTGRES_BIN_PATH / name), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _failed(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stderr or result.stdout).strip().splitlines()
    return " | ".join(lines[-5:]) or f"exit code {result.returncode}"


def list_backups(repo: Repository) -> list[BaseBackup]:
    """Every verified base backup, oldest first."""
    found = []
    for meta in sorted(repo.base.glob("*.json")) if repo.base.exists() else []:
        backup = BaseBackup(**json.loads(meta.read_text()))
        if backup.path(repo).is_dir():
            found.append(backup)
    return sorted(found, key=lambda b: b.started_at)


def take_base_backup(
    url: str,
    repo: Repository,
    *,
    incremental: bool = False,
    sync: bool = True,
    progress: Progress = _quiet,
) -> BaseBackup:
    """A verified base backup of the server behind ``url``. ``sync=False`` (tests and throwaway
    copies only) skips the fsync of every file written."""
    repo.base.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    kind = "incremental" if incremental else "full"
    name = started.strftime(STAMP) + ("-incr" if incremental else "-full")
    target = repo.base / name
    args = ["-d", url, "-D", str(target), "-X", "stream", "--checkpoint=fast", "--label", name]
    parent = None
    if incremental:
        existing = list_backups(repo)
        if not existing:
            raise BackupError("an incremental backup needs an earlier base backup")
        parent = existing[-1].name
        args += ["--incremental", str(repo.base / parent / "backup_manifest")]
    if not sync:
        args.append("--no-sync")
    progress(f"basebackup: pg_basebackup ({kind}) -> {target}")
    result = _tool("pg_basebackup", *args)
    if result.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        raise BackupError("pg_basebackup failed: " + _failed(result))
    ok, report = verify_base_backup(target)
    if not ok:
        target.rename(target.with_name(name + ".failed"))
        raise BackupError(f"pg_verifybackup refused the new backup: {report}")
    progress(f"basebackup: verified {name}")
    backup = BaseBackup(name, kind, parent, started.isoformat(), datetime.now(UTC).isoformat())
    (repo.base / f"{name}.json").write_text(json.dumps(asdict(backup)))
    write_metrics(repo)
    return backup


def verify_base_backup(path: Path) -> tuple[bool, str]:
    """``pg_verifybackup``: every file against ``backup_manifest`` (sizes, checksums) and the WAL
    the backup needs. Returns (ok, what the tool said)."""
    result = _tool("pg_verifybackup", str(path))
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def write_metrics(repo: Repository) -> None:
    """The node_exporter textfile: when the newest verified backup of each kind finished."""
    lines = [
        "# HELP taskmaster_backup_last_success_timestamp_seconds Newest verified backup, epoch s.",
        "# TYPE taskmaster_backup_last_success_timestamp_seconds gauge",
    ]
    newest: dict[str, float] = {}
    for backup in list_backups(repo):
        newest[backup.kind] = max(newest.get(backup.kind, 0.0), backup.finished.timestamp())
    for kind, stamp in sorted(newest.items()):
        lines.append(f'taskmaster_backup_last_success_timestamp_seconds{{kind="{kind}"}} {stamp}')
    target = repo.metrics_file
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_text("\n".join(lines) + "\n")
    partial.replace(target)  # the collector never reads half a file


def chain_for(repo: Repository, target_time: datetime | None) -> list[BaseBackup]:
    """The backups to combine for ``target_time`` (None: the newest): full first."""
    backups = list_backups(repo)
    usable = [b for b in backups if target_time is None or b.finished <= target_time]
    if not usable:
        raise BackupError("no base backup finished before the target time")
    by_name = {b.name: b for b in backups}
    chain = [usable[-1]]
    while chain[0].parent is not None:
        parent = by_name.get(chain[0].parent)
        if parent is None:
            raise BackupError(f"{chain[0].name} builds on {chain[0].parent}, which is gone")
        chain.insert(0, parent)
    return chain


def _rebuild(repo: Repository, chain: list[BaseBackup], target_dir: Path) -> None:
    if len(chain) == 1:
        shutil.copytree(chain[0].path(repo), target_dir)
        return
    paths = [str(b.path(repo)) for b in chain]
    # No fsync: the restored server's own checkpoint makes what it needs durable.
    result = _tool("pg_combinebackup", "--no-sync", *paths, "-o", str(target_dir))
    if result.returncode != 0:
        raise BackupError("pg_combinebackup failed: " + _failed(result))


def restore_to_time(
    repo: Repository,
    target_dir: Path,
    target_time: datetime | None,
    *,
    port: int = 0,
    progress: Progress = _quiet,
) -> LocalPostgres:
    """A running server in ``target_dir`` with the data as it was at ``target_time`` (None: the
    end of the archive). The restored server does not archive (it must not write into the
    primary's archive); point clients at it or promote it deliberately."""
    if target_dir.exists() and any(target_dir.iterdir()):
        raise BackupError(f"{target_dir} is not empty")
    if target_dir.exists():
        target_dir.rmdir()
    chain = chain_for(repo, target_time)
    progress("restore: " + " + ".join(b.name for b in chain) + f" -> {target_dir}")
    _rebuild(repo, chain, target_dir)
    for leftover in ("standby.signal", "postmaster.pid", "backup_manifest"):
        (target_dir / leftover).unlink(missing_ok=True)
    server = LocalPostgres(target_dir, port or free_port())
    wal = shlex.quote(str(repo.wal.resolve()))
    settings = {
        "restore_command": f"cp {wal}/%f %p",
        "recovery_target_action": "promote",
        "archive_mode": "off",
        "primary_conninfo": "",
    }
    if target_time is not None:
        settings["recovery_target_time"] = target_time.isoformat()
    (target_dir / "recovery.signal").touch()
    adopt(target_dir)
    server.prepare()  # its log file, owned by the server's OS user
    server.configure(settings)
    server.start()
    _wait_promoted(server)
    progress(f"restore: server at {server.url()} (recovered to {target_time or 'end of archive'})")
    return server


def _wait_promoted(server: LocalPostgres, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(server.url(), connect_timeout=2, autocommit=True) as conn:
                row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
            if row and row[0] is False:
                return
        except psycopg.OperationalError:
            pass
        if not server.is_running():
            raise BackupError(f"the restored server stopped; see {server.log_file}")
        time.sleep(0.2)
    raise BackupError(f"recovery did not finish within {timeout}s; see {server.log_file}")


def schema_dump(url: str, repo: Repository, *, progress: Progress = _quiet) -> Path:
    repo.schema.mkdir(parents=True, exist_ok=True)
    target = repo.schema / f"{database_name(url)}-{datetime.now(UTC).strftime(STAMP)}.sql"
    result = _tool("pg_dump", "--schema-only", "--no-owner", "--file", str(target), "--dbname", url)
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError("pg_dump --schema-only failed: " + _failed(result))
    progress(f"schema: {target}")
    return target


def _start_wal_file(backup_dir: Path) -> str | None:
    label = backup_dir / "backup_label"
    match = _START_WAL.search(label.read_text()) if label.exists() else None
    return match[1] if match else None


def prune(
    repo: Repository, *, keep_full: int, keep_schema: int, progress: Progress = _quiet
) -> list[str]:
    """Apply the retention policy; returns what was removed."""
    if keep_full < 1:
        raise BackupError("BACKUP_RETENTION_FULL must be at least 1")
    backups = list_backups(repo)
    fulls = [b for b in backups if b.kind == "full"]
    removed: list[str] = []
    if len(fulls) > keep_full:
        oldest_kept = fulls[-keep_full]
        for backup in backups:
            if backup.started_at < oldest_kept.started_at:
                shutil.rmtree(backup.path(repo))
                (repo.base / f"{backup.name}.json").unlink(missing_ok=True)
                removed.append(backup.name)
    kept = list_backups(repo)
    first_wal = _start_wal_file(kept[0].path(repo)) if kept else None
    if first_wal and repo.wal.exists():
        before = {p.name for p in repo.wal.iterdir()}
        result = _tool("pg_archivecleanup", str(repo.wal), first_wal)
        if result.returncode != 0:
            raise BackupError("pg_archivecleanup failed: " + _failed(result))
        removed += sorted(before - {p.name for p in repo.wal.iterdir()})
    dumps = sorted(repo.schema.glob("*.sql")) if repo.schema.exists() else []
    for dump in dumps[: max(0, len(dumps) - keep_schema)]:
        dump.unlink()
        removed.append(dump.name)
    for name in removed:
        progress(f"prune: removed {name}")
    write_metrics(repo)
    return removed


class _QueueWriter:
    """A write-only file for tarfile that hands each block to the reading side."""

    def __init__(self, blocks: queue.Queue[bytes | None]) -> None:
        self._blocks = blocks

    def write(self, data: bytes) -> int:
        self._blocks.put(bytes(data))
        return len(data)


def _tar_stream(path: Path) -> Iterator[bytes]:
    """``path`` as a tar archive, block by block (never the whole backup in memory)."""
    blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=64)
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            with tarfile.open(fileobj=_QueueWriter(blocks), mode="w|") as tar:  # type: ignore[call-overload]
                tar.add(path, arcname=path.name)
        except BaseException as exc:
            failure.append(exc)
        finally:
            blocks.put(None)

    threading.Thread(target=produce, daemon=True).start()
    while (block := blocks.get()) is not None:
        yield block
    if failure:
        raise BackupError(f"archiving {path} failed: {failure[0]}")


def _encrypt_to(chunks: Iterator[bytes], key: bytes, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    with partial.open("wb") as out:
        for chunk in crypto.encrypt(chunks, key):
            out.write(chunk)
    partial.replace(target)


def export_offsite(
    repo: Repository, key: bytes, command: str, *, progress: Progress = _quiet
) -> list[Path]:
    """Encrypt every base backup, WAL segment and schema dump not yet in ``offsite/`` (AES-256-GCM,
    ``BACKUP_ENCRYPTION_KEY``), then run ``command`` with ``{dir}`` replaced by that directory
    (e.g. ``rclone copy {dir} remote:taskmaster``). Nothing leaves the host unencrypted."""
    written: list[Path] = []
    for sub in ("base", "wal", "schema"):
        (repo.offsite / sub).mkdir(parents=True, exist_ok=True)
    for backup in list_backups(repo):
        target = repo.offsite / "base" / f"{backup.name}.tar.enc"
        if not target.exists():
            _encrypt_to(_tar_stream(backup.path(repo)), key, target)
            meta = repo.base / f"{backup.name}.json"
            _encrypt_to(iter([meta.read_bytes()]), key, repo.offsite / "base" / f"{meta.name}.enc")
            written.append(target)
    for sub, source in (("wal", repo.wal), ("schema", repo.schema)):
        for path in sorted(source.iterdir()) if source.exists() else []:
            target = repo.offsite / sub / f"{path.name}.enc"
            if path.is_file() and not target.exists():
                _encrypt_to(iter([path.read_bytes()]), key, target)
                written.append(target)
    progress(f"offsite: {len(written)} new encrypted files in {repo.offsite}")
    if command:
        args = [part.replace("{dir}", str(repo.offsite)) for part in shlex.split(command)]
        result = subprocess.run(args, capture_output=True, text=True, check=False, timeout=3600)
        if result.returncode != 0:
            raise BackupError(f"BACKUP_OFFSITE_COMMAND failed: {_failed(result)}")
        progress(f"offsite: {args[0]} done")
    return written
