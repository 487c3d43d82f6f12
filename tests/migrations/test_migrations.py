"""Migrations on a real server with the real dbmate: round trip, schema drift, constraints."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import psycopg
import pytest
from psycopg import errors
from taskmaster.tasks.schemas import TaskStatus, TaskType

from tests.conftest import MIGRATIONS, SCHEMA_FILE, PgServer, dbmate

MIGRATION_FILES = sorted(MIGRATIONS.glob("*.sql"))


def _objects(url: str) -> set[str]:
    """Every table, view, function and type the migrations could have left behind."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """
            SELECT 'rel:' || relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND relname <> 'schema_migrations'
               AND relname NOT LIKE 'schema_migrations%%'
            UNION ALL
            SELECT 'fn:' || proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'public' AND NOT EXISTS (
                   SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
            UNION ALL
            SELECT 'ext:' || extname FROM pg_extension WHERE extname <> 'plpgsql'
            """
        ).fetchall()
    return {row[0] for row in rows}


def test_every_migration_has_up_and_down() -> None:
    assert MIGRATION_FILES, "no migrations found"
    for path in MIGRATION_FILES:
        text = path.read_text()
        assert re.match(r"^\d{14}_[a-z0-9_]+\.sql$", path.name), path.name
        assert "-- migrate:up" in text and "-- migrate:down" in text, path.name
        down = text.split("-- migrate:down", 1)[1]
        assert down.strip(), f"{path.name} has an empty down section"


def test_up_down_up_on_an_empty_database(pg_server: PgServer) -> None:
    name = pg_server.create_database()
    url = pg_server.url(name)
    try:
        dbmate(url, "--no-dump-schema", "up")
        migrated = _objects(url)
        assert "rel:tasks" in migrated
        for _ in MIGRATION_FILES:
            dbmate(url, "--no-dump-schema", "rollback")
        assert _objects(url) == set(), "rolling every migration back left objects behind"
        dbmate(url, "--no-dump-schema", "up")
        assert _objects(url) == migrated
    finally:
        pg_server.drop_database(name)


def test_schema_sql_has_no_drift(
    pg_server: PgServer, migrated_template: str, tmp_path: Path
) -> None:
    dumped = tmp_path / "schema.sql"
    dbmate(pg_server.url(migrated_template), "--schema-file", str(dumped), "dump")
    assert dumped.read_text() == SCHEMA_FILE.read_text(), (
        "db/schema.sql differs from the migrations: run `make migrate` (or `make schema`) and commit it"
    )


def _check_values(conn: psycopg.Connection, constraint: str) -> set[str]:
    definition = conn.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s", (constraint,)
    ).fetchone()
    assert definition is not None, constraint
    return set(re.findall(r"'([a-z_]+)'::text", definition[0]))


def test_python_enums_match_the_check_constraints(fresh_db: str) -> None:
    with psycopg.connect(fresh_db) as conn:
        assert _check_values(conn, "tasks_status_check") == set(typing.get_args(TaskStatus))
        assert _check_values(conn, "tasks_type_check") == set(typing.get_args(TaskType))


BAD_TASKS = [
    pytest.param({"priority": 11}, errors.CheckViolation, id="priority-11"),
    pytest.param({"priority": -1}, errors.CheckViolation, id="priority-negative"),
    pytest.param({"complexity_score": 0}, errors.CheckViolation, id="complexity-0"),
    pytest.param({"complexity_score": 11}, errors.CheckViolation, id="complexity-11"),
    pytest.param({"status": "done"}, errors.CheckViolation, id="unknown-status"),
    pytest.param({"type": "chore"}, errors.CheckViolation, id="unknown-type"),
    pytest.param({"title": ""}, errors.CheckViolation, id="empty-title"),
    pytest.param({"estimated_hours": -1}, errors.CheckViolation, id="negative-hours"),
    pytest.param(
        {"project_id": "00000000-0000-0000-0000-000000000001"},
        errors.ForeignKeyViolation,
        id="unknown-project",
    ),
]


@pytest.mark.parametrize(("overrides", "error"), BAD_TASKS)
def test_constraints_refuse_bad_tasks(
    fresh_db: str, overrides: dict[str, object], error: type[Exception]
) -> None:
    row = {"title": "a task"} | overrides
    columns = list(row)
    with psycopg.connect(fresh_db) as conn, pytest.raises(error):
        conn.execute(
            psycopg.sql.SQL("INSERT INTO tasks ({}) VALUES ({})").format(
                psycopg.sql.SQL(", ").join(map(psycopg.sql.Identifier, columns)),
                psycopg.sql.SQL(", ").join(psycopg.sql.Placeholder() * len(columns)),
            ),
            list(row.values()),
        )


def test_task_cannot_depend_on_itself_or_be_its_own_parent(fresh_db: str) -> None:
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        (task_id,) = conn.execute("INSERT INTO tasks (title) VALUES ('t') RETURNING id").fetchone()  # type: ignore[misc]
        with pytest.raises(errors.CheckViolation):
            conn.execute(
                "INSERT INTO task_dependencies (task_id, depends_on_task_id) VALUES (%s, %s)",
                (task_id, task_id),
            )
        with pytest.raises(errors.CheckViolation):
            conn.execute("UPDATE tasks SET parent_task_id = id WHERE id = %s", (task_id,))


def test_triggers_maintain_updated_at_version_and_completed_at(fresh_db: str) -> None:
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        task_id, created, version = conn.execute(  # type: ignore[misc]
            "INSERT INTO tasks (title) VALUES ('t') RETURNING id, updated_at, version"
        ).fetchone()
        updated, new_version, completed_at = conn.execute(  # type: ignore[misc]
            "UPDATE tasks SET status = 'completed' WHERE id = %s"
            " RETURNING updated_at, version, completed_at",
            (task_id,),
        ).fetchone()
        assert updated > created
        assert new_version == version + 1
        assert completed_at is not None
        (reopened,) = conn.execute(  # type: ignore[misc]
            "UPDATE tasks SET status = 'pending' WHERE id = %s RETURNING completed_at", (task_id,)
        ).fetchone()
        assert reopened is None
