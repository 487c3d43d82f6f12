"""Project tenancy: two projects, two members; neither sees (404), lists nor changes the other's
tasks, dependencies, claims, deployments or events. Run against two real origins: the session one,
which connects as the table owner (the queries' filter alone protects), and one connecting as the
least-privilege ``taskmaster_app`` (row-level security in force too)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import psycopg
import pytest
from taskmaster.db.context import NO_PROJECT, WriteContext, tenancy_value
from taskmaster.db.pool import ConnectionPool
from taskmaster.db.session import Session

from tests.conftest import OriginProcess, PgServer, issue_key, start_origin
from tests.helpers import assert_problem
from tests.integration.keys.test_least_privilege import as_role
from tests.integration.people.support import bearer, cli, make_project, make_user, tokens

WRITER = "tenancy-writer"  # a member role that writes tasks and deployments


@dataclass
class World:
    url: str  # the database (as its owner)
    http: httpx.Client  # no credentials of its own
    admin: dict[str, str]
    p1: str
    p2: str
    alice: dict[str, str]  # writes tasks and deployments in p1
    bob: dict[str, str]  # the same in p2
    alice_task: str
    bob_task: str
    bob_deployment: str


def _build(url: str, origin: OriginProcess) -> World:
    http = httpx.Client(base_url=origin.url, timeout=10)
    admin = bearer(issue_key(url, ["admin"])[1])
    admin_client = httpx.Client(base_url=origin.url, timeout=10, headers=admin)
    p1, p2 = make_project(admin_client), make_project(admin_client)
    cli(url, "roles", "set", WRITER, "--permissions",
        "tasks:read,tasks:write,deployments:read,deployments:write")  # fmt: skip
    alice_user, bob_user = make_user(url), make_user(url)
    cli(url, "members", "add", p1, alice_user["username"], "--role", WRITER)
    cli(url, "members", "add", p2, bob_user["username"], "--role", WRITER)
    alice = bearer(tokens(http, alice_user["username"])["access_token"])
    bob = bearer(tokens(http, bob_user["username"])["access_token"])
    tasks = {}
    for name, who, project in (("alice", alice, p1), ("bob", bob, p2)):
        created = http.post(
            "/api/v1/tasks", json={"title": name, "project_id": project}, headers=who
        )
        assert created.status_code == 201, created.text
        tasks[name] = created.json()["data"]["id"]
    deployment = http.post("/api/v1/deployments", json={"project_id": p2}, headers=bob)
    assert deployment.status_code == 201, deployment.text
    admin_client.close()
    return World(url, http, admin, p1, p2, alice, bob, tasks["alice"], tasks["bob"],
                 deployment.json()["data"]["id"])  # fmt: skip


@pytest.fixture(scope="module")
def app_role_origin(
    pg_server: PgServer, migrated_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, OriginProcess]]:
    name = pg_server.create_database(template=migrated_template)
    url = pg_server.url(name)
    origin = start_origin(as_role(url, "taskmaster_app"), tmp_path_factory.mktemp("rls") / "o.log")
    try:
        yield url, origin
    finally:
        origin.stop()
        pg_server.drop_database(name)


@pytest.fixture(scope="module", params=["table-owner", "taskmaster_app"])
def world(
    request: pytest.FixtureRequest,
    origin_db: str,
    origin: OriginProcess,
    app_role_origin: tuple[str, OriginProcess],
) -> Iterator[World]:
    url, served = (origin_db, origin) if request.param == "table-owner" else app_role_origin
    built = _build(url, served)
    yield built
    built.http.close()


def test_a_member_sees_only_its_projects_tasks(world: World) -> None:
    http, alice = world.http, world.alice
    assert http.get(f"/api/v1/tasks/{world.alice_task}", headers=alice).status_code == 200
    assert_problem(http.get(f"/api/v1/tasks/{world.bob_task}", headers=alice), 404)
    listed = http.get("/api/v1/tasks", params={"limit": 200}, headers=alice).json()["data"]
    assert {t["project_id"] for t in listed} == {world.p1}
    filtered = http.get("/api/v1/tasks", params={"project_id": world.p2}, headers=alice)
    assert filtered.json()["data"] == []
    assert_problem(http.get(f"/api/v1/projects/{world.p2}", headers=alice), 404)
    projects = http.get("/api/v1/projects", headers=alice).json()["data"]
    assert [p["id"] for p in projects] == [world.p1]


def test_a_member_changes_nothing_of_another_project(world: World) -> None:
    http, alice, foreign = world.http, world.alice, f"/api/v1/tasks/{world.bob_task}"
    assert_problem(http.patch(foreign, json={"title": "mine now"}, headers=alice), 404)
    assert_problem(http.delete(foreign, headers=alice), 404)
    moved = http.post("/api/v1/tasks", json={"title": "x", "project_id": world.p2}, headers=alice)
    assert_problem(moved, 404)
    # A task with no project belongs to the installation: members cannot make one.
    assert_problem(http.post("/api/v1/tasks", json={"title": "x"}, headers=alice), 404)
    own = f"/api/v1/tasks/{world.alice_task}"
    assert_problem(http.patch(own, json={"project_id": world.p2}, headers=alice), 404)
    assert http.get(foreign, headers=world.bob).json()["data"]["title"] == "bob"


def test_dependencies_and_claims_stay_in_their_project(world: World) -> None:
    http, alice = world.http, world.alice
    foreign = f"/api/v1/tasks/{world.bob_task}"
    assert_problem(http.get(f"{foreign}/dependencies", headers=alice), 404)
    edge = {"depends_on_task_id": world.bob_task}
    assert_problem(
        http.post(f"/api/v1/tasks/{world.alice_task}/dependencies", json=edge, headers=alice), 404
    )
    assert_problem(
        http.post(f"{foreign}/dependencies", json={"depends_on_task_id": world.alice_task},
                  headers=alice), 404,
    )  # fmt: skip
    assert_problem(http.post(f"{foreign}/claim", json={"agent": "a1"}, headers=alice), 404)
    claimed = http.post("/api/v1/tasks/next/claim", json={"agent": "a1"}, headers=alice)
    if claimed.status_code == 200:
        assert claimed.json()["data"]["project_id"] == world.p1
    else:
        assert_problem(claimed, 404)


def test_deployments_stay_in_their_project(world: World) -> None:
    http, alice = world.http, world.alice
    assert_problem(http.get(f"/api/v1/deployments/{world.bob_deployment}", headers=alice), 404)
    listed = http.get("/api/v1/deployments", headers=alice).json()["data"]
    assert world.bob_deployment not in {d["id"] for d in listed}
    assert (
        http.get(f"/api/v1/deployments/{world.bob_deployment}", headers=world.bob).status_code
        == 200
    )
    foreign = f"/api/v1/deployments/{world.bob_deployment}"
    assert_problem(http.patch(foreign, json={"deployed_by": "alice"}, headers=alice), 404)
    assert_problem(http.delete(foreign, headers=alice), 404)
    into_p2 = http.post("/api/v1/deployments", json={"project_id": world.p2}, headers=alice)
    assert_problem(into_p2, 404)
    assert http.get(foreign, headers=world.bob).json()["data"]["deployed_by"] is None


def test_events_are_the_administrators_alone(world: World) -> None:
    """Outbound events (of tasks and deployments) are read through subscriptions: admin only."""
    http = world.http
    for member in (world.alice, world.bob):
        assert_problem(http.get("/api/v1/subscriptions", headers=member), 403, "insufficient-scope")
        made = http.post("/api/v1/subscriptions", headers=member,
                         json={"name": "mine", "url": "http://127.0.0.1:9/"})  # fmt: skip
        assert_problem(made, 403, "insufficient-scope")
    assert http.get("/api/v1/subscriptions", headers=world.admin).status_code == 200


def test_a_key_limited_to_a_project_and_an_admin(world: World) -> None:
    http = world.http
    _, plain = issue_key(
        world.url, ["tasks:read", "tasks:write"], allowed_projects=[uuid.UUID(world.p1)]
    )
    limited = bearer(plain)
    assert http.get(f"/api/v1/tasks/{world.alice_task}", headers=limited).status_code == 200
    assert_problem(http.get(f"/api/v1/tasks/{world.bob_task}", headers=limited), 404)
    listed = http.get("/api/v1/tasks", headers=limited).json()["data"]
    assert {t["project_id"] for t in listed} == {world.p1}
    foreign = f"/api/v1/tasks/{world.bob_task}"
    assert_problem(http.patch(foreign, json={"title": "x"}, headers=limited), 404)
    assert_problem(http.get(f"{foreign}/dependencies", headers=limited), 404)
    assert_problem(http.post(f"{foreign}/claim", json={"agent": "k"}, headers=limited), 404)
    into_p2 = http.post("/api/v1/tasks", json={"title": "x", "project_id": world.p2},
                        headers=limited)  # fmt: skip
    assert_problem(into_p2, 404)
    for task in (world.alice_task, world.bob_task):
        assert http.get(f"/api/v1/tasks/{task}", headers=world.admin).status_code == 200


def test_a_key_owned_by_a_user_never_exceeds_the_user(world: World) -> None:
    http = world.http
    with psycopg.connect(world.url) as conn:
        owner = conn.execute(
            "SELECT user_id FROM project_members WHERE project_id = %s", (world.p1,)
        ).fetchone()
    assert owner is not None
    _, plain = issue_key(world.url, ["admin"], owner_user_id=owner[0])
    owned = bearer(plain)
    assert http.get(f"/api/v1/tasks/{world.alice_task}", headers=owned).status_code == 200
    assert_problem(http.get(f"/api/v1/tasks/{world.bob_task}", headers=owned), 404)
    assert_problem(http.get("/api/v1/keys", headers=owned), 403, "insufficient-scope")


def test_me_lists_a_membership_whose_role_reads_no_tasks(world: World) -> None:
    cli(world.url, "roles", "set", "tenancy-deploy-reader", "--permissions", "deployments:read")
    user = make_user(world.url)
    cli(world.url, "members", "add", world.p2, user["username"], "--role", "tenancy-deploy-reader")
    me = world.http.get(
        "/api/v1/me", headers=bearer(tokens(world.http, user["username"])["access_token"])
    )
    assert me.status_code == 200, me.text
    assert [m["project_id"] for m in me.json()["data"]["memberships"]] == [world.p2]
    assert me.json()["data"]["projects"] == []  # no project whose tasks it may read


def test_row_level_security_without_the_query_filter(world: World) -> None:
    """A raw ``SELECT * FROM tasks`` with the setting the origin gives a member's session."""
    with psycopg.connect(as_role(world.url, "taskmaster_app"), autocommit=True) as conn:
        conn.execute("SELECT set_config('app.projects', %s, false)", (tenancy_value((world.p1,)),))
        rows = conn.execute("SELECT project_id FROM tasks").fetchall()
        assert rows and {str(r[0]) for r in rows} == {world.p1}
        deps = conn.execute("SELECT count(*) FROM deployments").fetchone()
        assert deps == (0,)
        conn.execute("SELECT set_config('app.projects', '', false)")  # unknown caller: nothing
        assert conn.execute("SELECT count(*) FROM tasks").fetchone() == (0,)
        conn.execute("SELECT set_config('app.projects', %s, false)", (tenancy_value(None),))
        every = conn.execute("SELECT DISTINCT project_id FROM tasks").fetchall()
        assert {world.p1, world.p2} <= {str(r[0]) for r in every}


async def test_a_requests_session_sees_only_its_projects_rows_with_a_raw_select(
    world: World,
) -> None:
    """The request's own ``Session`` (as the least-privilege role, one pooled connection reused by
    callers of different project sets): a raw ``SELECT * FROM tasks`` with no filter of ours, on
    ``db.read()`` and in ``db.transaction()``, returns only the caller's projects' rows."""
    pool = ConnectionPool(as_role(world.url, "taskmaster_app"), name="rls-test", min_size=0,
                          max_size=1, connect_timeout_s=5)  # fmt: skip
    context = WriteContext("", "rls-test")
    try:
        for tenancy, expected in (
            (tenancy_value((world.p1,)), {world.p1}),
            (NO_PROJECT, set()),  # not yet authenticated: nothing
            (tenancy_value((world.p2,)), {world.p2}),
        ):
            session = Session(pool, context, tenancy=tenancy)
            async with session.read() as conn:
                cur = await conn.execute("SELECT * FROM tasks")
                column = [c.name for c in cur.description or []].index("project_id")
                read = {str(row[column]) for row in await cur.fetchall()}
            async with session.transaction() as conn:
                cur = await conn.execute("SELECT project_id FROM tasks")
                written = {str(row[0]) for row in await cur.fetchall()}
            assert read == written == expected
        session = Session(pool, context, tenancy=tenancy_value(None))  # a global role
        async with session.read() as conn:
            every = await (await conn.execute("SELECT project_id FROM tasks")).fetchall()
        assert {world.p1, world.p2} <= {str(r[0]) for r in every}
    finally:
        await pool.close()
