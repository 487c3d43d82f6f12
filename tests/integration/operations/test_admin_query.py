"""``POST /api/v1/admin/query``: read-only, one statement, timed out, capped, audited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg

from tests.conftest import OriginProcess, issue_key, start_origin
from tests.helpers import assert_problem, count_rows
from tests.integration.keys.test_least_privilege import as_role

PATH = "/api/v1/admin/query"


def query(client: httpx.Client, sql: str, **extra: Any) -> httpx.Response:
    return client.post(PATH, json={"sql": sql, **extra})


def test_select_runs_as_the_read_only_role(client: httpx.Client) -> None:
    response = query(client, "SELECT current_user AS who, 1 + %s AS n, now() AS at", params=[41])
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    data = response.json()["data"]
    assert data["columns"] == ["who", "n", "at"]
    assert data["rows"][0][:2] == ["taskmaster_readonly", 42]
    assert data["row_count"] == 1 and data["truncated"] is False


def test_rows_are_capped(client: httpx.Client) -> None:
    data = query(client, "SELECT g FROM generate_series(1, 50) g", max_rows=10).json()["data"]
    assert data["rows"] == [[i] for i in range(1, 11)]
    assert data["row_count"] == 10 and data["truncated"] is True


def test_delete_is_refused_and_deletes_nothing(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    assert client.post(
        "/api/v1/projects", json={"name": "keep me", "slug": "keep-me-admin"}
    ).status_code in (201, 409)
    before = count_rows(db, "projects")
    assert_problem(query(client, "DELETE FROM projects"), 403, "read-only-query")
    assert_problem(
        query(client, "WITH gone AS (DELETE FROM projects RETURNING id) SELECT * FROM gone"),
        403,
        "read-only-query",
    )
    assert count_rows(db, "projects") == before


def test_a_second_statement_is_refused(client: httpx.Client, db: psycopg.Connection) -> None:
    assert_problem(query(client, "SELECT 1; DROP TABLE projects"), 403, "multiple-statements")
    assert_problem(
        query(client, "SELECT 1 ; /* */ DROP TABLE projects --"), 403, "multiple-statements"
    )
    assert db.execute("SELECT to_regclass('projects') IS NOT NULL").fetchone() == (True,)
    # A ';' inside a literal is not a statement separator, and one trailing ';' is fine.
    ok = query(client, "SELECT ';' AS s, $$a;b$$ AS d;")
    assert ok.status_code == 200, ok.text
    assert ok.json()["data"]["rows"] == [[";", "a;b"]]


def test_writes_the_precheck_misses_fail_in_the_read_only_transaction(client: httpx.Client) -> None:
    # nextval() writes; the keyword filter does not know it, the READ ONLY transaction does.
    assert_problem(query(client, "SELECT nextval('audit_logs_id_seq')"), 403, "query-refused")


def test_sleep_past_the_timeout_is_cancelled(client: httpx.Client) -> None:
    body = assert_problem(
        query(client, "SELECT pg_sleep(10)", timeout_ms=200), 422, "query-timeout"
    )
    assert "200 ms" in body["detail"]
    # The connection went back to the pool healthy and without the short timeout.
    assert query(client, "SELECT 1 AS one FROM pg_sleep(0.3)").json()["data"]["rows"] == [[1]]


def test_invalid_sql_is_a_400(client: httpx.Client) -> None:
    assert_problem(query(client, "SELECT * FROM no_such_table"), 400, "invalid-query")
    assert_problem(query(client, "SELECT 'open"), 422, "invalid-query")
    # NUL is refused for every body by strict decoding (api/strict.py), naming the field.
    nul = assert_problem(query(client, "SELECT 1\x00"), 422, "validation-failed")
    assert nul["errors"][0]["field"] == "sql"


def test_key_rows_stay_hidden(client: httpx.Client) -> None:
    # Row-level security applies to taskmaster_readonly; no key id or admin flag is set.
    data = query(client, "SELECT count(*) AS n FROM api_keys").json()["data"]
    assert data["rows"] == [[0]]
    assert_problem(query(client, "SELECT set_config('app.is_admin', 'on', false)"), 403)


def test_admin_scope_is_required(
    origin: OriginProcess, make_key: Callable[..., tuple[str, str]]
) -> None:
    _, key = make_key(["tasks:read", "tasks:write", "metrics:read", "keys:admin"])
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        denied = http.post(PATH, json={"sql": "SELECT 1"}, headers={"X-API-Key": key})
        assert_problem(denied, 403, "insufficient-scope")


def test_every_attempt_is_audited(client: httpx.Client, db: psycopg.Connection) -> None:
    sql = "SELECT 'audit me' AS marker"
    ok = query(client, sql)
    refused = query(client, "DELETE FROM tasks")
    rows = db.execute(
        "SELECT request_id, actor_key_id, new_data FROM audit_logs"
        " WHERE table_name = 'admin_query' AND request_id = ANY(%s) ORDER BY id",
        ([ok.headers["x-request-id"], refused.headers["x-request-id"]],),
    ).fetchall()
    assert [r[2]["outcome"] for r in rows] == ["ok", "read-only-query"]
    assert rows[0][2]["sql"] == sql and rows[0][2]["row_count"] == 1
    assert rows[0][1] is not None and rows[0][1] == rows[1][1]


def test_the_least_privilege_login_role_can_switch_to_the_read_only_role(
    fresh_db: str, tmp_path: Path
) -> None:
    _, key = issue_key(fresh_db, ["admin"])
    process = start_origin(as_role(fresh_db, "taskmaster_app"), tmp_path / "origin.log")
    try:
        with httpx.Client(base_url=process.url, timeout=10, headers={"X-API-Key": key}) as http:
            response = query(http, "SELECT current_user, session_user")
            assert response.status_code == 200, response.text
            assert response.json()["data"]["rows"] == [["taskmaster_readonly", "taskmaster_app"]]
            assert_problem(query(http, "SELECT nextval('audit_logs_id_seq')"), 403, "query-refused")
    finally:
        process.stop()
