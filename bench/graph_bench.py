"""Task-graph benchmark: seed a large dependency graph, then time the ``next`` query and the
dependency cycle check exactly as the origin runs them (same named SQL, prepared statements).

    DATABASE_URL=postgresql://… .venv/bin/python -m bench.graph_bench [--runs 300] [--reuse]

The database must already be migrated (``make migrate``); the tasks and edges are added to
whatever it holds. Seeding: ``--tasks`` tasks (default 100,000) spread over ``--projects``
projects, ``--edges`` edges (default 300,000) by COPY, each from a higher to a lower index of the
same project (so the graph is acyclic), ~10 % spelled as ``blocks`` (the reverse row). Statuses
are mixed (completed/pending/in progress) so that ``next`` has to skip blocked and leased work.
Seeding runs with ``session_replication_role = replica`` (superuser): no audit rows, no FK or
counter trigger per row; ``recount_task_prerequisites()`` and ``recount_task_claim_order()`` then
derive the counters the triggers keep.

Measured, each ``--runs`` times after a warm-up, p50/p99/max printed (target: p99 < 50 ms):
- ``next (project)``: the best ready task of one random project;
- ``next (global)``: the best ready task over every project;
- ``cycle check (acyclic edge)``: the check for an edge that closes no cycle, so the walk visits
  every prerequisite reachable from the new one (the worst case of the check);
- ``cycle check (closing edge)``: an edge that would close a cycle (the walk stops at the hit).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "origin"))
from taskmaster.graph.service import QUERIES

TARGET_MS = 50.0
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
STATUSES = ["completed"] * 40 + ["pending"] * 50 + ["in_progress"] * 10


Graph = list[tuple[uuid.UUID, list[uuid.UUID]]]  # (project, its task ids in index order)


def seed(
    conn: psycopg.Connection, tasks: int, edges: int, projects: int, rng: random.Random
) -> Graph:
    """COPY projects, tasks and edges; returns each project's task ids in index order."""
    per_project = tasks // projects
    marker = uuid.uuid4().hex[:8]
    members: Graph = []
    with conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        project_ids = [uuid.uuid4() for _ in range(projects)]
        with conn.cursor().copy("COPY projects (id, name, slug) FROM STDIN") as copy:
            for n, project_id in enumerate(project_ids):
                copy.write_row((project_id, f"bench {n}", f"bench-{marker}-{n}"))
        with conn.cursor().copy(
            "COPY tasks (id, project_id, title, status, priority, estimated_hours, lease_owner,"
            " lease_expires_at, completed_at, created_at) FROM STDIN"
        ) as copy:
            for project_id in project_ids:
                ids = [uuid.uuid4() for _ in range(per_project)]
                members.append((project_id, ids))
                for index, task_id in enumerate(ids):
                    status = rng.choice(STATUSES)
                    leased = status == "in_progress"
                    copy.write_row((
                        task_id, project_id, f"task {index}", status, rng.randint(0, 10),
                        rng.choice([None, 1, 2, 4, 8]), "bench-agent" if leased else None,
                        "2999-01-01" if leased else None,
                        "2026-01-01" if status == "completed" else None,
                        EPOCH + timedelta(seconds=index),
                    ))  # fmt: skip
        # Every task but each project's first gets ~edges/tasks prerequisites of lower index;
        # the shortfall of the first rows (few candidates) is made up by the last ones.
        seen: set[tuple[uuid.UUID, uuid.UUID]] = set()
        slots = [(project, ids, index) for project, ids in members for index in range(1, len(ids))]
        with conn.cursor().copy(
            "COPY task_dependencies (task_id, depends_on_task_id, dependency_type, project_id)"
            " FROM STDIN"
        ) as copy:
            written, cursor = 0, 0
            while written < edges:
                project_id, ids, index = slots[cursor % len(slots)]
                cursor += 1
                dependent, prerequisite = ids[index], ids[rng.randrange(index)]
                if (dependent, prerequisite) in seen:
                    continue
                seen.add((dependent, prerequisite))
                if rng.random() < 0.1:  # "prerequisite blocks dependent"
                    copy.write_row((prerequisite, dependent, "blocks", project_id))
                else:
                    copy.write_row((dependent, prerequisite, "depends_on", project_id))
                written += 1
    # COPY ran with triggers off: derive the readiness counters the triggers would have kept.
    conn.execute("SELECT recount_task_prerequisites(), recount_task_claim_order()")
    # What autovacuum would have done by now (visibility map for index-only scans, statistics).
    for table in ("projects", "tasks", "task_dependencies"):
        conn.execute(f"VACUUM ANALYZE {table}")  # type: ignore[arg-type]
    return members


def load_members(conn: psycopg.Connection) -> Graph:
    """Reuse the bench projects a previous run seeded (tasks in index order)."""
    rows = conn.execute(
        "SELECT t.project_id, t.id FROM tasks t JOIN projects p ON p.id = t.project_id"
        " WHERE p.slug LIKE 'bench-%%' ORDER BY t.project_id, (substr(t.title, 6))::int"
    ).fetchall()
    groups: dict[uuid.UUID, list[uuid.UUID]] = {}
    for project_id, task_id in rows:
        groups.setdefault(project_id, []).append(task_id)
    return list(groups.items())


def timed(run: Callable[[], object], runs: int) -> list[float]:
    for _ in range(min(10, runs)):
        run()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=300_000)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="skip seeding; use bench-* projects")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL (a migrated database)")
    rng = random.Random(args.seed)  # noqa: S311 - synthetic data, reproducible by design

    with psycopg.connect(args.database_url, autocommit=True, prepare_threshold=0) as conn:
        if args.reuse:
            members = load_members(conn)
        else:
            start = time.perf_counter()
            members = seed(conn, args.tasks, args.edges, args.projects, rng)
            print(f"seeded {args.tasks:,} tasks / {args.edges:,} edges in "
                  f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        counts = (
            conn.execute("SELECT count(*) FROM tasks").fetchone(),
            conn.execute("SELECT count(*) FROM task_dependencies").fetchone(),
        )
        print(f"database holds {counts[0][0]:,} tasks / {counts[1][0]:,} edges")  # type: ignore[index]

        def next_task(project_id: uuid.UUID | None) -> object:
            """What GET /tasks/next runs (graph.service.next_task): one claim-queue read."""
            scope = "project" if project_id is not None else "any"
            params = {"project_id": project_id, "assignee": None}
            return conn.execute(QUERIES[f"next_ready:{scope}"], params).fetchone()

        def next_in_project() -> object:
            return next_task(rng.choice(members)[0])

        def next_global() -> object:
            return next_task(None)

        def check(closing: bool) -> Callable[[], object]:
            def run() -> object:
                _, ids = rng.choice(members)
                low, high = sorted(rng.sample(range(len(ids)), 2))
                # acyclic: high depends on low (the seeded direction); closing: low depends on
                # high, while high's prerequisites probably lead down to low.
                dependent, prerequisite = (
                    (ids[low], ids[high]) if closing else (ids[high], ids[low])
                )
                row = conn.execute(
                    QUERIES["check_ordering_edge"], {"start": prerequisite, "goal": dependent}
                ).fetchone()
                assert row is not None and (closing or not row[1])
                return row

            return run

        scenarios = {
            "next (project)": next_in_project,
            "next (global)": next_global,
            "cycle check (acyclic edge)": check(False),
            "cycle check (closing edge)": check(True),
        }
        print(
            f"\n{'scenario':30} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  target p99 < {TARGET_MS:.0f} ms"
        )
        failed = False
        for name, run in scenarios.items():
            samples = timed(run, args.runs)
            p50, p99 = statistics.median(samples), percentile(samples, 0.99)
            verdict = "PASS" if p99 < TARGET_MS else "FAIL"
            failed |= verdict == "FAIL"
            print(f"{name:30} {p50:8.2f} {p99:8.2f} {max(samples):8.2f}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
