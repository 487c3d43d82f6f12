"""Backup, restore and verify with the embedded wheel's ``pg_dump``/``pg_restore`` (PostgreSQL 18,
the server's own version), streaming: pg_dump → [gzip] → [AES-GCM] → file, and back.

- :func:`backup`: ``pg_dump --format=custom`` of ``DATABASE_URL`` into
  ``<dir>/<db>-<UTC timestamp>.dump`` (``.gz`` when gzipped, ``.enc`` when encrypted).
- :func:`restore`: into a named database (created when missing) or the source itself; a target
  that already holds tables is refused unless ``confirm`` (then ``pg_restore --clean``).
  The three roles the schema grants to are created first when missing.
- :func:`verify`: restores into a throwaway database and compares every table's row count and
  checksum (md5 over the sorted md5 of each row's text) with the source; materialized views are
  rebuilt by the restore and not compared.

Progress (one line per table dumped/restored/compared) goes to ``progress`` (stderr in the CLI).
The file's format is detected from its first bytes, not its name.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from taskmaster.backup import crypto
from taskmaster.devdb import POSTGRES_BIN_PATH

Progress = Callable[[str], None]
READ_SIZE = 1 << 20
CUSTOM_MAGIC = b"PGDMP"
GZIP_MAGIC = b"\x1f\x8b"
ROLES = ("taskmaster_api", "taskmaster_readonly")
_PROGRESS = re.compile(
    r'(dumping contents of table|processing data for table|creating TABLE) "?([^"]+)"?'
)


class BackupError(RuntimeError):
    """A backup, restore or verification could not be done (the message says why)."""


def _quiet(_: str) -> None:
    return None


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def _relay(stream: IO[bytes], progress: Progress, tool: str, tail: list[str]) -> None:
    """Read a tool's ``--verbose`` stderr: table lines become progress, the rest is kept for errors."""
    for raw in stream:
        line = raw.decode("utf-8", "replace").rstrip()
        match = _PROGRESS.search(line)
        if match:
            verb = {"dumping contents of table": "dumped", "creating TABLE": "created"}.get(
                match[1], "restoring"
            )
            progress(f"{tool}: {verb} {match[2]}")
        elif "error" in line.lower() or "warning" in line.lower() or "fatal" in line.lower():
            tail.append(line)
            tail[:] = tail[-20:]


def _run_tool(
    args: list[str], progress: Progress, *, stdin: IO[bytes] | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        args, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ)
    )


def backup(
    url: str,
    directory: Path,
    *,
    gzip_output: bool = False,
    key: bytes | None = None,
    progress: Progress = _quiet,
    now: datetime | None = None,
) -> Path:
    """Dump ``url`` into a new file under ``directory``; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    name = f"{database_name(url)}-{stamp}.dump" + (".gz" if gzip_output else "")
    name += ".enc" if key else ""
    target = directory / name
    partial = target.with_name(target.name + ".partial")
    progress(f"backup: pg_dump {database_name(url)} -> {target}")
    process = _run_tool(
        [str(POSTGRES_BIN_PATH / "pg_dump"), "--format=custom", "--verbose", "--dbname", url],
        progress,
    )
    tail: list[str] = []
    relay = threading.Thread(
        target=_relay, args=(process.stderr, progress, "backup", tail), daemon=True
    )
    relay.start()
    assert process.stdout is not None

    def dumped() -> Iterator[bytes]:
        while chunk := process.stdout.read(READ_SIZE):  # type: ignore[union-attr]
            yield chunk

    stream: Iterator[bytes] = dumped()
    if gzip_output:
        stream = _gzip(stream)
    if key:
        stream = crypto.encrypt(stream, key)
    size = 0
    try:
        with partial.open("wb") as out:
            for chunk in stream:
                out.write(chunk)
                size += len(chunk)
        code = process.wait()
        relay.join()
        if code != 0:
            raise BackupError("pg_dump failed: " + (" | ".join(tail) or f"exit code {code}"))
        partial.rename(target)
    finally:
        if process.poll() is None:
            process.kill()
        partial.unlink(missing_ok=True)
    progress(f"backup: wrote {size:,} bytes to {target}")
    return target


def _gzip(chunks: Iterator[bytes]) -> Iterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: gzip container
    for chunk in chunks:
        if out := compressor.compress(chunk):
            yield out
    yield compressor.flush()


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(READ_SIZE):
            yield chunk


def _decoded(path: Path, key: bytes | None) -> Iterator[bytes]:
    """The custom-format dump inside ``path``, whatever wrapping (encryption, gzip) it has."""
    with path.open("rb") as handle:
        head = handle.read(len(crypto.MAGIC))
    chunks: Iterator[bytes] = _file_chunks(path)
    if head == crypto.MAGIC:
        if key is None:
            raise BackupError(f"{path} is encrypted: set BACKUP_ENCRYPTION_KEY")
        chunks = crypto.decrypt(chunks, key)
        first = next(chunks, b"")
        chunks = _chain(first, chunks)
        head = first[:6]
    if head.startswith(GZIP_MAGIC):
        chunks = _gunzip(chunks)
        first = next(chunks, b"")
        chunks = _chain(first, chunks)
        head = first[:6]
    if not head.startswith(CUSTOM_MAGIC):
        raise BackupError(f"{path} is not a pg_dump custom-format backup")
    return chunks


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest


def _gunzip(chunks: Iterator[bytes]) -> Iterator[bytes]:
    decompressor = zlib.decompressobj(31)
    try:
        for chunk in chunks:
            if out := decompressor.decompress(chunk):
                yield out
        yield decompressor.flush()
    except zlib.error as exc:
        raise BackupError(f"the gzip stream is damaged: {exc}") from exc
    if not decompressor.eof:
        raise BackupError("the gzip stream is truncated")


def _plain_dump(path: Path, key: bytes | None, workdir: Path) -> Path:
    """A seekable plain custom-format file for pg_restore (``path`` itself when it is one)."""
    with path.open("rb") as handle:
        if handle.read(len(CUSTOM_MAGIC)) == CUSTOM_MAGIC:
            return path
    plain = workdir / "restore.dump"
    try:
        with plain.open("wb") as out:
            for chunk in _decoded(path, key):
                out.write(chunk)
    except crypto.BackupCryptoError as exc:
        raise BackupError(str(exc)) from exc
    return plain


def _admin_url(url: str) -> str:
    return with_database(url, "postgres")


def database_exists(url: str) -> bool:
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database_name(url),)
        ).fetchone()
    return row is not None


def user_relations(url: str) -> int:
    """Tables, views and sequences outside the system schemas."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
            " AND n.nspname NOT LIKE 'pg_toast%%' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
        ).fetchone()
    return int(row[0]) if row else 0


def _create_database(url: str) -> None:
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(
                sql.Identifier(database_name(url))
            )
        )


def drop_database(url: str) -> None:
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(database_name(url))
            )
        )


def _ensure_roles(url: str, progress: Progress) -> None:
    """The group roles the dump grants to (cluster-global; made by the migrations elsewhere)."""
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            for role in ROLES:
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
                if exists.fetchone() is None:
                    conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
                    progress(f"restore: created role {role}")
    except psycopg.Error as exc:
        progress(f"restore: could not check or create roles ({exc}); continuing")


def restore(
    path: Path,
    target_url: str,
    *,
    key: bytes | None = None,
    confirm: bool = False,
    progress: Progress = _quiet,
) -> None:
    """Restore the backup at ``path`` into ``target_url``'s database (see the module docstring)."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    created = False
    if not database_exists(target_url):
        progress(f"restore: creating database {database_name(target_url)}")
        _create_database(target_url)
        created = True
    elif (count := user_relations(target_url)) and not confirm:
        raise BackupError(
            f"database {database_name(target_url)} is not empty ({count} relations); "
            "restore into an empty or new database, or confirm (CONFIRM=yes / --confirm) to "
            "replace the objects the backup contains"
        )
    _ensure_roles(target_url, progress)
    with tempfile.TemporaryDirectory(prefix="tm-restore-") as workdir:
        plain = _plain_dump(path, key, Path(workdir))
        args = [
            str(POSTGRES_BIN_PATH / "pg_restore"),
            "--verbose",
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            target_url,
        ]
        if not created:
            args += ["--clean", "--if-exists"]
        progress(f"restore: pg_restore {path.name} -> {database_name(target_url)}")
        process = _run_tool([*args, str(plain)], progress)
        tail: list[str] = []
        relay = threading.Thread(
            target=_relay, args=(process.stderr, progress, "restore", tail), daemon=True
        )
        relay.start()
        assert process.stdout is not None
        process.stdout.read()
        code = process.wait()
        relay.join()
    if code != 0:
        raise BackupError("pg_restore failed: " + (" | ".join(tail) or f"exit code {code}"))
    progress(f"restore: done ({database_name(target_url)})")


@dataclass(frozen=True, slots=True)
class TableCheck:
    table: str
    source_rows: int | None
    restored_rows: int | None
    source_checksum: str | None
    restored_checksum: str | None

    @property
    def matches(self) -> bool:
        return (self.source_rows, self.source_checksum) == (
            self.restored_rows,
            self.restored_checksum,
        ) and self.source_rows is not None


def _tables(conn: psycopg.Connection) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        " AND n.nspname NOT LIKE 'pg_toast%%' ORDER BY 1, 2"
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def table_checksums(
    url: str, progress: Progress = _quiet, label: str = ""
) -> dict[str, tuple[int, str]]:
    """``{"schema.table": (rows, checksum)}``; the checksum does not depend on physical order."""
    found: dict[str, tuple[int, str]] = {}
    with psycopg.connect(url) as conn:
        conn.execute("SET statement_timeout = 0")
        for schema, table in _tables(conn):
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), ''))"
                " FROM {}.{} t"
            ).format(sql.Identifier(schema), sql.Identifier(table))
            row = conn.execute(query).fetchone()
            assert row is not None
            found[f"{schema}.{table}"] = (int(row[0]), str(row[1]))
            if label:
                progress(f"verify: {label} {schema}.{table} {row[0]} rows")
    return found


def compare(
    source: dict[str, tuple[int, str]], restored: dict[str, tuple[int, str]]
) -> list[TableCheck]:
    checks = []
    for table in sorted(source.keys() | restored.keys()):
        s = source.get(table)
        r = restored.get(table)
        checks.append(
            TableCheck(
                table,
                s[0] if s else None,
                r[0] if r else None,
                s[1] if s else None,
                r[1] if r else None,
            )
        )
    return checks


def verify(
    path: Path,
    source_url: str,
    *,
    key: bytes | None = None,
    progress: Progress = _quiet,
) -> list[TableCheck]:
    """Restore ``path`` into a throwaway database beside ``source_url`` and compare every table."""
    scratch = with_database(source_url, f"tm_verify_{uuid.uuid4().hex[:12]}")
    try:
        restore(path, scratch, key=key, progress=progress)
        restored = table_checksums(scratch, progress, "restored")
        source = table_checksums(source_url, progress, "source")
    finally:
        drop_database(scratch)
    return compare(source, restored)
