"""``taskmaster db backup | restore | verify-backup`` (``make backup``, ``make restore``).

``DATABASE_URL`` names the database to back up, the default restore target and the source a
backup is verified against. ``BACKUP_ENCRYPTION_KEY`` (32 bytes, urlsafe base64) encrypts new
backups and decrypts encrypted ones. Progress lines go to stderr; the verification report to
stdout. Exit codes: 0 success, 1 failure (or a mismatch), 2 usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from taskmaster.backup import crypto, service
from taskmaster.backup.physical_cli import register_physical


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _url(args: argparse.Namespace) -> str:
    url = getattr(args, "database_url", None) or os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit("taskmaster db: DATABASE_URL is not set")
    return url


def _key(required: bool = False) -> bytes | None:
    text = os.environ.get("BACKUP_ENCRYPTION_KEY", "")
    if not text:
        if required:
            raise SystemExit("taskmaster db: --encrypt needs BACKUP_ENCRYPTION_KEY")
        return None
    try:
        return crypto.load_key(text)
    except crypto.BackupCryptoError as exc:
        raise SystemExit(f"taskmaster db: {exc}") from exc


def cmd_backup(args: argparse.Namespace) -> int:
    key = None if args.no_encrypt else _key()
    try:
        path = service.backup(
            _url(args), Path(args.output_dir), gzip_output=args.gzip, key=key, progress=_progress
        )
    except service.BackupError as exc:
        print(f"taskmaster db backup: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    url = _url(args)
    target = args.target
    if target and "://" not in target:
        target = service.with_database(url, target)
    try:
        service.restore(
            Path(args.file), target or url, key=_key(), confirm=args.confirm, progress=_progress
        )
    except service.BackupError as exc:
        print(f"taskmaster db restore: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    try:
        checks = service.verify(Path(args.file), _url(args), key=_key(), progress=_progress)
    except service.BackupError as exc:
        print(f"taskmaster db verify-backup: {exc}", file=sys.stderr)
        return 1
    width = max((len(c.table) for c in checks), default=10)
    print(f"{'table':<{width}}  {'source':>10}  {'restored':>10}  checksum")
    for check in checks:
        verdict = "ok" if check.matches else "MISMATCH"
        source = "-" if check.source_rows is None else str(check.source_rows)
        restored = "-" if check.restored_rows is None else str(check.restored_rows)
        print(f"{check.table:<{width}}  {source:>10}  {restored:>10}  {verdict}")
    bad = [c.table for c in checks if not c.matches]
    if bad:
        print(f"verify-backup: {len(bad)} of {len(checks)} tables differ: {', '.join(bad)}")
        return 1
    print(f"verify-backup: all {len(checks)} tables match")
    return 0


def register_db(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("db", help="back up, restore and verify backups")
    commands = parser.add_subparsers(dest="db_command", required=True)

    dump = commands.add_parser("backup", help="pg_dump (custom format) into a timestamped file")
    dump.add_argument("--output-dir", default=os.environ.get("BACKUP_DIR", "backups"))
    dump.add_argument("--gzip", action="store_true", help="gzip the dump (.gz)")
    dump.add_argument(
        "--no-encrypt",
        action="store_true",
        help="do not encrypt even if BACKUP_ENCRYPTION_KEY is set",
    )
    dump.add_argument("--database-url", help="instead of DATABASE_URL")
    dump.set_defaults(run=cmd_backup)

    load = commands.add_parser("restore", help="restore a backup into an empty or named database")
    load.add_argument("file")
    load.add_argument("--target", help="database name (same server) or URL; default DATABASE_URL")
    load.add_argument("--confirm", action="store_true", help="allow a non-empty target")
    load.add_argument("--database-url", help="instead of DATABASE_URL")
    load.set_defaults(run=cmd_restore)

    check = commands.add_parser(
        "verify-backup", help="restore into a throwaway database and compare every table"
    )
    check.add_argument("file")
    check.add_argument("--database-url", help="the source to compare with (default DATABASE_URL)")
    check.set_defaults(run=cmd_verify)
    register_physical(commands)  # basebackup, restore-pitr, … (PostgreSQL's physical tools)
