"""``--at REV``: the origin as committed at REV, served beside the working tree's in the same run,
against a copy of the bench database with REV's schema.

The copy is made once per REV and run (``CREATE DATABASE … TEMPLATE`` of the bench database, after
the run's key and ids are in it) and rolled back with the **current tree's** down migrations until
its newest applied migration is REV's newest: a commit from before the tenancy migrations sees no
RLS. REV's ``origin/`` is exported with ``git archive`` under ``bench/results/tree-<sha>/`` and
put first on its workers' ``PYTHONPATH``. The copy is dropped at the end of the run.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from bench import dataset

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = "db/migrations"


@dataclass(frozen=True, slots=True)
class Revision:
    rev: str  # as given on the command line
    sha: str
    tree: Path  # REV's origin/ (for PYTHONPATH)
    migration: str  # REV's newest migration version ("" when it has none)

    @property
    def database(self) -> str:
        return f"{dataset.DB_NAME}_at_{self.sha[:12]}"

    @property
    def label(self) -> str:
        return f"{self.rev} = {self.sha[:12]}"


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def resolve(rev: str, results_dir: Path) -> Revision:
    """REV's commit, its origin package (exported once) and its newest migration."""
    sha = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    dest = results_dir / f"tree-{sha[:12]}"
    if not (dest / "origin/taskmaster").exists():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", sha, "origin"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    names = _git("ls-tree", "--name-only", f"{sha}:{MIGRATIONS}").splitlines()
    versions = [name.split("_", 1)[0] for name in names if name.endswith(".sql")]
    return Revision(rev, sha, dest / "origin", max(versions, default=""))


def _newest_applied(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return row[0] if row and row[0] else ""


def clone_database(db: dataset.Database, revision: Revision, log: Callable[[str], None]) -> str:
    """A fresh copy of the bench database at REV's schema; its app-role URL. No session may be
    connected to the bench database meanwhile (a template must be idle)."""
    name = revision.database
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(dataset.DB_NAME)
            )
        )
    url = db.url(name)
    env = {**os.environ, "DATABASE_URL": url + "?sslmode=disable"}
    env["PATH"] = f"{dataset.POSTGRES_BIN_PATH}:{env.get('PATH', '')}"
    rolled = 0
    while (applied := _newest_applied(url)) > revision.migration:
        subprocess.run(
            [str(ROOT / ".venv/bin/dbmate"), "--migrations-dir", str(ROOT / MIGRATIONS),
             "--no-dump-schema", "rollback"],
            check=True, env=env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        rolled += 1
        if _newest_applied(url) == applied:
            raise RuntimeError(f"rollback of {applied} changed nothing in {name}")
    log(f"  {name}: {rolled} migrations rolled back to {revision.migration or 'none'}")
    return db.app_url.rsplit("/", 1)[0] + "/" + name


def drop_database(db: dataset.Database, revision: Revision) -> None:
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(revision.database)
            )
        )
