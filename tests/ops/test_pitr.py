"""Backups with PostgreSQL's own tools on a primary of this module's own with WAL archiving:
full and incremental base backups verified by pg_verifybackup (a tampered one fails), restore
to a point in time through pg_combinebackup, schema dumps, retention and the encrypted off-site
step."""

from __future__ import annotations

import base64
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from taskmaster.backup import crypto, physical
from taskmaster.devdb import LocalPostgres, free_port, server_writable

DB = "pitr"


@dataclass
class Archived:
    server: LocalPostgres
    repo: physical.Repository
    root: Path

    @property
    def url(self) -> str:
        return self.server.url(DB)

    def write(self, batch: str, n: int = 5) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO batches (batch, n) SELECT %s, g FROM generate_series(1, %s) g",
                (batch, n),
            )

    def archive_now(self) -> None:
        """Close the current WAL segment and wait until the archiver has copied it."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()
            assert row is not None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                done = conn.execute("SELECT last_archived_wal FROM pg_stat_archiver").fetchone()
                if done and done[0] and done[0] >= row[0]:
                    return
                time.sleep(0.1)
        raise AssertionError(f"segment {row[0]} was not archived")


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archived]:
    root = tmp_path_factory.mktemp("pitr")
    repo = physical.Repository(root / "backups")
    server_writable(repo.wal)
    server = LocalPostgres(root / "primary", free_port())
    server.init()
    server.configure(physical.archive_settings(repo))
    server.start()
    try:
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DB}")
        with psycopg.connect(server.url(DB), autocommit=True) as conn:
            conn.execute("CREATE TABLE batches (batch text NOT NULL, n int NOT NULL)")
        yield Archived(server, repo, root)
    finally:
        server.destroy()


def _batches(url: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("SELECT batch, count(*) FROM batches GROUP BY 1").fetchall()
    return dict(rows)


def test_restore_to_a_point_in_time_through_an_incremental_backup(archived: Archived) -> None:
    full = physical.take_base_backup(archived.url, archived.repo, sync=False)
    archived.write("zero")
    incremental = physical.take_base_backup(
        archived.url, archived.repo, incremental=True, sync=False
    )
    assert incremental.parent == full.name
    archived.write("A")
    with psycopg.connect(archived.url, autocommit=True) as conn:
        noted = conn.execute("SELECT clock_timestamp()").fetchone()[0]  # type: ignore[index]
    time.sleep(0.05)
    archived.write("B")
    archived.archive_now()
    assert _batches(archived.url) == {"zero": 5, "A": 5, "B": 5}

    # The chain for that moment is the full backup and the incremental one on top of it.
    assert [b.name for b in physical.chain_for(archived.repo, noted)] == [
        full.name,
        incremental.name,
    ]
    restored = physical.restore_to_time(archived.repo, archived.root / "restored", noted)
    try:
        assert _batches(restored.url(DB)) == {"zero": 5, "A": 5}
    finally:
        restored.destroy()


def test_every_backup_verifies_and_a_tampered_one_does_not(archived: Archived) -> None:
    backups = physical.list_backups(archived.repo)
    assert {b.kind for b in backups} == {"full", "incremental"}
    for backup in backups:
        ok, report = physical.verify_base_backup(backup.path(archived.repo))
        assert ok, report
    tampered = archived.root / "tampered"
    shutil.copytree(backups[0].path(archived.repo), tampered)
    with (tampered / "PG_VERSION").open("a") as version:
        version.write("x")
    ok, report = physical.verify_base_backup(tampered)
    assert not ok
    assert "PG_VERSION" in report


def test_schema_dump_retention_metrics_and_encrypted_offsite_copy(archived: Archived) -> None:
    repo = archived.repo
    dumps = [physical.schema_dump(archived.url, repo) for _ in range(2)]
    assert "CREATE TABLE public.batches" in dumps[-1].read_text()
    newest_full = physical.take_base_backup(archived.url, repo, sync=False)
    archived.write("C")
    archived.archive_now()
    wal_before = sorted(p.name for p in repo.wal.iterdir())

    removed = physical.prune(repo, keep_full=1, keep_schema=1)
    assert [b.name for b in physical.list_backups(repo)] == [newest_full.name]
    assert dumps[0].name in removed and dumps[1].exists()
    wal_after = sorted(p.name for p in repo.wal.iterdir())
    assert wal_after and len(wal_after) < len(wal_before), "WAL older than the kept backup goes"
    metrics = repo.metrics_file.read_text()
    assert 'taskmaster_backup_last_success_timestamp_seconds{kind="full"}' in metrics

    key_text = base64.urlsafe_b64encode(os.urandom(32)).decode()
    copied = archived.root / "remote"
    physical.export_offsite(repo, crypto.load_key(key_text), f"cp -r {{dir}} {copied}")
    encrypted = sorted(p for p in copied.rglob("*") if p.is_file())
    assert encrypted and all(p.name.endswith(".enc") for p in encrypted)
    assert all(p.read_bytes().startswith(crypto.MAGIC) for p in encrypted)
    archive = next(p for p in encrypted if p.name == f"{newest_full.name}.tar.enc")
    plain = b"".join(crypto.decrypt(iter([archive.read_bytes()]), crypto.load_key(key_text)))
    assert b"backup_manifest" in plain
