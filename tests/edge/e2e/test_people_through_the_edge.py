"""Issue 16 through the edge: client → edge runner (the real Worker on real Pyodide) → real origin
→ PostgreSQL. People log in and read with their access token; a logout stops the token at the
origin and at the edge at once; a deactivated owner's key stops at the edge within its verdict TTL
(2 s here, KEY_CACHE_TTL_SECONDS, ≤ 30 s by default); two projects, two members: neither sees,
lists nor changes the other's tasks, dependencies, claims, deployments or events; a key limited to
one project behaves the same, also against the edge cache; an admin sees both."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import OriginProcess, issue_key
from tests.integration.people.support import cli as people_cli
from tests.integration.people.support import make_user, tokens

from ..runner import Runner, assert_problem, assert_secured
from .conftest import CLIENT_IP, cli_key, reached, rid, settle

VERIFY = ("POST", "/internal/keys/verify", 200)
TASKS = "/api/v1/tasks"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def created(response: httpx.Response) -> str:
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


@dataclass
class World:
    db_url: str
    admin: dict[str, str]  # an admin key's headers
    admin_user: dict[str, str]  # a user with the global admin role, by access token
    p1: str
    p2: str
    alice: dict[str, str]  # a member of p1 (writes tasks, deployments), by access token
    bob: dict[str, str]  # the same in p2
    alice_id: str
    alice_task: str
    bob_task: str
    bob_deployment: str
    subscription: str


@pytest.fixture(scope="module")
def world(stack: tuple[str, OriginProcess, Runner]) -> Iterator[World]:
    db_url = stack[0]
    with httpx.Client(
        base_url=stack[2].url, timeout=30, headers={"CF-Connecting-IP": CLIENT_IP}
    ) as edge:
        yield _build(edge, db_url)


def _build(edge: httpx.Client, db_url: str) -> World:
    admin = {"X-API-Key": cli_key(db_url, "admin")["key"]}
    # Outbound events are recorded from the moment a subscription exists (delivery to a closed
    # port just retries).
    subscription = created(
        edge.post(
            "/api/v1/subscriptions",
            headers=admin,
            json={"name": f"e2e-{uuid.uuid4().hex[:6]}", "url": "http://127.0.0.1:9/hook"},
        )
    )
    p1, p2 = (
        created(edge.post("/api/v1/projects", headers=admin, json={"name": s, "slug": s}))
        for s in (f"p-{uuid.uuid4().hex[:10]}", f"p-{uuid.uuid4().hex[:10]}")
    )
    # Members who may write tasks and deployments in their own project.
    role = f"e2e-{uuid.uuid4().hex[:6]}"
    people_cli(db_url, "roles", "set", role, "--permissions",
               "tasks:read,tasks:write,deployments:read,deployments:write")  # fmt: skip
    alice_user, bob_user = make_user(db_url), make_user(db_url)
    people_cli(db_url, "members", "add", p1, alice_user["username"], "--role", role)
    people_cli(db_url, "members", "add", p2, bob_user["username"], "--role", role)
    alice = bearer(tokens(edge, alice_user["username"])["access_token"])
    bob = bearer(tokens(edge, bob_user["username"])["access_token"])
    admin_user = bearer(tokens(edge, make_user(db_url, role="admin")["username"])["access_token"])
    alice_task = created(edge.post(TASKS, headers=alice, json={"title": "a", "project_id": p1}))
    bob_task = created(edge.post(TASKS, headers=bob, json={"title": "b", "project_id": p2}))
    bob_deployment = created(edge.post("/api/v1/deployments", headers=bob, json={"project_id": p2}))
    return World(db_url, admin, admin_user, p1, p2, alice, bob, alice_user["id"], alice_task,
                bob_task, bob_deployment, subscription)  # fmt: skip


def test_login_token_read_and_logout_stop_the_token_at_the_origin_and_the_edge_at_once(
    edge: httpx.Client, db_url: str, real_origin: OriginProcess, world: World
) -> None:
    user = make_user(db_url)
    people_cli(db_url, "members", "add", world.p1, user["username"], "--role", "viewer")
    pair = tokens(edge, user["username"])
    auth = bearer(pair["access_token"])

    me = edge.get("/api/v1/me", headers=auth)
    assert me.status_code == 200, me.text
    assert me.json()["data"]["user"]["id"] == user["id"]
    assert me.json()["data"]["projects"] == [world.p1]
    labels = []
    for _ in range(2):
        read = edge.get(f"{TASKS}/{world.alice_task}", headers=auth)
        assert read.status_code == 200, read.text
        labels.append(read.headers["x-cache"])
    # Never an edge-cache answer for a person: every request is checked by the origin, so no
    # cached answer can outlive a logout.
    assert labels == ["BYPASS", "BYPASS"]

    # The edge does not forward Authorization: logout names the session by its refresh token.
    out = edge.post(
        "/api/v1/auth/logout", headers=auth, json={"refresh_token": pair["refresh_token"]}
    )
    assert out.status_code == 204, out.text
    with httpx.Client(base_url=real_origin.url, timeout=10) as origin:
        assert_problem_at_origin(origin.get(f"{TASKS}/{world.alice_task}", headers=auth))
    refused_id = rid("after-logout")
    refused = edge.get(f"{TASKS}/{world.alice_task}", headers={**auth, "X-Request-Id": refused_id})
    assert_problem(refused, 401, "inactive-user")  # the very next request, no TTL to wait out
    again = edge.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert_problem(again, 401, "invalid-refresh-token")
    settle(edge, db_url, world.admin["X-API-Key"])
    assert [s for _, p, s in reached(db_url, refused_id) if p.startswith(TASKS)] == [401]


def assert_problem_at_origin(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["type"].endswith("/inactive-user")


def test_a_deactivated_owners_key_stops_at_the_edge_within_the_verdict_ttl(
    edge: httpx.Client, db_url: str, real_origin: OriginProcess, world: World
) -> None:
    owner = make_user(db_url)
    people_cli(db_url, "members", "add", world.p1, owner["username"], "--role", "developer")
    _, plain = issue_key(db_url, ["tasks:read"], owner_user_id=uuid.UUID(owner["id"]))
    auth = {"X-API-Key": plain}
    path = f"{TASKS}/{world.alice_task}"
    labels = [edge.get(path, headers=auth).headers["x-cache"] for _ in range(2)]
    assert labels == ["MISS", "HIT"]  # the owned key's own cache partition

    deactivated = edge.post(f"/api/v1/users/{owner['id']}/deactivate", headers=world.admin)
    assert deactivated.status_code == 204, deactivated.text
    with httpx.Client(base_url=real_origin.url, timeout=10) as origin:
        assert_problem_at_origin(origin.get(path, headers=auth))  # at once

    # The edge may answer from its cache until the key's verdict is stale (KEY_CACHE_TTL_SECONDS,
    # 2 s here); then the origin's verify says `inactive` and the edge refuses by itself.
    started, deadline = time.monotonic(), time.monotonic() + 30
    while True:
        request_id = rid("deactivated")
        response = edge.get(path, headers={**auth, "X-Request-Id": request_id})
        if response.status_code != 200 or time.monotonic() > deadline:
            break
        assert response.headers["x-cache"] == "HIT"  # a forwarded one would be refused
        time.sleep(0.2)
    print(f"edge refused the deactivated owner's key after {time.monotonic() - started:.2f} s")
    assert_problem(response, 401, "inactive-api-key")
    settle(edge, db_url, world.admin["X-API-Key"])
    assert reached(db_url, request_id) == [VERIFY]  # refused by the edge, not by the API


def test_a_member_sees_and_lists_only_its_projects_rows_through_the_edge(
    world: World, edge
) -> None:
    alice = world.alice
    assert edge.get(f"{TASKS}/{world.alice_task}", headers=alice).status_code == 200
    assert_problem(edge.get(f"{TASKS}/{world.bob_task}", headers=alice), 404, "not-found")
    listed = edge.get(TASKS, params={"limit": 200}, headers=alice).json()["data"]
    assert {t["project_id"] for t in listed} == {world.p1}
    filtered = edge.get(TASKS, params={"project_id": world.p2}, headers=alice)
    assert filtered.status_code == 200 and filtered.json()["data"] == []
    assert_problem(edge.get(f"/api/v1/projects/{world.p2}", headers=alice), 404, "not-found")
    projects = edge.get("/api/v1/projects", headers=alice).json()["data"]
    assert [p["id"] for p in projects] == [world.p1]
    deployment = f"/api/v1/deployments/{world.bob_deployment}"
    assert_problem(edge.get(deployment, headers=alice), 404, "not-found")
    deployments = edge.get("/api/v1/deployments", headers=alice).json()["data"]
    assert world.bob_deployment not in {d["id"] for d in deployments}
    assert edge.get(deployment, headers=world.bob).status_code == 200


def test_a_member_changes_nothing_of_another_project_through_the_edge(world: World, edge) -> None:
    alice, foreign = world.alice, f"{TASKS}/{world.bob_task}"
    assert_problem(edge.patch(foreign, json={"title": "mine"}, headers=alice), 404, "not-found")
    assert_problem(edge.delete(foreign, headers=alice), 404, "not-found")
    into_p2 = edge.post(TASKS, json={"title": "x", "project_id": world.p2}, headers=alice)
    assert_problem(into_p2, 404, "not-found")
    moved = edge.patch(f"{TASKS}/{world.alice_task}", json={"project_id": world.p2}, headers=alice)
    assert_problem(moved, 404, "not-found")
    deployment = f"/api/v1/deployments/{world.bob_deployment}"
    assert_problem(edge.patch(deployment, json={"deployed_by": "alice"}, headers=alice), 404,
                   "not-found")  # fmt: skip
    assert_problem(edge.delete(deployment, headers=alice), 404, "not-found")
    foreign_deploy = edge.post("/api/v1/deployments", json={"project_id": world.p2}, headers=alice)
    assert_problem(foreign_deploy, 404, "not-found")
    assert edge.get(foreign, headers=world.bob).json()["data"]["title"] == "b"
    assert edge.get(deployment, headers=world.bob).json()["data"]["deployed_by"] is None


def test_dependencies_and_claims_stay_in_their_project_through_the_edge(world: World, edge) -> None:
    alice, foreign = world.alice, f"{TASKS}/{world.bob_task}"
    assert_problem(edge.get(f"{foreign}/dependencies", headers=alice), 404, "not-found")
    onto_foreign = {"depends_on_task_id": world.bob_task}
    own_deps = f"{TASKS}/{world.alice_task}/dependencies"
    assert_problem(edge.post(own_deps, json=onto_foreign, headers=alice), 404, "not-found")
    from_foreign = {"depends_on_task_id": world.alice_task}
    assert_problem(edge.post(f"{foreign}/dependencies", json=from_foreign, headers=alice), 404,
                   "not-found")  # fmt: skip
    assert_problem(edge.post(f"{foreign}/claim", json={"agent": "a1"}, headers=alice), 404,
                   "not-found")  # fmt: skip
    lease = {"agent": "a1", "lease_token": 1}
    for action in ("heartbeat", "release"):
        assert_problem(edge.post(f"{foreign}/{action}", json=lease, headers=alice), 404,
                       "not-found")  # fmt: skip
    claimed = edge.post(f"{TASKS}/next/claim", json={"agent": "a1"}, headers=alice)
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["data"]["project_id"] == world.p1
    bobs = edge.get(f"{foreign}", headers=world.bob).json()["data"]
    assert bobs["status"] == "pending" and bobs["lease_owner"] is None


def test_events_are_the_administrators_alone(world: World, edge) -> None:
    deliveries = f"/api/v1/subscriptions/{world.subscription}/deliveries"
    for member in (world.alice, world.bob):
        assert_problem(edge.get(deliveries, headers=member), 403, "insufficient-scope")
        changed = edge.patch(f"/api/v1/subscriptions/{world.subscription}", headers=member,
                             json={"active": False})  # fmt: skip
        assert_problem(changed, 403, "insufficient-scope")
        assert_problem(edge.get("/api/v1/integrations", headers=member), 403, "insufficient-scope")
    listed = edge.get(deliveries, params={"limit": 200}, headers=world.admin)
    assert listed.status_code == 200, listed.text
    aggregates = {d["aggregate_id"] for d in listed.json()["data"]}
    assert {world.alice_task, world.bob_task} <= aggregates


def test_a_key_limited_to_a_project_behaves_the_same_and_never_shares_cached_answers(
    world: World, edge, db_url: str
) -> None:
    scopes = ["tasks:read", "tasks:write"]
    _, plain = issue_key(db_url, scopes, allowed_projects=[uuid.UUID(world.p1)])
    limited = {"X-API-Key": plain}
    everywhere = {"X-API-Key": cli_key(db_url, ",".join(scopes))["key"]}
    foreign = f"{TASKS}/{world.bob_task}"
    # An unrestricted key with the same scopes fills the edge cache with the foreign task first.
    warm = [edge.get(foreign, headers=everywhere).headers["x-cache"] for _ in range(2)]
    assert warm == ["MISS", "HIT"]
    refused = edge.get(foreign, headers=limited)
    assert_problem(refused, 404, "not-found")
    assert refused.headers["x-cache"] == "MISS"  # its own partition, answered by the origin
    assert_secured(refused)
    assert_problem(edge.get(foreign, headers=world.alice), 404, "not-found")
    assert edge.get(f"{TASKS}/{world.alice_task}", headers=limited).status_code == 200
    listed = edge.get(TASKS, params={"limit": 200}, headers=limited).json()["data"]
    assert {t["project_id"] for t in listed} == {world.p1}
    assert_problem(edge.patch(foreign, json={"title": "x"}, headers=limited), 404, "not-found")
    assert_problem(edge.get(f"{foreign}/dependencies", headers=limited), 404, "not-found")
    assert_problem(edge.post(f"{foreign}/claim", json={"agent": "k"}, headers=limited), 404,
                   "not-found")  # fmt: skip
    into_p2 = edge.post(TASKS, json={"title": "x", "project_id": world.p2}, headers=limited)
    assert_problem(into_p2, 404, "not-found")


def test_a_key_owned_by_a_member_never_exceeds_the_member_through_the_edge(
    world: World, edge, db_url: str
) -> None:
    _, plain = issue_key(db_url, ["admin"], owner_user_id=uuid.UUID(world.alice_id))
    owned = {"X-API-Key": plain}
    assert edge.get(f"{TASKS}/{world.alice_task}", headers=owned).status_code == 200
    assert_problem(edge.get(f"{TASKS}/{world.bob_task}", headers=owned), 404, "not-found")
    assert_problem(edge.get("/api/v1/keys", headers=owned), 403, "insufficient-scope")


@pytest.mark.parametrize("who", ["admin key", "admin user"])
def test_an_admin_sees_both_projects_through_the_edge(world: World, edge, who: str) -> None:
    admin = world.admin if who == "admin key" else world.admin_user
    for task in (world.alice_task, world.bob_task):
        assert edge.get(f"{TASKS}/{task}", headers=admin).status_code == 200
    listed = edge.get(TASKS, params={"limit": 200}, headers=admin).json()["data"]
    assert {world.p1, world.p2} <= {t["project_id"] for t in listed}
    projects = {p["id"] for p in edge.get("/api/v1/projects", headers=admin).json()["data"]}
    assert {world.p1, world.p2} <= projects
    deployment = edge.get(f"/api/v1/deployments/{world.bob_deployment}", headers=admin)
    assert deployment.status_code == 200
    deps = edge.get(f"{TASKS}/{world.bob_task}/dependencies", headers=admin)
    assert deps.status_code == 200, deps.text
