"""The benchmark's database: a dedicated embedded PostgreSQL and a realistic, reusable dataset.

The cluster lives in ``.data/bench-postgres`` (git-ignored) and the data in its own database,
``taskmaster_bench``, migrated with dbmate like any other. Seeding writes 1,000,000 tasks across
1,000 projects, with subtasks, dependency edges (a DAG: a task only depends on older tasks of its
project) and contexts, straight through ``COPY``:

- the database is dropped and recreated first, so a seed interrupted half-way never leaves a
  half-seeded database behind a valid marker;
- triggers (audit, completion sync, FK checks) are off for the seeding session
  (``session_replication_role = replica``): the generator writes rows that already satisfy them;
- secondary indexes are dropped before the COPY and rebuilt from their own definitions after it
  (building an index once is far cheaper than maintaining it row by row).

A marker row (``bench_seed``) records what was seeded; a later run reuses the database when the
marker matches the row counts and the seed version (bump :data:`SEED_VERSION` when the generator
changes). Rows the benchmark itself writes (``POST /tasks`` into the ``bench-writes`` project,
log batches) are removed by :func:`reset_writes` before each run so the counts stay put.

To add a table to the dataset: write a ``_<table>_rows`` generator yielding COPY text lines,
call it from :func:`seed` and add its count to :class:`SeedPlan` and the marker.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from taskmaster.devdb import POSTGRES_BIN_PATH, LocalPostgres

SEED_VERSION = 1
DB_NAME = "taskmaster_bench"
APP_ROLE = "taskmaster_app"  # the least-privilege login role production connects as
WRITES_PROJECT_SLUG = "bench-writes"

STATUSES = (
    ("pending", 30), ("in_progress", 10), ("blocked", 5), ("review", 5),
    ("completed", 35), ("failed", 5), ("cancelled", 5), ("deferred", 5),
)  # fmt: skip
FINISHED = frozenset({"completed", "failed", "cancelled"})
TYPES = (
    "feature", "bug", "enhancement", "refactor", "documentation", "test", "research",
    "deployment", "maintenance", "security", "general",
)  # fmt: skip
CONTEXT_TYPES = (
    "requirement", "codebase", "ai_interaction", "validation", "workflow", "status_change",
    "completion", "note", "error", "performance",
)  # fmt: skip
TAGS = ("backend", "frontend", "api", "db", "infra", "ci", "docs", "security", "perf", "ux")
WORDS = (
    "add", "fix", "refactor", "cache", "index", "endpoint", "schema", "migration", "worker",
    "queue", "retry", "timeout", "auth", "token", "limit", "page", "cursor", "graph", "deploy",
    "rollback", "metric", "log", "alert", "config", "test", "flaky", "build", "release",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SeedPlan:
    projects: int = 1_000
    tasks: int = 1_000_000
    subtask_share: float = 0.10  # tasks that have a parent task
    dependencies: int = 500_000
    contexts: int = 500_000
    seed: int = 8


@dataclass(slots=True)
class Database:
    """Where the benchmark's data lives, as the superuser (seeding) and the app role (servers)."""

    server: LocalPostgres

    @property
    def admin_url(self) -> str:
        return self.server.url(DB_NAME)

    @property
    def app_url(self) -> str:
        return f"postgresql://{APP_ROLE}@127.0.0.1:{self.server.port}/{DB_NAME}"

    def url(self, dbname: str) -> str:
        return self.server.url(dbname)


def start_server(data_dir: Path, port: int) -> Database:
    server = LocalPostgres(data_dir.resolve(), port)
    server.start()
    server.wait_ready()
    return Database(server)


def migrate(url: str, root: Path) -> None:
    """Create the database if needed and apply pending migrations (dbmate, as ``make migrate``)."""
    env = dict(os.environ)
    env["DATABASE_URL"] = url + "?sslmode=disable"
    env["PATH"] = f"{POSTGRES_BIN_PATH}:{env.get('PATH', '')}"
    subprocess.run(
        [
            str(root / ".venv/bin/dbmate"), "--migrations-dir", str(root / "db/migrations"),
            "--no-dump-schema", "--wait", "--wait-timeout", "30s", "up",
        ],
        check=True, env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def _marker(conn: psycopg.Connection) -> dict | None:
    row = conn.execute("SELECT to_regclass('bench_seed') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return None
    found = conn.execute("SELECT plan FROM bench_seed WHERE version = %s", (SEED_VERSION,))
    marker = found.fetchone()
    return marker[0] if marker else None


def _counts(conn: psycopg.Connection) -> dict[str, int]:
    (projects,) = conn.execute(
        "SELECT count(*) FROM projects WHERE slug <> %s", (WRITES_PROJECT_SLUG,)
    ).fetchone()
    (tasks,) = conn.execute(
        "SELECT count(*) FROM tasks WHERE project_id IS DISTINCT FROM"
        " (SELECT id FROM projects WHERE slug = %s)",
        (WRITES_PROJECT_SLUG,),
    ).fetchone()
    (deps,) = conn.execute("SELECT count(*) FROM task_dependencies").fetchone()
    (contexts,) = conn.execute("SELECT count(*) FROM task_contexts").fetchone()
    return {"projects": projects, "tasks": tasks, "dependencies": deps, "contexts": contexts}


def is_seeded(db: Database, plan: SeedPlan) -> bool:
    try:
        with psycopg.connect(db.admin_url, autocommit=True) as conn:
            marker = _marker(conn)
            if marker != asdict(plan):
                return False
            counts = _counts(conn)
    except psycopg.OperationalError:
        return False
    expected = {
        "projects": plan.projects, "tasks": plan.tasks,
        "dependencies": plan.dependencies, "contexts": plan.contexts,
    }  # fmt: skip
    return counts == expected


def reset_writes(db: Database) -> None:
    """Remove what earlier benchmark runs wrote (their tasks, log batches, audit and access rows)."""
    with psycopg.connect(db.admin_url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # no audit rows for the cleanup
        conn.execute(
            "DELETE FROM tasks WHERE project_id = (SELECT id FROM projects WHERE slug = %s)",
            (WRITES_PROJECT_SLUG,),
        )
        conn.execute("TRUNCATE logs, audit_logs, api_access_logs")
        conn.execute("VACUUM ANALYZE tasks")


def recreate_database(db: Database, root: Path) -> None:
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    migrate(db.admin_url, root)


# ---- generators ------------------------------------------------------------------------------


def _uuids(count: int, rng: random.Random) -> list[str]:
    raw = rng.randbytes(16 * count)
    return [str(uuid.UUID(bytes=raw[i * 16 : i * 16 + 16], version=4)) for i in range(count)]


def _ts(moment: datetime) -> str:
    return moment.isoformat()


def _project_rows(ids: list[str], start: datetime) -> Iterator[str]:
    for index, pid in enumerate(ids):
        created = _ts(start + timedelta(minutes=index))
        yield (
            f"{pid}\tProject {index:04d}\tbench-p{index:04d}\tSeeded project {index}\t"
            f"https://git.example.com/org/p{index:04d}\tactive\t{created}\t{created}\n"
        )


def _task_rows(
    plan: SeedPlan, task_ids: list[str], project_ids: list[str], rng: random.Random, start: datetime
) -> Iterator[str]:
    statuses = [name for name, weight in STATUSES for _ in range(weight)]
    span = timedelta(days=365).total_seconds() / plan.tasks
    n_projects = len(project_ids)
    for i, tid in enumerate(task_ids):
        project = i % n_projects
        parent = "\\N"
        if i >= n_projects * 10 and rng.random() < plan.subtask_share:
            parent = task_ids[i - n_projects * rng.randint(1, 10)]  # an older task, same project
        status = rng.choice(statuses)
        created = start + timedelta(seconds=i * span + rng.random() * span)
        updated = created + timedelta(seconds=rng.randint(0, 86_400))
        completed = _ts(updated) if status in FINISHED else "\\N"
        w1, w2, w3 = rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS)
        tags = ",".join(rng.sample(TAGS, rng.randint(0, 3)))
        complexity = rng.randint(1, 10) if rng.random() < 0.8 else "\\N"
        assigned = f"agent-{rng.randint(1, 50):02d}" if rng.random() < 0.6 else "\\N"
        estimated = f"{rng.randint(1, 80) / 2:.2f}"
        yield (
            f"{tid}\t{project_ids[project]}\t{parent}\tTask {i}: {w1} {w2} {w3}\t"
            f"Seeded task {i}: {w1} the {w2} so that the {w3} behaves under load.\t"
            f"{rng.choice(TYPES)}\t{status}\t{rng.randint(0, 10)}\t{complexity}\t"
            f"{{src/{w1}.py,src/{w2}/{w3}.py}}\t"
            f'["{w1} {w2}"]\t["{w3} works"]\t{{{tags}}}\t{assigned}\t{estimated}\t'
            f'{completed}\t{{"seed": {i % 97}}}\t{_ts(created)}\t{_ts(updated)}\n'
        )


TASK_COLUMNS = (
    "id, project_id, parent_task_id, title, description, type, status, priority, complexity_score,"
    " affected_files, requirements, acceptance_criteria, tags, assigned_to, estimated_hours,"
    " completed_at, metadata, created_at, updated_at"
)


def _dependency_rows(
    plan: SeedPlan, task_ids: list[str], project_ids: list[str], rng: random.Random, start: datetime
) -> Iterator[str]:
    """Edges from a task to an older task of the same project: always a DAG, never a self-edge.
    (A dataset seeded before edges carried their project gets it from the migration that added
    it: same rows, so the seed version stands.)"""
    n_projects = len(project_ids)
    seen: set[tuple[int, int]] = set()
    ids = _uuids(plan.dependencies, rng)
    first = n_projects * 20
    made = 0
    while made < plan.dependencies:
        task = rng.randrange(first, len(task_ids))
        target = task - n_projects * rng.randint(1, 20)
        if (task, target) in seen:
            continue
        seen.add((task, target))
        kind = "depends_on" if rng.random() < 0.8 else rng.choice(("blocks", "related"))
        project = project_ids[task % n_projects]  # as _task_rows assigns them
        yield f"{ids[made]}\t{task_ids[task]}\t{task_ids[target]}\t{kind}\t{_ts(start)}\t{project}\n"
        made += 1


def _context_rows(
    plan: SeedPlan, task_ids: list[str], rng: random.Random, start: datetime
) -> Iterator[str]:
    ids = _uuids(plan.contexts, rng)
    for index, cid in enumerate(ids):
        task = task_ids[rng.randrange(len(task_ids))]
        kind = rng.choice(CONTEXT_TYPES)
        yield (
            f"{cid}\t{task}\t{kind}\t"
            f'{{"summary": "{kind} note {index}", "tokens": {rng.randint(10, 4000)}}}\t'
            f"{_ts(start)}\t{_ts(start)}\n"
        )


def _copy(conn: psycopg.Connection, table: str, columns: str, rows: Iterator[str]) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        chunk: list[str] = []
        for line in rows:
            chunk.append(line)
            if len(chunk) >= 5_000:
                copy.write("".join(chunk))
                chunk.clear()
        if chunk:
            copy.write("".join(chunk))


def _secondary_indexes(conn: psycopg.Connection, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """Indexes that back no constraint: (name, definition), to drop now and rebuild later."""
    rows = conn.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """,
        (list(tables),),
    ).fetchall()
    return [(name, definition) for name, definition in rows]


def seed(db: Database, plan: SeedPlan, root: Path, log: callable = print) -> dict[str, float]:
    """Recreate, migrate and fill the benchmark database; returns the time each step took."""
    timings: dict[str, float] = {}
    began = time.monotonic()
    recreate_database(db, root)
    timings["create_and_migrate_s"] = time.monotonic() - began

    rng = random.Random(plan.seed)  # noqa: S311 - synthetic data, reproducible by design
    start = datetime(2025, 11, 1, tzinfo=UTC)
    project_ids = _uuids(plan.projects, rng)
    task_ids = _uuids(plan.tasks, rng)
    tables = ("projects", "tasks", "task_dependencies", "task_contexts")
    with psycopg.connect(db.admin_url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute("SET synchronous_commit = off")
        indexes = _secondary_indexes(conn, tables)
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')

        step = time.monotonic()
        _copy(
            conn, "projects",
            "id, name, slug, description, repository_url, status, created_at, updated_at",
            _project_rows(project_ids, start),
        )  # fmt: skip
        log(f"  seeding {plan.tasks:,} tasks …")
        _copy(conn, "tasks", TASK_COLUMNS, _task_rows(plan, task_ids, project_ids, rng, start))
        timings["copy_tasks_s"] = time.monotonic() - step

        step = time.monotonic()
        log(f"  seeding {plan.dependencies:,} dependencies and {plan.contexts:,} contexts …")
        _copy(
            conn, "task_dependencies",
            "id, task_id, depends_on_task_id, dependency_type, created_at, project_id",
            _dependency_rows(plan, task_ids, project_ids, rng, start),
        )  # fmt: skip
        _copy(
            conn, "task_contexts",
            "id, task_id, context_type, context_data, created_at, updated_at",
            _context_rows(plan, task_ids, rng, start),
        )  # fmt: skip
        timings["copy_edges_contexts_s"] = time.monotonic() - step

        step = time.monotonic()
        log(f"  rebuilding {len(indexes)} indexes …")
        for _, definition in indexes:
            conn.execute(definition)
        timings["indexes_s"] = time.monotonic() - step

        conn.execute(
            "INSERT INTO projects (name, slug, description) VALUES (%s, %s, %s)",
            ("Benchmark writes", WRITES_PROJECT_SLUG, "POST /tasks during make bench lands here"),
        )
        step = time.monotonic()
        conn.execute("VACUUM ANALYZE")
        timings["vacuum_analyze_s"] = time.monotonic() - step
        conn.execute(
            "CREATE TABLE bench_seed (version int PRIMARY KEY, plan jsonb, seeded_at timestamptz)"
        )
        conn.execute(
            "INSERT INTO bench_seed VALUES (%s, %s, now())",
            (SEED_VERSION, json.dumps(asdict(plan))),
        )
    timings["total_s"] = time.monotonic() - began
    return timings


def ensure_dataset(db: Database, plan: SeedPlan, root: Path, log: callable = print) -> dict:
    """Migrate, and seed unless the marker says this exact dataset is already there."""
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone()
    if exists:
        migrate(db.admin_url, root)  # new migrations since the last run apply on top
        reset_writes(db)
        if is_seeded(db, plan):
            return {"seeded": False}
    log("Seeding the benchmark database (first run, or the dataset changed) …")
    timings = seed(db, plan, root, log)
    return {"seeded": True, **{k: round(v, 1) for k, v in timings.items()}}
