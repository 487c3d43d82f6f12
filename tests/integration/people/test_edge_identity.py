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
from tests.integration.people.support import bearer, cli, make_project, make_user, tokens


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
