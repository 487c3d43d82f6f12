"""The origin runs as the least-privilege login role ``taskmaster_app``: no DDL, RLS on key tables,
and the whole key/auth path (usage, access logs, audit) still works under it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from psycopg import errors

from tests.conftest import OriginProcess, issue_key, start_origin
from tests.integration.keys.helpers import wait_for


def as_role(url: str, role: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.split("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{role}@{host}"))


def test_app_role_has_no_ddl_and_rls_hides_other_keys(fresh_db: str) -> None:
    own_id, _ = issue_key(fresh_db, ["tasks:read"])
    other_id, _ = issue_key(fresh_db, ["tasks:read"])
    with psycopg.connect(as_role(fresh_db, "taskmaster_app"), autocommit=True) as conn:
        flags = conn.execute(
            "SELECT rolsuper, rolbypassrls, rolcreatedb, rolcreaterole FROM pg_roles"
            " WHERE rolname = current_user"
        ).fetchone()
        assert flags == (False, False, False, False)
        for ddl in (
            "CREATE TABLE intruder (id int)",
            "ALTER TABLE tasks ADD COLUMN intruder int",
            "DROP TABLE tasks",
            "TRUNCATE audit_logs",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(ddl)
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("DELETE FROM audit_logs")  # the audit trail is append-only
        # RLS: nothing without an identity, own row with one, everything as key admin.
        assert conn.execute("SELECT count(*) FROM api_keys").fetchone() == (0,)
        with conn.transaction():
            conn.execute("SELECT set_config('app.current_key_id', %s, true)", (own_id,))
            ids = {r[0] for r in conn.execute("SELECT id::text FROM api_keys").fetchall()}
            assert ids == {own_id}
            updated = conn.execute(
                "UPDATE api_keys SET name = 'hijack' WHERE id = %s", (other_id,)
            ).rowcount
            assert updated == 0
        with conn.transaction():
            conn.execute("SELECT set_config('app.is_admin', 'on', true)")
            ids = {r[0] for r in conn.execute("SELECT id::text FROM api_keys").fetchall()}
            assert {own_id, other_id} <= ids
        # Authentication goes through the SECURITY DEFINER lookup, whatever the identity.
        row = conn.execute("SELECT count(*) FROM find_api_key_by_hash((SELECT 'x'))").fetchone()
        assert row == (0,)
    with psycopg.connect(fresh_db, autocommit=True) as conn, conn.transaction():
        conn.execute("SET LOCAL ROLE taskmaster_readonly")
        assert conn.execute("SELECT count(*) FROM tasks").fetchone() is not None
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("INSERT INTO tasks (title) VALUES ('readonly')")


@pytest.fixture(scope="module")
def app_role_stack(
    pg_server, migrated_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, OriginProcess, str, str]]:
    name = pg_server.create_database(template=migrated_template)
    url = pg_server.url(name)
    key_id, key = issue_key(url, ["admin"])
    origin = start_origin(
        as_role(url, "taskmaster_app"), tmp_path_factory.mktemp("app-role") / "origin.log"
    )
    try:
        yield url, origin, key_id, key
    finally:
        origin.stop()
        pg_server.drop_database(name)


def test_origin_works_as_the_app_role(app_role_stack: tuple[str, OriginProcess, str, str]) -> None:
    url, origin, admin_id, admin = app_role_stack
    headers = {"Authorization": f"Bearer {admin}", "X-Request-Id": "app-role-request-1"}
    with httpx.Client(base_url=origin.url, timeout=10, headers=headers) as http:
        with psycopg.connect(url, autocommit=True) as db:
            user = db.execute(
                "SELECT usename FROM pg_stat_activity WHERE datname = current_database()"
                " AND usename = 'taskmaster_app' LIMIT 1"
            ).fetchone()
            assert user == ("taskmaster_app",)
        task = http.post("/api/v1/tasks", json={"title": "as app role"})
        assert task.status_code == 201, task.text
        assert http.get("/api/v1/tasks").status_code == 200
        created = http.post("/api/v1/keys", json={"name": "made by app", "scopes": ["tasks:read"]})
        assert created.status_code == 201, created.text
        new = created.json()["data"]
        listed = http.get("/api/v1/keys", params={"limit": 200}).json()["data"]
        assert {admin_id, new["id"]} <= {k["id"] for k in listed}
        rotated = http.post(f"/api/v1/keys/{new['id']}/rotate", json={"grace_seconds": 0})
        assert rotated.status_code == 201, rotated.text
        revoked = http.post(f"/api/v1/keys/{rotated.json()['data']['id']}/revoke", json={})
        assert revoked.status_code == 200, revoked.text
        with httpx.Client(base_url=origin.url, timeout=10) as fresh:
            response = fresh.get("/api/v1/tasks", headers={"X-API-Key": new["key"]})
            assert response.status_code == 401

    with psycopg.connect(url, autocommit=True) as db:
        audit = db.execute(
            "SELECT actor_key_id::text, request_id FROM audit_logs WHERE table_name = 'tasks'"
            " AND row_id = %s",
            (task.json()["data"]["id"],),
        ).fetchone()
        assert audit == (admin_id, "app-role-request-1")
        wait_for(
            lambda: db.execute(
                "SELECT usage_count > 0 FROM api_keys WHERE id = %s", (admin_id,)
            ).fetchone()[0]
        )
        wait_for(
            lambda: (
                db.execute(
                    "SELECT count(*) FROM api_access_logs WHERE api_key_id = %s", (admin_id,)
                ).fetchone()[0]
                >= 5
            )
        )
    assert "Traceback" not in Path(origin.log_path).read_text()
