"""``taskmaster db basebackup | restore-pitr | verify-basebackups | prune | schema-dump | offsite |
archive-settings``: the physical side of backups (``backup/physical.py``, docs/operations.md).

``DATABASE_URL`` names the server to back up (a role with the REPLICATION attribute, or a
superuser); ``BACKUP_DIR`` the repository (default ``backups``). Retention:
``BACKUP_RETENTION_FULL`` (full backups kept with their incrementals, default 2) and
``BACKUP_RETENTION_SCHEMA`` (schema dumps kept, default 14). Off-site: ``BACKUP_OFFSITE_COMMAND``
(``{dir}`` is the encrypted staging directory) with ``BACKUP_ENCRYPTION_KEY``.
Exit codes: 0 success, 1 failure, 2 usage.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import psycopg

from taskmaster.backup import crypto, physical
from taskmaster.backup.service import BackupError


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _repo(args: argparse.Namespace) -> physical.Repository:
    return physical.Repository(Path(args.backup_dir).resolve())


def _url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit("taskmaster db: DATABASE_URL is not set")
    return url


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, "") or default)
    except ValueError as exc:
        raise SystemExit(f"taskmaster db: {name} must be an integer") from exc


def _failing(run: object) -> int:
    try:
        run()  # type: ignore[operator]
    except BackupError as exc:
        print(f"taskmaster db: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_basebackup(args: argparse.Namespace) -> int:
    def run() -> None:
        backup = physical.take_base_backup(
            _url(), _repo(args), incremental=args.incremental, progress=_progress
        )
        print(backup.path(_repo(args)))

    return _failing(run)


def _flush_wal(url: str, timeout: float = 30) -> None:
    """Best effort: close the primary's current WAL segment and wait until it is archived, so a
    restore to "just now" finds every write in the archive."""
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
            row = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()
            deadline = time.monotonic() + timeout
            while row and time.monotonic() < deadline:
                done = conn.execute("SELECT last_archived_wal FROM pg_stat_archiver").fetchone()
                if done and done[0] and done[0] >= row[0]:
                    return
                time.sleep(0.2)
    except psycopg.Error as exc:
        _progress(
            f"restore-pitr: could not flush the primary's WAL ({exc}); using the archive as is"
        )


def cmd_restore_pitr(args: argparse.Namespace) -> int:
    target_time = datetime.fromisoformat(args.target_time) if args.target_time else None
    if target_time is not None and target_time.tzinfo is None:
        print(
            "taskmaster db restore-pitr: give TARGET_TIME with its offset (…Z or +00:00)",
            file=sys.stderr,
        )
        return 2
    if os.environ.get("DATABASE_URL"):
        _flush_wal(os.environ["DATABASE_URL"])

    def run() -> None:
        server = physical.restore_to_time(
            _repo(args), Path(args.target_dir).resolve(), target_time, port=args.port,
            progress=_progress,
        )  # fmt: skip
        print(server.url())
        _progress(f"stop it with: taskmaster devdb stop {server.data_dir}")

    return _failing(run)


def cmd_verify(args: argparse.Namespace) -> int:
    repo = _repo(args)
    bad = 0
    for backup in physical.list_backups(repo):
        ok, report = physical.verify_base_backup(backup.path(repo))
        print(f"{backup.name}  {'ok' if ok else 'FAILED: ' + report}")
        bad += not ok
    return 1 if bad else 0


def cmd_prune(args: argparse.Namespace) -> int:
    def run() -> None:
        physical.prune(
            _repo(args),
            keep_full=_int_env("BACKUP_RETENTION_FULL", 2),
            keep_schema=_int_env("BACKUP_RETENTION_SCHEMA", 14),
            progress=_progress,
        )

    return _failing(run)


def cmd_schema_dump(args: argparse.Namespace) -> int:
    return _failing(lambda: print(physical.schema_dump(_url(), _repo(args), progress=_progress)))


def cmd_offsite(args: argparse.Namespace) -> int:
    text = os.environ.get("BACKUP_ENCRYPTION_KEY", "")
    if not text:
        print("taskmaster db offsite: BACKUP_ENCRYPTION_KEY is required", file=sys.stderr)
        return 2
    try:
        key = crypto.load_key(text)
    except crypto.BackupCryptoError as exc:
        print(f"taskmaster db offsite: {exc}", file=sys.stderr)
        return 2
    command = os.environ.get("BACKUP_OFFSITE_COMMAND", "")
    return _failing(lambda: physical.export_offsite(_repo(args), key, command, progress=_progress))


def cmd_archive_settings(args: argparse.Namespace) -> int:
    for name, value in physical.archive_settings(_repo(args)).items():
        print(f"{name} = '{value}'")
    return 0


def register_physical(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    def add(name: str, help_text: str, run: object) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help_text)
        parser.add_argument("--backup-dir", default=os.environ.get("BACKUP_DIR", "backups"))
        parser.set_defaults(run=run)
        return parser

    base = add(
        "basebackup", "pg_basebackup (full or --incremental), then pg_verifybackup", cmd_basebackup
    )
    base.add_argument("--incremental", action="store_true", help="on top of the newest backup")
    pitr = add("restore-pitr", "start a server restored to --target-time", cmd_restore_pitr)
    pitr.add_argument("--target-time", help="ISO 8601 with offset; default: the end of the archive")
    pitr.add_argument("--target-dir", default=".data/restored", help="an empty or new directory")
    pitr.add_argument("--port", type=int, default=0, help="default: a free port")
    add("verify-basebackups", "pg_verifybackup every base backup", cmd_verify)
    add("prune", "apply BACKUP_RETENTION_FULL / BACKUP_RETENTION_SCHEMA", cmd_prune)
    add("schema-dump", "pg_dump --schema-only into schema/", cmd_schema_dump)
    add("offsite", "encrypt what is new into offsite/, run BACKUP_OFFSITE_COMMAND", cmd_offsite)
    add(
        "archive-settings",
        "the primary's postgresql.conf lines for WAL archiving",
        cmd_archive_settings,
    )
