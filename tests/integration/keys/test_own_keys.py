"""A person's own keys (``/api/v1/me/keys``, the console's key page): created with no more than the
person's scopes, listed and revoked by their owner alone, row-level security by owner."""

from __future__ import annotations

import httpx
import psycopg

from tests.conftest import OriginProcess
from tests.helpers import assert_problem
from tests.integration.keys.test_least_privilege import as_role
from tests.integration.people.support import bearer, make_user, tokens

KEYS = "/api/v1/me/keys"


def person(origin_db: str, http: httpx.Client, role: str) -> tuple[dict[str, str], dict[str, str]]:
    user = make_user(origin_db, role)
    return user, bearer(tokens(http, user["username"])["access_token"])


def test_a_person_creates_lists_and_revokes_their_own_key(
    origin_db: str, origin: OriginProcess
) -> None:
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        user, headers = person(origin_db, http, "developer")
        created = http.post(
            KEYS, json={"name": "laptop", "scopes": ["tasks:read"]}, headers=headers
        )
        assert created.status_code == 201, created.text
        key = created.json()["data"]
        assert key["key"].startswith("ctm_") and created.headers["cache-control"] == "no-store"
        # The key works, as its owner with its own scope only.
        assert http.get("/api/v1/tasks", headers=bearer(key["key"])).status_code == 200
        refused = http.post("/api/v1/tasks", json={"title": "x"}, headers=bearer(key["key"]))
        assert_problem(refused, 403, "insufficient-scope")
        listed = http.get(KEYS, headers=headers)
        assert listed.status_code == 200, listed.text
        assert [k["id"] for k in listed.json()["data"]] == [key["id"]]
        assert "key" not in listed.json()["data"][0]  # the plain key is never listed
        revoked = http.post(f"{KEYS}/{key['id']}/revoke", headers=headers)
        assert revoked.status_code == 200 and revoked.json()["data"]["status"] == "revoked"
        assert_problem(
            http.get("/api/v1/tasks", headers=bearer(key["key"])), 401, "revoked-api-key"
        )
        with psycopg.connect(origin_db) as conn:
            owner = conn.execute("SELECT owner_user_id FROM api_keys WHERE id = %s", (key["id"],))
            assert str(owner.fetchone()[0]) == user["id"]  # type: ignore[index]


def test_no_scope_beyond_the_persons_and_no_key_of_another(
    origin_db: str, origin: OriginProcess
) -> None:
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        _, viewer = person(origin_db, http, "viewer")
        wanted = {"name": "more", "scopes": ["tasks:write"]}
        assert_problem(http.post(KEYS, json=wanted, headers=viewer), 403, "scope-not-grantable")
        wanted = {"name": "admin", "scopes": ["admin"]}
        assert_problem(http.post(KEYS, json=wanted, headers=viewer), 403, "scope-not-grantable")
        _, other = person(origin_db, http, "developer")
        theirs = http.post(KEYS, json={"name": "theirs", "scopes": ["tasks:read"]}, headers=other)
        assert theirs.status_code == 201, theirs.text
        their_id = theirs.json()["data"]["id"]
        assert http.get(KEYS, headers=viewer).json()["data"] == []
        assert_problem(http.post(f"{KEYS}/{their_id}/revoke", headers=viewer), 404, "not-found")
        # A key cannot mint keys here, even one owned by a person.
        their_key = bearer(theirs.json()["data"]["key"])
        assert_problem(http.get(KEYS, headers=their_key), 403, "person-required")


def test_row_level_security_shows_the_owner_their_keys_alone(
    origin_db: str, origin: OriginProcess
) -> None:
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        alice, alice_headers = person(origin_db, http, "developer")
        _, bob_headers = person(origin_db, http, "developer")
        for headers in (alice_headers, bob_headers):
            body = {"name": "k", "scopes": ["tasks:read"]}
            assert http.post(KEYS, json=body, headers=headers).status_code == 201
    with psycopg.connect(as_role(origin_db, "taskmaster_app"), autocommit=True) as conn:
        conn.execute("SELECT set_config('app.current_user_id', %s, false)", (alice["id"],))
        owners = conn.execute("SELECT DISTINCT owner_user_id FROM api_keys").fetchall()
        assert [str(row[0]) for row in owners] == [alice["id"]]
