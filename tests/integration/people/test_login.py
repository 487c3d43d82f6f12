"""People log in: argon2id passwords, lockout, rotating refresh tokens, logout, /me, the CLI."""

from __future__ import annotations

import httpx
import psycopg
import pytest

from tests.conftest import OriginProcess
from tests.helpers import assert_problem
from tests.integration.people.support import (
    PASSWORD,
    bearer,
    cli,
    login,
    make_user,
    tokens,
)


@pytest.fixture
def anon(origin: OriginProcess) -> httpx.Client:
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        yield http


def test_login_token_read_and_me(origin_db: str, anon: httpx.Client) -> None:
    user = make_user(origin_db, "developer")
    pair = tokens(anon, user["username"])
    assert pair["token_type"] == "Bearer" and pair["expires_in"] == 900
    assert pair["refresh_expires_in"] == 30 * 86400
    assert anon.get("/api/v1/tasks", headers=bearer(pair["access_token"])).status_code == 200
    me = anon.get("/api/v1/me", headers=bearer(pair["access_token"]))
    assert me.status_code == 200, me.text
    data = me.json()["data"]
    assert (
        data["user"]["username"] == user["username"] and data["user"]["global_role"] == "developer"
    )
    assert "tasks:write" in data["scopes"] and "keys:admin" not in data["scopes"]
    assert data["projects"] is None  # a global role: every project
    # The email is the login too, case-insensitively.
    assert login(anon, user["email"].upper()).status_code == 200


def test_password_is_stored_as_argon2id(origin_db: str) -> None:
    user = make_user(origin_db)
    with psycopg.connect(origin_db) as conn:
        row = conn.execute(
            "SELECT password_hash FROM users WHERE id = %s", (user["id"],)
        ).fetchone()
    assert row is not None and row[0].startswith("$argon2id$") and PASSWORD not in row[0]


def test_unknown_user_and_wrong_password_answer_alike(origin_db: str, anon: httpx.Client) -> None:
    user = make_user(origin_db)
    wrong = assert_problem(login(anon, user["username"], "nope"), 401, "invalid-credentials")
    unknown = assert_problem(login(anon, "nobody-at-all", "nope"), 401, "invalid-credentials")
    assert {k: v for k, v in wrong.items() if k != "request_id"} == {
        k: v for k, v in unknown.items() if k != "request_id"
    }


def test_lockout_refuses_the_right_password_until_unlocked(
    origin_db: str, anon: httpx.Client, client: httpx.Client
) -> None:
    user = make_user(origin_db)
    for _ in range(4):
        assert_problem(login(anon, user["username"], "wrong"), 401, "invalid-credentials")
    locked = assert_problem(login(anon, user["username"], "wrong"), 423, "account-locked")
    assert locked["status"] == 423
    refused = login(anon, user["username"])  # the right password, while locked
    assert_problem(refused, 423, "account-locked")
    assert 800 < int(refused.headers["retry-after"]) <= 901
    assert client.post(f"/api/v1/users/{user['id']}/unlock").status_code == 204
    assert login(anon, user["username"]).status_code == 200


def test_cli_unlock(origin_db: str, anon: httpx.Client) -> None:
    user = make_user(origin_db)
    for _ in range(5):
        login(anon, user["username"], "wrong")
    assert_problem(login(anon, user["username"]), 423)
    cli(origin_db, "users", "unlock", user["email"])
    assert login(anon, user["username"]).status_code == 200


def test_refresh_rotates_and_reuse_revokes_the_family(origin_db: str, anon: httpx.Client) -> None:
    user = make_user(origin_db, "viewer")
    first = tokens(anon, user["username"])
    second = anon.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    second_pair = second.json()["data"]
    assert second_pair["refresh_token"] != first["refresh_token"]
    assert anon.get("/api/v1/tasks", headers=bearer(second_pair["access_token"])).status_code == 200
    # The spent token is presented again: the whole family dies, the newest tokens with it.
    replay = anon.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert_problem(replay, 401, "invalid-refresh-token")
    newest = anon.post("/api/v1/auth/refresh", json={"refresh_token": second_pair["refresh_token"]})
    assert_problem(newest, 401, "invalid-refresh-token")
    assert_problem(anon.get("/api/v1/tasks", headers=bearer(second_pair["access_token"])), 401)


def test_refresh_tokens_are_stored_hashed(origin_db: str, anon: httpx.Client) -> None:
    user = make_user(origin_db)
    pair = tokens(anon, user["username"])
    with psycopg.connect(origin_db) as conn:
        stored = conn.execute("SELECT string_agg(token_hash, ',') FROM refresh_tokens").fetchone()
    assert stored is not None and pair["refresh_token"] not in stored[0]


def test_logout_ends_the_access_token_at_once(origin_db: str, anon: httpx.Client) -> None:
    user = make_user(origin_db, "viewer")
    pair = tokens(anon, user["username"])
    headers = bearer(pair["access_token"])
    assert anon.get("/api/v1/tasks", headers=headers).status_code == 200  # cached principal
    assert anon.post("/api/v1/auth/logout", json={}, headers=headers).status_code == 204
    assert_problem(anon.get("/api/v1/tasks", headers=headers), 401, "inactive-user")
    refused = anon.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert_problem(refused, 401, "invalid-refresh-token")


def test_deactivation_ends_tokens_and_logins(
    origin_db: str, anon: httpx.Client, client: httpx.Client
) -> None:
    user = make_user(origin_db, "viewer")
    headers = bearer(tokens(anon, user["username"])["access_token"])
    assert anon.get("/api/v1/tasks", headers=headers).status_code == 200
    assert client.post(f"/api/v1/users/{user['id']}/deactivate").status_code == 204
    assert_problem(anon.get("/api/v1/tasks", headers=headers), 401)
    assert_problem(login(anon, user["username"]), 401, "invalid-credentials")


def test_forged_and_foreign_tokens_are_refused(origin_db: str, anon: httpx.Client) -> None:
    import jwt

    user = make_user(origin_db, "admin")
    token = tokens(anon, user["username"])["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(
        claims,
        "not-the-secret-but-just-as-long-as-one-0123",
        algorithm="HS256",
        headers={"kid": "dev"},
    )
    assert_problem(anon.get("/api/v1/tasks", headers=bearer(forged)), 401, "invalid-access-token")
    unknown_kid = jwt.encode(
        claims,
        "another-secret-of-a-decent-length-0123456",
        algorithm="HS256",
        headers={"kid": "other"},
    )
    assert_problem(anon.get("/api/v1/tasks", headers=bearer(unknown_kid)), 401)
    none_alg = jwt.encode(claims, None, algorithm="none", headers={"kid": "dev"})
    assert_problem(anon.get("/api/v1/tasks", headers=bearer(none_alg)), 401)


def test_role_permissions(origin_db: str, anon: httpx.Client) -> None:
    viewer = bearer(tokens(anon, make_user(origin_db, "viewer")["username"])["access_token"])
    developer = bearer(tokens(anon, make_user(origin_db, "developer")["username"])["access_token"])
    admin = bearer(tokens(anon, make_user(origin_db, "admin")["username"])["access_token"])
    task = {"title": "people can write"}
    assert_problem(anon.post("/api/v1/tasks", json=task, headers=viewer), 403, "insufficient-scope")
    assert anon.get("/api/v1/tasks", headers=viewer).status_code == 200
    assert anon.post("/api/v1/tasks", json=task, headers=developer).status_code == 201
    assert_problem(anon.get("/api/v1/keys", headers=developer), 403, "insufficient-scope")
    assert anon.post("/api/v1/tasks", json=task, headers=admin).status_code == 201
    assert anon.get("/api/v1/keys", headers=admin).status_code == 200
    assert anon.get("/api/v1/audit-logs", headers=admin).status_code == 200


def test_cli_roles_and_members(origin_db: str, client: httpx.Client) -> None:
    listed = cli(origin_db, "roles", "list").stdout
    assert {"admin", "developer", "viewer", "api_client"} <= {
        line.split('"name": "')[1].split('"')[0] for line in listed.splitlines()
    }
    cli(origin_db, "roles", "set", "triager", "--permissions", "tasks:read,tasks:write")
    user = make_user(origin_db)
    slug = f"cli-{user['username']}"
    assert client.post("/api/v1/projects", json={"name": slug, "slug": slug}).status_code == 201
    cli(origin_db, "members", "add", slug, user["username"], "--role", "triager")
    with psycopg.connect(origin_db) as conn:
        count = conn.execute(
            "SELECT count(*) FROM project_members WHERE user_id = %s", (user["id"],)
        ).fetchone()
        assert count == (1,)
        cli(origin_db, "members", "remove", slug, user["username"])
        count = conn.execute(
            "SELECT count(*) FROM project_members WHERE user_id = %s", (user["id"],)
        ).fetchone()
    assert count == (0,)


def test_audit_names_the_acting_user_and_idempotency_is_per_user(
    origin_db: str, anon: httpx.Client
) -> None:
    alice = make_user(origin_db, "developer")
    bob = make_user(origin_db, "developer")
    as_alice = bearer(tokens(anon, alice["username"])["access_token"])
    as_bob = bearer(tokens(anon, bob["username"])["access_token"])
    replayed = {"Idempotency-Key": "same-key-for-two-people"}
    created = anon.post("/api/v1/tasks", json={"title": "a"}, headers=as_alice | replayed)
    assert created.status_code == 201, created.text
    task_id = created.json()["data"]["id"]
    other = anon.post("/api/v1/tasks", json={"title": "a"}, headers=as_bob | replayed)
    assert other.status_code == 201 and other.json()["data"]["id"] != task_id
    with psycopg.connect(origin_db) as conn:
        row = conn.execute(
            "SELECT actor_user_id, actor_key_id FROM audit_logs"
            " WHERE table_name = 'tasks' AND row_id = %s AND action = 'INSERT'",
            (task_id,),
        ).fetchone()
    assert row is not None and str(row[0]) == alice["id"] and row[1] is None
