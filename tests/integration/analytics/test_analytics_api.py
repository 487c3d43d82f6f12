"""Analytics over known rows: a project's tasks, a task's validations and errors."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg

from tests.helpers import assert_problem, unique
from tests.injection import CORPUS, assert_clean

ANALYTICS = "/api/v1/analytics"


def make_project(db: psycopg.Connection) -> str:
    row = db.execute(
        "INSERT INTO projects (name, slug) VALUES ('analytics', %s) RETURNING id",
        (unique("an-"),),
    ).fetchone()
    assert row is not None
    return str(row[0])


def make_task(db: psycopg.Connection, project_id: str, **columns: Any) -> str:
    values = {"title": "t", "project_id": project_id} | columns
    names = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    row = db.execute(
        f"INSERT INTO tasks ({names}) VALUES ({marks}) RETURNING id",  # test-controlled names
        tuple(values.values()),
    ).fetchone()
    assert row is not None
    return str(row[0])


def test_task_analytics(client: httpx.Client, db: psycopg.Connection) -> None:
    project = make_project(db)
    make_task(db, project, status="pending", complexity_score=2)
    make_task(db, project, status="pending", complexity_score=4)
    make_task(db, project, status="completed", complexity_score=6,
              estimated_hours=10, actual_hours=15)  # fmt: skip
    make_task(db, project, status="completed", estimated_hours=4, actual_hours=2)
    make_task(db, project, status="blocked", estimated_hours=0, actual_hours=3)  # not estimated
    response = client.get(f"{ANALYTICS}/tasks", params={"project_id": project})
    assert response.status_code == 200, response.text
    report = response.json()["data"]
    assert report["total"] == 5
    assert report["by_status"]["pending"] == 2 and report["by_status"]["completed"] == 2
    assert report["by_status"]["blocked"] == 1 and report["by_status"]["failed"] == 0
    assert report["avg_complexity"] == 4.0
    estimates = report["estimates"]
    assert estimates["tasks"] == 2
    assert estimates["mean_actual_to_estimate_ratio"] == 1.0  # (1.5 + 0.5) / 2
    assert estimates["mean_absolute_percentage_error"] == 0.5  # (0.5 + 0.5) / 2
    assert estimates["accuracy"] == 0.5
    assert (estimates["estimated_hours_total"], estimates["actual_hours_total"]) == (14.0, 17.0)


def test_task_analytics_of_nothing(client: httpx.Client, db: psycopg.Connection) -> None:
    report = client.get(f"{ANALYTICS}/tasks", params={"project_id": make_project(db)}).json()[
        "data"
    ]
    assert report["total"] == 0 and set(report["by_status"].values()) == {0}
    assert report["avg_complexity"] is None and report["estimates"]["accuracy"] is None


def test_validation_analytics(client: httpx.Client, db: psycopg.Connection) -> None:
    task = make_task(db, make_project(db))
    for status, kind, score, ms in [
        ("passed", "syntax", 90, 100), ("passed", "security", 80, 300),
        ("failed", "security", 20, 200), ("pending", "style", None, None),
    ]:  # fmt: skip
        db.execute(
            "INSERT INTO validation_results (task_id, validation_type, validation_status,"
            " validation_score, execution_time_ms) VALUES (%s, %s, %s, %s, %s)",
            (task, kind, status, score, ms),
        )
    report = client.get(f"{ANALYTICS}/validations", params={"task_id": task}).json()["data"]
    assert report["total"] == 4
    assert (report["by_status"]["passed"], report["by_status"]["failed"]) == (2, 1)
    assert report["by_status"]["error"] == 0 and report["by_type"]["security"] == 2
    assert abs(report["avg_score"] - 190 / 3) < 1e-9
    assert report["avg_execution_time_ms"] == 200.0
    assert abs(report["pass_rate"] - 2 / 3) < 1e-9


def test_error_analytics(client: httpx.Client, db: psycopg.Connection) -> None:
    task = make_task(db, make_project(db))
    for code, severity, kind, count, resolved in [
        ("E1", "error", "runtime", 5, False), ("E1", "error", "runtime", 2, True),
        ("E2", "critical", "database", 1, False), ("E3", "warning", "network", 9, False),
    ]:  # fmt: skip
        db.execute(
            "INSERT INTO error_logs (task_id, error_code, message, severity, error_type,"
            " occurrence_count, resolved, resolved_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, CASE WHEN %s THEN now() END)",
            (task, code, unique("msg "), severity, kind, count, resolved, resolved),
        )
    report = client.get(f"{ANALYTICS}/errors", params={"task_id": task}).json()["data"]
    assert (report["total"], report["unresolved"], report["occurrences"]) == (4, 3, 17)
    assert report["by_severity"] == {"info": 0, "warning": 1, "error": 2, "critical": 1}
    assert report["by_type"]["runtime"] == 2 and report["by_type"]["timeout"] == 0
    assert report["top_codes"] == [
        {"error_code": "E3", "errors": 1, "occurrences": 9},
        {"error_code": "E1", "errors": 2, "occurrences": 7},
        {"error_code": "E2", "errors": 1, "occurrences": 1},
    ]


def test_bad_parameters_and_injection(client: httpx.Client) -> None:
    for report in ("tasks", "validations", "errors"):
        assert_problem(client.get(f"{ANALYTICS}/{report}", params={"status": "x"}), 400)
        assert_problem(client.get(f"{ANALYTICS}/{report}", params={"created_after": "x"}), 400)
        for value in CORPUS:
            for name in ("project_id", "task_id", "created_after", "created_before"):
                assert_clean(client.get(f"{ANALYTICS}/{report}", params={name: value}))


def test_scopes(make_key: Any, origin: Any) -> None:
    _, reader = make_key(["metrics:read"])
    _, other = make_key(["tasks:read"])
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        assert http.get(f"{ANALYTICS}/tasks", headers={"X-API-Key": reader}).status_code == 200
        assert_problem(http.get(f"{ANALYTICS}/errors", headers={"X-API-Key": other}), 403)
