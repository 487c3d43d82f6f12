"""Backups: backup → verify-backup → restore round-trip is identical; encrypted and gzipped files
too; a non-empty target is refused without confirmation; a changed source fails verification."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.conftest import BIN, ROOT, PgServer

KEY = base64.urlsafe_b64encode(b"k" * 32).decode()


def cli(url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "taskmaster"), "db", *args],
        env={**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT / "origin"), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def seed(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        project = conn.execute(
            "INSERT INTO projects (name, slug) VALUES ('Backup', 'backup') RETURNING id"
        ).fetchone()
        assert project is not None
        for i in range(25):
            conn.execute(
                "INSERT INTO tasks (title, priority, project_id, tags, metadata)"
                " VALUES (%s, %s, %s, ARRAY['a', 'b'], jsonb_build_object('i', %s::int))",
                (f"task {i} with 'quotes' and ünïcode", i % 10, project[0], i),
            )
        conn.execute("INSERT INTO logs (level, message) VALUES ('info', 'hello')")


def checksums(url: str) -> dict[str, tuple[int, str]]:
    from taskmaster.backup.service import table_checksums

    return table_checksums(url)


@pytest.mark.parametrize(
    ("flags", "env", "suffix"),
    [((), {}, ".dump"), (("--gzip",), {"BACKUP_ENCRYPTION_KEY": KEY}, ".dump.gz.enc")],
    ids=["plain", "gzip+encrypted"],
)
def test_backup_verify_restore_round_trip(
    pg_server: PgServer,
    fresh_db: str,
    tmp_path: Path,
    flags: tuple[str, ...],
    env: dict[str, str],
    suffix: str,
) -> None:
    seed(fresh_db)
    made = cli(fresh_db, "backup", "--output-dir", str(tmp_path), *flags, **env)
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.strip())
    assert path.parent == tmp_path and path.name.endswith(suffix)
    assert "backup: dumped public.tasks" in made.stderr  # progress, table by table
    if env:
        assert b"PGDMP" not in path.read_bytes()[:64]  # not readable without the key

    verified = cli(fresh_db, "verify-backup", str(path), **env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "public.tasks" in verified.stdout and "MISMATCH" not in verified.stdout
    assert "all" in verified.stdout and "tables match" in verified.stdout

    target = pg_server.create_database()  # empty
    try:
        restored = cli(fresh_db, "restore", str(path), "--target", target, **env)
        assert restored.returncode == 0, restored.stderr
        assert checksums(pg_server.url(target)) == checksums(fresh_db)
        assert checksums(fresh_db)["public.tasks"][0] == 25
    finally:
        pg_server.drop_database(target)


def test_restore_refuses_a_non_empty_target_without_confirmation(
    fresh_db: str, tmp_path: Path
) -> None:
    seed(fresh_db)
    path = Path(cli(fresh_db, "backup", "--output-dir", str(tmp_path)).stdout.strip())
    before = checksums(fresh_db)
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute("DELETE FROM logs")
    refused = cli(fresh_db, "restore", str(path))  # into the source itself, which is not empty
    assert refused.returncode == 1
    assert "not empty" in refused.stderr
    assert checksums(fresh_db)["public.logs"][0] == 0
    confirmed = cli(fresh_db, "restore", str(path), "--confirm")
    assert confirmed.returncode == 0, confirmed.stderr
    assert checksums(fresh_db) == before


def test_verify_reports_tables_that_differ(fresh_db: str, tmp_path: Path) -> None:
    seed(fresh_db)
    path = Path(cli(fresh_db, "backup", "--output-dir", str(tmp_path)).stdout.strip())
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute(
            "UPDATE tasks SET priority = 10 WHERE title = 'task 3 with ''quotes'' and ünïcode'"
        )
    verified = cli(fresh_db, "verify-backup", str(path))
    assert verified.returncode == 1
    lines = {
        line.split()[0]: line for line in verified.stdout.splitlines() if line.startswith("public.")
    }
    assert "MISMATCH" in lines["public.tasks"]  # same count, different content
    assert lines["public.projects"].endswith("ok")


def test_an_encrypted_backup_needs_the_right_key(fresh_db: str, tmp_path: Path) -> None:
    path = Path(
        cli(
            fresh_db, "backup", "--output-dir", str(tmp_path), BACKUP_ENCRYPTION_KEY=KEY
        ).stdout.strip()
    )
    assert cli(fresh_db, "verify-backup", str(path)).returncode == 1  # no key
    wrong = base64.urlsafe_b64encode(b"w" * 32).decode()
    failed = cli(fresh_db, "verify-backup", str(path), BACKUP_ENCRYPTION_KEY=wrong)
    assert failed.returncode == 1 and "decryption failed" in failed.stderr
