"""Query plans of ``next`` and ``claim`` over a project of 100,000 tasks: both read the claim
queue index in the ready order (no sort node over the ready set) and stop after a handful of
entries, in the custom plan psycopg gets first and in the generic plan a prepared statement
settles on. One seeded database for the module (INSERT … SELECT generate_series, triggers off,
the counters they keep written by the seed itself)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any, LiteralString, cast

import psycopg
import pytest
from psycopg import sql
from taskmaster.db.context import KEEP_CONTEXT
from taskmaster.graph.claim_groups import MAX_GROUP, MAX_SLOTS
from taskmaster.graph.service import QUERIES, claim_statement

from tests.conftest import PgServer
from tests.plans.explain import SORTS, explain, generic, nodes

TASKS = 100_000
OTHERS = 5_000
QUEUE_INDEX = {"project": "tasks_project_claim_queue_idx", "any": "tasks_claim_queue_idx"}

SEED = """
INSERT INTO projects (id, name, slug) VALUES (%(project)s, 'plans', %(slug)s),
                                             (%(other)s, 'plans, other', %(slug)s || '-other');
CREATE TEMP TABLE seeded AS
SELECT n, gen_random_uuid() AS id, CASE n %% 10 WHEN 0 THEN 'completed' WHEN 1 THEN 'in_progress'
                                   ELSE 'pending' END AS status
FROM generate_series(1, %(tasks)s) AS n;
-- A tenth completed, a tenth in progress under live leases, the rest pending; every seventh task
-- waits on the one before it. The triggers are off, so the counters they keep are written here
-- (open_prerequisites: the previous task is not completed; open_dependants: the next task waits
-- and is unfinished).
INSERT INTO tasks (id, project_id, title, status, priority, created_at, lease_owner,
                   lease_expires_at, lease_token, open_prerequisites, open_dependants)
SELECT id, %(project)s, 'task ' || n, status, n / 10 %% 10,
       timestamptz '2026-01-01' + n * interval '1 second',
       CASE WHEN status = 'in_progress' THEN 'agent-' || n %% 32 END,
       CASE WHEN status = 'in_progress' THEN now() + interval '1 hour' END,
       CASE WHEN status = 'in_progress' THEN 1 ELSE 0 END,
       CASE WHEN n %% 7 = 0 AND (n - 1) %% 10 <> 0 THEN 1 ELSE 0 END,
       CASE WHEN (n + 1) %% 7 = 0 AND (n + 1) %% 10 <> 0 AND n < %(tasks)s THEN 1 ELSE 0 END
FROM seeded;
INSERT INTO task_dependencies (task_id, depends_on_task_id, dependency_type, prerequisite_open,
                               dependent_open, project_id)
SELECT a.id, b.id, 'depends_on', b.status <> 'completed', a.status <> 'completed', %(project)s
FROM seeded a JOIN seeded b ON b.n = a.n - 1 WHERE a.n %% 7 = 0;
-- Another project whose tasks all come first in the global order (priority 10, the first
-- project's go up to 9): a claim within the first project must not read through them.
INSERT INTO tasks (project_id, title, priority)
SELECT %(other)s, 'other ' || n, 10 FROM generate_series(1, %(others)s) AS n;
"""


@contextlib.contextmanager
def _without_secondary_indexes(conn: psycopg.Connection) -> Iterator[None]:
    """Build the tasks indexes once after the load rather than row by row during it (their own
    definitions, so the plans see exactly the schema's indexes)."""
    rows = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i"
        " WHERE i.tablename = 'tasks' AND NOT EXISTS"
        " (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
    ).fetchall()
    for name, _ in rows:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    yield
    for _, definition in rows:
        conn.execute(cast(LiteralString, definition))


@pytest.fixture(scope="module")
def planned(
    pg_server: PgServer, migrated_template: str
) -> Iterator[tuple[psycopg.Connection, str]]:
    name = pg_server.create_database(template=migrated_template)
    project = str(uuid.uuid4())
    try:
        with psycopg.connect(pg_server.url(name), autocommit=True) as conn:
            with conn.transaction(), _without_secondary_indexes(conn):
                conn.execute("SET LOCAL session_replication_role = replica")
                params = {
                    "project": project,
                    "other": str(uuid.uuid4()),
                    "slug": f"plans-{project[:8]}",
                    "tasks": TASKS,
                    "others": OTHERS,
                }
                for statement in SEED.split(";\n"):
                    if statement.strip():
                        conn.execute(cast(LiteralString, statement), params)
            conn.execute("VACUUM ANALYZE tasks, task_dependencies")
            # Tenancy: this session may see every project (as an admin's request does).
            conn.execute("SELECT set_config('app.projects', '*', false)")
            yield conn, project
    finally:
        pg_server.drop_database(name)


def _params(scope: str, project: str, count: int = 1) -> dict[str, Any]:
    return {
        "project_id": project if scope == "project" else None,
        "assignee": None,
        "agent": "planner",
        "ttl_seconds": 300,
        "count": count,
        # a claim group's requests (graph/claim_groups.py): as many as its statement's LIMIT
        "agents": [f"planner-{n}" for n in range(MAX_SLOTS)],
        "request_ids": [f"request-{n}" for n in range(MAX_SLOTS)],
        **KEEP_CONTEXT,  # the audit context, as the statement's write_context sets it
    }


def _statement(name: str) -> str:
    """A named statement; "claim_group:<scope>:<tasks>" is a claim group's (made on first use)."""
    if name.startswith("claim_group:"):
        _, scope, slots = name.split(":")
        return claim_statement(scope, int(slots), grouped=True)
    return QUERIES[name]


def _queue_scans(plan: dict[str, Any], scope: str) -> list[dict[str, Any]]:
    return [node for node in nodes(plan) if node.get("Index Name") == QUEUE_INDEX[scope]]


def _assert_reads_the_queue_unsorted(plan: dict[str, Any], scope: str) -> None:
    kinds = [node["Node Type"] for node in nodes(plan)]
    assert not SORTS & set(kinds), kinds
    assert _queue_scans(plan, scope), kinds
    seq = [n for n in nodes(plan) if n["Node Type"] == "Seq Scan" and n["Relation Name"] == "tasks"]
    assert not seq, kinds


@pytest.mark.parametrize("scope", ["project", "any"])
@pytest.mark.parametrize(
    "statement", ["next_ready:{}", "claim_next:{}:10", "claim_next:{}:1", "claim_group:{}:4"]
)
def test_next_and_claim_read_the_claim_queue_in_order(
    planned: tuple[psycopg.Connection, str], statement: str, scope: str
) -> None:
    conn, project = planned
    query = _statement(statement.format(scope))
    _assert_reads_the_queue_unsorted(
        explain(conn, "COSTS OFF", query, _params(scope, project)), scope
    )
    generic_plan = explain(conn, "GENERIC_PLAN, COSTS OFF", generic(query), None)
    _assert_reads_the_queue_unsorted(generic_plan, scope)


@pytest.mark.parametrize(
    ("statement", "count"),
    [
        ("claim_next:project:1", 1),
        ("claim_next:project:100", 100),
        (f"claim_group:project:{MAX_GROUP}", MAX_GROUP),
        (f"claim_group:project:{MAX_SLOTS}", MAX_SLOTS),
    ],
)
def test_a_claim_reads_a_handful_of_queue_entries(
    planned: tuple[psycopg.Connection, str], statement: str, count: int
) -> None:
    """Executed (and rolled back): the queue scan returns what it leases, whatever the size."""
    conn, project = planned
    with conn.transaction(force_rollback=True):
        query = _statement(statement)
        plan = explain(
            conn, "ANALYZE, BUFFERS, TIMING OFF", query, _params("project", project, count)
        )
    (scan,) = _queue_scans(plan, "project")
    assert scan["Actual Rows"] == count  # no leased, finished or blocked entry read in vain
    blocks = scan["Shared Hit Blocks"] + scan["Shared Read Blocks"]
    assert blocks <= 10 + count, scan  # a few index pages and one heap page per task


@pytest.fixture
def unleased_statistics(
    pg_server: PgServer, migrated_template: str
) -> Iterator[tuple[psycopg.Connection, str]]:
    """A project of 20,000 pending tasks, analyzed before any lease existed (as right after a
    seed or a quiet night), then 5,000 of them leased without a new ANALYZE."""
    name = pg_server.create_database(template=migrated_template)
    project = str(uuid.uuid4())
    try:
        with psycopg.connect(pg_server.url(name), autocommit=True) as conn:
            conn.execute(
                "INSERT INTO projects (id, name, slug) VALUES (%s, 'leases', %s)",
                (project, f"leases-{project[:8]}"),
            )
            conn.execute(
                "INSERT INTO tasks (project_id, title) SELECT %s, 'task ' || n"
                " FROM generate_series(1, 20000) AS n",
                (project,),
            )
            conn.execute("VACUUM ANALYZE tasks")
            conn.execute("ALTER TABLE tasks SET (autovacuum_enabled = off)")  # keep the stats
            conn.execute(
                "UPDATE tasks SET status = 'in_progress', lease_owner = 'agent', lease_token = 1,"
                " lease_expires_at = now() + interval '1 hour'"
                " WHERE id IN (SELECT id FROM tasks ORDER BY created_at LIMIT 5000)"
            )
            conn.execute("SELECT set_config('app.projects', '*', false)")
            yield conn, project
    finally:
        pg_server.drop_database(name)


LEASE_DUE_INDEX = {"project": "tasks_project_lease_due_idx", "any": "tasks_lease_due_idx"}


@pytest.mark.parametrize(
    ("name", "scope"),
    [("claim_next:project:10", "project"), ("claim_next:project:1", "project"),
     ("claim_next:any:1", "any")],
)  # fmt: skip
def test_the_lapsed_probe_reads_no_live_lease_whatever_the_statistics(
    unleased_statistics: tuple[psycopg.Connection, str], name: str, scope: str
) -> None:
    """The lapsed-lease probe of a claim is one probe of the due index, also when the
    statistics say there is no lease: with (project_id, status), or the status index and a sort,
    PostgreSQL then filtered every live lease, row by row, on every claim."""
    conn, project = unleased_statistics
    with conn.transaction(force_rollback=True):
        plan = explain(conn, "ANALYZE, BUFFERS, TIMING OFF", QUERIES[name], _params(scope, project))
    (probe,) = [n for n in nodes(plan) if n.get("Index Name") == LEASE_DUE_INDEX[scope]]
    assert probe["Actual Rows"] == 0
    assert probe["Shared Hit Blocks"] + probe["Shared Read Blocks"] <= 4, probe


@pytest.mark.parametrize("scope", ["project", "any"])
@pytest.mark.parametrize("statement", ["claim_next:{}:1", "claim_next:{}:10", "claim_group:{}:4"])
def test_a_single_claim_is_not_planned_again_on_every_call(
    planned: tuple[psycopg.Connection, str], scope: str, statement: str
) -> None:
    """The prepared single claim, and a claim group's statement, settle on their generic plan
    (PostgreSQL tries five custom plans first): planning on every call cost more than running."""
    conn, project = planned
    query = _statement(statement.format(scope))
    conn.prepare_threshold = 0  # as the origin's pool connections
    try:
        with conn.transaction(force_rollback=True):
            for _ in range(8):
                conn.execute(cast(LiteralString, query), _params(scope, project))
            row = conn.execute(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                " WHERE statement = %s",
                (generic(query),),
            ).fetchone()
    finally:
        conn.prepare_threshold = 5
    assert row is not None
    generic_plans, custom_plans = row
    assert (generic_plans, custom_plans) == (3, 5)


def test_the_lapsed_probe_plans_on_the_due_index_whatever_the_statistics(
    unleased_statistics: tuple[psycopg.Connection, str],
) -> None:
    """The generic plan a prepared claim settles on (no project id known) too."""
    conn, _ = unleased_statistics
    plan = explain(conn, "GENERIC_PLAN, COSTS OFF", generic(QUERIES["claim_next:project:1"]), None)
    used = [n.get("Index Name") for n in nodes(plan) if n.get("Index Name")]
    assert "tasks_project_lease_due_idx" in used, used


@pytest.mark.parametrize("filters", [("tag",), ("project_id", "tag")])
def test_the_tag_filter_reads_the_tag_index(
    planned: tuple[psycopg.Connection, str], filters: tuple[str, ...]
) -> None:
    """``GET /tasks?tag=`` (also within a project) is served by the tags GIN index, the one GIN
    index of tasks left (migration ``cheapen_task_update_triggers`` dropped the title trigram and
    metadata ones, which no statement read, and bounded this one's pending list)."""
    from taskmaster.tasks.service import TASKS

    conn, project = planned
    query = TASKS.list_query(filters, TASKS.sort(None), after_cursor=False)
    params = {"tag": ["rare"], "project_id": project}
    for plan in (
        explain(conn, "COSTS OFF", query, params),
        explain(conn, "GENERIC_PLAN, COSTS OFF", generic(query), None),
    ):
        used = [n.get("Index Name") for n in nodes(plan) if n.get("Index Name")]
        assert "tasks_tags_gin_idx" in used, used
