"""Graph reports: blockers, validate/fix, the critical path, materialized views, scopes."""

from __future__ import annotations

import httpx
import psycopg

from tests.helpers import assert_problem
from tests.integration.graph.support import (
    PROJECTS,
    TASKS,
    must_depend,
    new_project,
    new_task,
    set_status,
)

MISSING = "00000000-0000-4000-8000-0000000000ff"


def test_blockers_are_transitive_with_depth(client: httpx.Client) -> None:
    project = new_project(client)
    top, mid, deep, done, side = (new_task(client, project) for _ in range(5))
    must_depend(client, top, mid)
    must_depend(client, mid, deep)
    must_depend(client, top, done)
    must_depend(client, done, side)  # behind a completed task: not a blocker
    must_depend(client, side, deep, "blocks")  # side blocks deep: deep waits on side too
    set_status(client, done, "completed")
    body = client.get(f"{TASKS}/{top}/blockers").json()["data"]
    assert body["blocked"] is True and body["truncated"] is False
    assert [(b["id"], b["depth"]) for b in body["blockers"]] == [(mid, 1), (deep, 2), (side, 3)]
    free = client.get(f"{TASKS}/{side}/blockers").json()["data"]
    assert free == {"task_id": side, "blocked": False, "blockers": [], "truncated": False}
    assert_problem(client.get(f"{TASKS}/{MISSING}/blockers"), 404, "not-found")


def _insert_without_foreign_keys(db: psycopg.Connection, rows: list[tuple[str, str, str]]) -> None:
    """Dangling rows cannot be written while the FKs are enforced (ON DELETE CASCADE removes an
    edge with its task); a restore with session_replication_role = replica skips FK triggers."""
    with db.transaction():
        db.execute("SET LOCAL session_replication_role = replica")
        for task_id, depends_on, kind in rows:
            db.execute(
                # A restored row carries its project (the trigger that keeps it is off too).
                "INSERT INTO task_dependencies (task_id, depends_on_task_id, dependency_type,"
                " project_id) VALUES (%s, %s, %s, (SELECT project_id FROM tasks WHERE id = %s))",
                (task_id, depends_on, kind, task_id),
            )


def _edge_ids(db: psycopg.Connection, task_ids: list[str]) -> set[str]:
    rows = db.execute(
        "SELECT id::text FROM task_dependencies WHERE task_id = ANY(%s::uuid[])"
        " OR depends_on_task_id = ANY(%s::uuid[])",
        (task_ids, task_ids),
    ).fetchall()
    return {row[0] for row in rows}


def test_validate_and_fix(client: httpx.Client, db: psycopg.Connection) -> None:
    project = new_project(client)
    a, b, c, d = (new_task(client, project) for _ in range(4))
    kept = must_depend(client, a, b)
    related = must_depend(client, c, d, "related")
    ghost = "00000000-0000-4000-8000-00000000abcd"
    # Rows the API refuses: the same order spelled the other way, the reverse related edge, a
    # reference to a task that does not exist, and a cycle (c → d → c).
    _insert_without_foreign_keys(
        db,
        [(b, a, "blocks"), (d, c, "related"), (a, ghost, "depends_on"), (c, d, "depends_on"),
         (d, c, "depends_on")],
    )  # fmt: skip
    url = f"{PROJECTS}/{project}/dependencies"
    report = client.get(f"{url}/validate").json()["data"]
    assert report["valid"] is False and report["edge_count"] == 7
    assert [e["dependency"]["depends_on_task_id"] for e in report["dangling"]] == [ghost]
    assert report["dangling"][0]["missing_task_ids"] == [ghost]
    groups = {
        g["kept"]["id"]: [x["dependency_type"] for x in g["duplicates"]]
        for g in report["duplicates"]
    }
    assert groups == {kept: ["blocks"], related: ["related"]}
    assert len(report["cycles"]) == 1 and sorted(report["cycles"][0][:2]) == sorted([c, d])
    assert report["cycles"][0][0] == report["cycles"][0][-1]

    before = _edge_ids(db, [a, b, c, d])
    dry = client.post(f"{url}/fix", params={"dry_run": "true"})
    assert dry.status_code == 200, dry.text
    dry_body = dry.json()["data"]
    assert dry_body["dry_run"] is True
    assert sorted(r["reason"] for r in dry_body["removed"]) == [
        "dangling",
        "duplicate",
        "duplicate",
    ]
    assert _edge_ids(db, [a, b, c, d]) == before  # nothing removed on a dry run

    fixed = client.post(f"{url}/fix").json()["data"]
    assert fixed["dry_run"] is False
    assert {r["dependency"]["id"] for r in fixed["removed"]} == {
        r["dependency"]["id"] for r in dry_body["removed"]
    }
    assert len(fixed["cycles"]) == 1  # cycles are reported, never cut
    assert _edge_ids(db, [a, b, c, d]) == before - {r["dependency"]["id"] for r in fixed["removed"]}
    after = client.get(f"{url}/validate").json()["data"]
    assert after["dangling"] == [] and after["duplicates"] == [] and len(after["cycles"]) == 1
    # the cycle also makes the critical path unanswerable
    assert_problem(client.get(f"{PROJECTS}/{project}/critical-path"), 409, "dependency-cycle")


def test_validate_a_clean_project_and_a_missing_one(client: httpx.Client) -> None:
    project = new_project(client)
    a, b = new_task(client, project), new_task(client, project)
    must_depend(client, a, b)
    report = client.get(f"{PROJECTS}/{project}/dependencies/validate").json()["data"]
    assert report == {
        "project_id": project, "valid": True, "edge_count": 1, "cycles": [], "dangling": [],
        "duplicates": [],
    }  # fmt: skip
    assert_problem(client.get(f"{PROJECTS}/{MISSING}/dependencies/validate"), 404, "not-found")
    assert_problem(client.post(f"{PROJECTS}/{MISSING}/dependencies/fix"), 404, "not-found")
    assert_problem(
        client.post(f"{PROJECTS}/{project}/dependencies/fix", params={"dry_run": "maybe"}), 400
    )


def test_a_projects_edges_in_one_keyset_list(client: httpx.Client) -> None:
    """``GET /projects/{id}/dependencies``: every edge of the project's tasks, page by page, and
    none of another project's; a missing project is a 404."""
    project, other = new_project(client), new_project(client)
    a, b, c = (new_task(client, project) for _ in range(3))
    mine = {
        must_depend(client, a, b),
        must_depend(client, b, c),
        must_depend(client, a, c, "related"),
    }
    x, y = new_task(client, other), new_task(client, other)
    must_depend(client, x, y)
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(5):
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = client.get(f"{PROJECTS}/{project}/dependencies", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [edge["id"] for edge in body["data"]]
        cursor = body["pagination"]["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(mine) and len(seen) == 3
    related = client.get(
        f"{PROJECTS}/{project}/dependencies", params={"dependency_type": "related"}
    ).json()["data"]
    assert [edge["task_id"] for edge in related] == [a]
    assert_problem(client.get(f"{PROJECTS}/{MISSING}/dependencies"), 404, "not-found")


def test_a_moved_task_takes_its_edges_to_its_new_projects_list(client: httpx.Client) -> None:
    """An edge is listed by its dependent task's project, also after that task moves."""
    before, after = new_project(client), new_project(client)
    dependent, prerequisite = new_task(client, before), new_task(client, before)
    edge = must_depend(client, dependent, prerequisite)
    moved = client.patch(f"{TASKS}/{dependent}", json={"project_id": after})
    assert moved.status_code == 200, moved.text

    def listed(project: str) -> list[str]:
        response = client.get(f"{PROJECTS}/{project}/dependencies")
        assert response.status_code == 200, response.text
        return [row["id"] for row in response.json()["data"]]

    assert listed(after) == [edge]
    assert listed(before) == []


def test_critical_path_on_a_known_graph(client: httpx.Client) -> None:
    r"""design(2) ─┬─ backend(8) ──┬─ integrate(1) ── release(0.5)
                         └─ frontend(5) ─┘
        docs(None) ── release;  spike(20, completed) ── backend
    The heaviest unfinished chain: design → backend → integrate → release = 11.5 hours."""
    project = new_project(client)
    hours = {"design": 2, "backend": 8, "frontend": 5, "integrate": 1, "release": 0.5}
    ids = {
        name: new_task(client, project, title=name, estimated_hours=h) for name, h in hours.items()
    }
    ids["docs"] = new_task(client, project, title="docs")
    ids["spike"] = new_task(client, project, title="spike", estimated_hours=20)
    for dependent, prerequisite in [
        ("backend", "design"), ("frontend", "design"), ("integrate", "backend"),
        ("integrate", "frontend"), ("release", "integrate"), ("release", "docs"),
        ("backend", "spike"),
    ]:  # fmt: skip
        must_depend(client, ids[dependent], ids[prerequisite])
    set_status(client, ids["spike"], "completed")
    body = client.get(f"{PROJECTS}/{project}/critical-path").json()["data"]
    assert body["total_estimated_hours"] == 11.5
    assert [t["title"] for t in body["tasks"]] == ["design", "backend", "integrate", "release"]
    # finishing backend moves the path through frontend
    set_status(client, ids["backend"], "completed")
    body = client.get(f"{PROJECTS}/{project}/critical-path").json()["data"]
    assert [t["title"] for t in body["tasks"]] == ["design", "frontend", "integrate", "release"]
    assert body["total_estimated_hours"] == 8.5
    empty = client.get(f"{PROJECTS}/{new_project(client)}/critical-path").json()["data"]
    assert empty["tasks"] == [] and empty["total_estimated_hours"] == 0
    assert_problem(client.get(f"{PROJECTS}/{MISSING}/critical-path"), 404, "not-found")


def test_materialized_views_refresh(client: httpx.Client, db: psycopg.Connection) -> None:
    project = new_project(client)
    a = new_task(client, project, estimated_hours=4, actual_hours=5)
    b = new_task(client, project)
    must_depend(client, b, a)
    db.execute("SELECT refresh_materialized_views()")
    tree = db.execute(
        "SELECT task_id::text, root_task_id::text, depth FROM task_dependency_tree"
        " WHERE project_id = %s ORDER BY depth",
        (project,),
    ).fetchall()
    assert tree == [(a, a, 0), (b, a, 1)]
    (accuracy,) = db.execute(
        "SELECT estimate_accuracy_pct FROM task_performance_summary WHERE task_id = %s", (a,)
    ).fetchone()  # type: ignore[misc]
    assert float(accuracy) == 125.0
    client.patch(f"{TASKS}/{a}", json={"actual_hours": 2})
    db.execute("SELECT refresh_materialized_views()")
    (accuracy,) = db.execute(
        "SELECT estimate_accuracy_pct FROM task_performance_summary WHERE task_id = %s", (a,)
    ).fetchone()  # type: ignore[misc]
    assert float(accuracy) == 50.0


def test_scopes(client: httpx.Client, make_key) -> None:  # type: ignore[no-untyped-def]
    project = new_project(client)
    task = new_task(client, project)
    _, reader = make_key(["tasks:read"])
    with httpx.Client(base_url=str(client.base_url), headers={"X-API-Key": reader}) as http:
        assert http.get(f"{TASKS}/next", params={"project_id": project}).status_code == 200
        assert http.get(f"{TASKS}/{task}/blockers").status_code == 200
        assert http.get(f"{PROJECTS}/{project}/critical-path").status_code == 200
        assert http.get(f"{PROJECTS}/{project}/dependencies/validate").status_code == 200
        for path, body in [
            (f"{TASKS}/{task}/claim", {"agent": "a"}),
            (f"{TASKS}/next/claim", {"agent": "a"}),
            (f"{TASKS}/{task}/heartbeat", {"agent": "a"}),
            (f"{TASKS}/{task}/release", {"agent": "a"}),
            (f"{TASKS}/{task}/subtasks/batch", {"tasks": [{"title": "x"}]}),
            (f"{PROJECTS}/{project}/dependencies/fix", None),
        ]:
            assert_problem(http.post(path, json=body), 403)
