"""GDPR: the export holds every row that references a user; erasure leaves no username or email
of the user in any text or jsonb column, keeps the audit trail's rows and stops every credential."""

from __future__ import annotations

import json

import httpx
import psycopg
from psycopg import sql

from tests.conftest import OriginProcess, issue_key
from tests.helpers import assert_problem
from tests.integration.people.support import bearer, login, make_user, tokens


def _mentions(url: str, needles: list[str]) -> list[str]:
    """``table.column`` of every text/jsonb value holding one of ``needles`` (case-insensitive)."""
    found = []
    with psycopg.connect(url) as conn:
        columns = conn.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c"
            " JOIN information_schema.tables t USING (table_schema, table_name)"
            " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
            " AND c.data_type IN ('text', 'jsonb', 'character varying')"
        ).fetchall()
        for table, column in columns:
            for needle in needles:
                query = sql.SQL("SELECT count(*) FROM {} WHERE {}::text ILIKE %s").format(
                    sql.Identifier(table), sql.Identifier(column)
                )
                count = conn.execute(query, (f"%{needle}%",)).fetchone()
                if count and count[0]:
                    found.append(f"{table}.{column}")
    return found


def test_export_then_erase(origin_db: str, origin: OriginProcess, client: httpx.Client) -> None:
    user = make_user(origin_db, "developer")
    names = [user["username"], user["email"]]
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        pair = tokens(http, user["username"])
        as_user = bearer(pair["access_token"])
        task = {"title": f"for {user['username']}", "assigned_to": user["username"],
                "metadata": {"contact": user["email"].upper()}}  # fmt: skip
        created = http.post("/api/v1/tasks", json=task, headers=as_user)
        assert created.status_code == 201, created.text
        _, owned_key = issue_key(origin_db, ["tasks:read"], owner_user_id=user["id"])
        assert http.get("/api/v1/tasks", headers=bearer(owned_key)).status_code == 200

        exported = client.get(f"/api/v1/users/{user['id']}/export")
        assert exported.status_code == 200, exported.text
        assert exported.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in exported.text.splitlines()]
        tables = {line["table"] for line in lines}
        assert {"users", "auth_sessions", "refresh_tokens", "api_keys", "audit_logs"} <= tables
        assert "password_hash" not in exported.text and "key_hash" not in exported.text
        assert any(
            line["table"] == "audit_logs" and line["row"]["table_name"] == "tasks" for line in lines
        )
        assert_problem(client.get("/api/v1/users/00000000-0000-0000-0000-000000000000/export"), 404)
        assert_problem(http.get(f"/api/v1/users/{user['id']}/export", headers=as_user), 403)

        with psycopg.connect(origin_db) as conn:
            before = {r[0] for r in conn.execute("SELECT id FROM audit_logs").fetchall()}
        assert _mentions(origin_db, names)  # the names are there before
        erased = client.post(f"/api/v1/users/{user['id']}/erase", json={})
        assert erased.status_code == 200, erased.text
        pseudonym = erased.json()["data"]["pseudonym"]
        assert _mentions(origin_db, names) == []
        with psycopg.connect(origin_db) as conn:
            after = {r[0] for r in conn.execute("SELECT id FROM audit_logs").fetchall()}
            assigned = conn.execute(
                "SELECT assigned_to FROM tasks WHERE id = %s", (created.json()["data"]["id"],)
            ).fetchone()
        assert before <= after and len(after - before) <= 2  # the erasure's own audit row(s)
        assert assigned == (pseudonym,)

        assert_problem(login(http, user["username"]), 401)
        assert_problem(http.get("/api/v1/tasks", headers=as_user), 401)
        assert_problem(http.get("/api/v1/tasks", headers=bearer(owned_key)), 401)
        refused = http.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert_problem(refused, 401)
