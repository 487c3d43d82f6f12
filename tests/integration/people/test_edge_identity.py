"""Identities the edge vouches for (signed ``X-Edge-*`` headers, as the Worker sends them after
verifying a person's JWT or a key): the origin applies the same grants and tenancy, and a logged
out session is refused at once even though the edge signed it."""

from __future__ import annotations

import uuid

import httpx
import jwt

from tests.conftest import OriginProcess, issue_key
from tests.helpers import assert_problem
from tests.integration.keys.helpers import edge_headers
from tests.integration.people.support import (
    PASSWORD,
    bearer,
    cli,
    make_project,
    make_user,
    tokens,
)


def _get(http: httpx.Client, path: str, key_id: str, scopes: str) -> httpx.Response:
    return http.get(path, headers=edge_headers("GET", path, key_id=key_id, scopes=scopes))


def test_vouched_users_and_keys_get_their_projects_only(
    origin_db: str, origin: OriginProcess, client: httpx.Client
) -> None:
    p1, p2 = make_project(client), make_project(client)
    member = make_user(origin_db)
    cli(origin_db, "members", "add", p1, member["username"], "--role", "viewer")
    mine = client.post("/api/v1/tasks", json={"title": "p1", "project_id": p1}).json()["data"]
    theirs = client.post("/api/v1/tasks", json={"title": "p2", "project_id": p2}).json()["data"]
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        pair = tokens(http, member["username"])
        session = jwt.decode(pair["access_token"], options={"verify_signature": False})["sid"]
        user = f"user:{member['id']}:{session}"
        # The scopes header is only the edge's hint: the origin derives the grants itself.
        assert _get(http, f"/api/v1/tasks/{mine['id']}", user, "admin").status_code == 200
        assert_problem(_get(http, f"/api/v1/tasks/{theirs['id']}", user, "admin"), 404)
        write = edge_headers("POST", "/api/v1/tasks", b"{}", key_id=user, scopes="admin")
        assert_problem(http.post("/api/v1/tasks", content=b"{}", headers=write), 403)

        limited_id, _ = issue_key(origin_db, ["tasks:read"], allowed_projects=[uuid.UUID(p1)])
        assert (
            _get(http, f"/api/v1/tasks/{mine['id']}", limited_id, "tasks:read").status_code == 200
        )
        assert_problem(_get(http, f"/api/v1/tasks/{theirs['id']}", limited_id, "tasks:read"), 404)

        logout = http.post("/api/v1/auth/logout", json={}, headers=bearer(pair["access_token"]))
        assert logout.status_code == 204
        assert_problem(_get(http, f"/api/v1/tasks/{mine['id']}", user, "tasks:read"), 401)


def test_a_console_cookie_vouched_by_the_edge_still_needs_the_csrf_token(
    origin_db: str, origin: OriginProcess
) -> None:
    """The edge signs in the console's ``tm_session`` cookie as a user and forwards the cookie;
    the origin, which alone holds the CSRF secret, checks that session's writes."""
    member = make_user(origin_db, "developer")
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        started = http.post(
            "/api/v1/auth/session", json={"login": member["username"], "password": PASSWORD}
        )
        csrf = started.json()["data"]["csrf_token"]
        cookie = f"tm_session={http.cookies['tm_session']}"
        session = jwt.decode(http.cookies["tm_session"], options={"verify_signature": False})
        user = f"user:{member['id']}:{session['sid']}"
        http.cookies.clear()
        me = http.get(
            "/api/v1/me",
            headers={**edge_headers("GET", "/api/v1/me", key_id=user), "Cookie": cookie},
        )
        assert me.status_code == 200 and me.headers["x-csrf-token"] == csrf, me.text
        body = b'{"title": "console via the edge"}'

        def post(**extra: str) -> httpx.Response:
            signed = edge_headers("POST", "/api/v1/tasks", body, key_id=user, scopes="tasks:write")
            headers = {**signed, "Cookie": cookie, "Content-Type": "application/json", **extra}
            return http.post("/api/v1/tasks", content=body, headers=headers)

        assert_problem(post(), 403, "csrf-token-invalid")
        assert post(**{"X-CSRF-Token": csrf}).status_code == 201
