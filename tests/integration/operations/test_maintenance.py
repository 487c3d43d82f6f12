"""Maintenance: retention per table deletes exactly what it says, expired leases and idempotency
keys go, views refresh; a run that finds another one running reports it and does nothing; the
signed origin endpoint runs the same thing."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.conftest import BIN, EDGE_SECRET, ROOT, OriginProcess, start_origin
from tests.helpers import assert_problem

# Each table gets its own retention, so a wrong mapping deletes the wrong rows.
RETENTION = {
    "LOG_RETENTION_DAYS": "10",
    "ACCESS_LOG_RETENTION_DAYS": "20",
    "ERROR_RETENTION_DAYS": "30",
    "METRICS_RETENTION_DAYS": "40",
    "EVENT_RETENTION_DAYS": "50",
    "UNRESOLVED_ERROR_RETENTION_DAYS": "60",
    "AUDIT_RETENTION_DAYS": "70",
}
LOCK_KEY = 0x746D_6D61_696E


def seed(url: str) -> None:
    """For every table: a row just past its retention (goes) and one just inside it (stays)."""
    with psycopg.connect(url, autocommit=True) as conn:
        for days, tag in ((11, "old"), (9, "new")):
            conn.execute(
                "INSERT INTO logs (level, message, created_at) VALUES ('info', %s, now() - make_interval(days => %s))",
                (tag, days),
            )
        for days, tag in ((21, "/old"), (19, "/new")):
            conn.execute(
                "INSERT INTO api_access_logs (method, path, status_code, created_at)"
                " VALUES ('GET', %s, 200, now() - make_interval(days => %s))",
                (tag, days),
            )
        for days, tag in ((31, "old"), (29, "new")):
            conn.execute(
                "INSERT INTO error_logs (error_type, error_code, message, resolved, resolved_at)"
                " VALUES ('runtime', 'E1', %s, true, now() - make_interval(days => %s))",
                (tag, days),
            )
        # Edge nonces: one past its freshness window (goes), one still in it (stays).
        conn.execute(
            "INSERT INTO edge_nonces (nonce, expires_at) VALUES"
            " (repeat('a', 32), now() - interval '1 second'),"
            " (repeat('b', 32), now() + interval '1 minute')"
        )
        # Unresolved errors have a retention of their own (by creation).
        for days, tag in ((61, "open-old"), (59, "open")):
            conn.execute(
                "INSERT INTO error_logs (error_type, error_code, message, created_at)"
                " VALUES ('runtime', 'E2', %s, now() - make_interval(days => %s))",
                (tag, days),
            )
        for days, tag in ((71, "old"), (69, "new")):
            conn.execute(
                "INSERT INTO audit_logs (table_name, row_id, action, new_data, created_at)"
                " VALUES ('retention_test', %s, 'INSERT', '{}', now() - make_interval(days => %s))",
                (tag, days),
            )
        for days, tag in ((41, "old"), (39, "new")):
            conn.execute(
                "INSERT INTO system_metrics (name, value, recorded_at)"
                " VALUES (%s, 1, now() - make_interval(days => %s))",
                (tag, days),
            )
        for hours, key in ((-1, "expired"), (1, "live")):
            conn.execute(
                "INSERT INTO idempotency_keys (scope, idempotency_key, request_hash,"
                " response_status, response_body, expires_at)"
                " VALUES ('s', %s, 'h', 201, '\\x', now() + make_interval(hours => %s))",
                (key, hours),
            )
        for title, status, minutes in (
            ("lapsed", "in_progress", -5),
            ("leased", "in_progress", 5),
        ):
            conn.execute(
                "INSERT INTO tasks (title, status, lease_owner, lease_expires_at)"
                " VALUES (%s, %s, 'agent-1', now() + make_interval(mins => %s))",
                (title, status, minutes),
            )


def remaining(url: str) -> dict[str, list[str]]:
    with psycopg.connect(url) as conn:
        return {
            "logs": [r[0] for r in conn.execute("SELECT message FROM logs ORDER BY 1")],
            "access": [
                r[0]
                for r in conn.execute(
                    "SELECT path FROM api_access_logs WHERE path NOT LIKE '/internal/%' ORDER BY 1"
                )
            ],
            "errors": [r[0] for r in conn.execute("SELECT message FROM error_logs ORDER BY 1")],
            "metrics": [r[0] for r in conn.execute("SELECT name FROM system_metrics ORDER BY 1")],
            "audit": [
                r[0]
                for r in conn.execute(
                    "SELECT row_id FROM audit_logs WHERE table_name = 'retention_test' ORDER BY 1"
                )
            ],
            "idempotency": [
                r[0] for r in conn.execute("SELECT idempotency_key FROM idempotency_keys")
            ],
            "tasks": [
                f"{title}:{status}:{owner}"
                for title, status, owner in conn.execute(
                    "SELECT title, status, lease_owner FROM tasks ORDER BY title"
                )
            ],
        }


def run_cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TASKMASTER_ENV": "development",
        "PYTHONPATH": str(ROOT / "origin"),
        **RETENTION,
    }
    return subprocess.run(
        [str(BIN / "taskmaster"), "maintenance", "run", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


EXPECTED = {
    "logs": ["new"],
    "access": ["/new"],
    "errors": ["new", "open"],
    "metrics": ["new"],
    "audit": ["new"],
    "idempotency": ["live"],
    "tasks": ["lapsed:pending:None", "leased:in_progress:agent-1"],
}


def test_cli_run_deletes_exactly_what_retention_says(fresh_db: str) -> None:
    seed(fresh_db)
    result = run_cli(fresh_db, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "completed", report
    steps = {step["name"]: step for step in report["steps"]}
    assert steps["cleanup_logs"]["affected"] == {
        "logs": 1,
        "api_access_logs": 1,
        "error_logs": 1,
        "unresolved_error_logs": 1,
        "audit_logs": 1,
        "system_metrics": 1,
        "integration_events": 0,
        "webhook_events": 0,
        "idempotency_keys": 1,
    }
    assert steps["edge_nonces"]["affected"] == {"edge_nonces": 1}
    assert steps["leases"]["affected"] == {"tasks": 1}
    assert steps["materialized_views"]["status"] == "ok"
    assert remaining(fresh_db) == EXPECTED

    again = run_cli(fresh_db)  # idempotent: nothing left to do
    assert again.returncode == 0, again.stderr
    assert "completed" in again.stdout
    assert remaining(fresh_db) == EXPECTED


def test_a_run_that_finds_another_running_does_nothing(fresh_db: str) -> None:
    seed(fresh_db)
    with psycopg.connect(fresh_db, autocommit=True) as holder:
        # Stands in for a run in progress: the same session lock a run takes.
        assert holder.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone() == (True,)
        result = run_cli(fresh_db)
        assert result.returncode == 0, result.stderr
        assert "already running" in result.stdout
        assert remaining(fresh_db)["logs"] == ["new", "old"]  # nothing was deleted
    assert run_cli(fresh_db).returncode == 0  # the lock is free again: this one runs
    assert remaining(fresh_db) == EXPECTED


def test_two_concurrent_runs_do_not_collide(fresh_db: str) -> None:
    seed(fresh_db)
    env = {**os.environ, "DATABASE_URL": fresh_db, "PYTHONPATH": str(ROOT / "origin"), **RETENTION}
    command = [str(BIN / "taskmaster"), "maintenance", "run", "--json"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    outputs = [first.communicate(timeout=120)[0], second.communicate(timeout=120)[0]]
    assert first.returncode == 0 and second.returncode == 0
    statuses = sorted(json.loads(out)["status"] for out in outputs)
    # Either they overlapped (one saw the lock) or ran one after the other; never both at once.
    assert statuses in (["already_running", "completed"], ["completed", "completed"])
    assert remaining(fresh_db) == EXPECTED


@pytest.fixture
def maintenance_origin(fresh_db: str, tmp_path: Path) -> Iterator[OriginProcess]:
    process = start_origin(fresh_db, tmp_path / "origin.log", **RETENTION)
    yield process
    process.stop()


def _signed(path: str, secret: str = EDGE_SECRET) -> dict[str, str]:
    from taskmaster.auth import edge

    timestamp = str(int(time.time()))
    request_id = "cron-test-0001"
    nonce = secrets.token_hex(16)
    message = edge.canonical(timestamp, nonce, "POST", path, "-", "", "cron", request_id, b"")
    return {
        "x-edge-timestamp": timestamp,
        "x-edge-nonce": nonce,
        "x-edge-key-id": "-",
        "x-edge-scopes": "",
        "x-edge-client-ip": "cron",
        "x-request-id": request_id,
        "x-edge-signature": edge.signature(secret, message),
    }


def test_signed_endpoint_runs_maintenance(fresh_db: str, maintenance_origin: OriginProcess) -> None:
    seed(fresh_db)
    path = "/internal/maintenance/run"
    with httpx.Client(base_url=maintenance_origin.url, timeout=30) as http:
        assert_problem(http.post(path), 401, "edge-signature-required")
        assert_problem(http.post(path, headers=_signed(path, "wrong-secret")), 401)
        response = http.post(path, headers=_signed(path))
        assert response.status_code == 200, response.text
        assert response.json()["data"]["status"] == "completed"
        assert remaining(fresh_db) == EXPECTED
        with psycopg.connect(fresh_db, autocommit=True) as holder:
            holder.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
            busy = http.post(path, headers=_signed(path))
            assert busy.status_code == 200
            assert busy.json()["data"]["status"] == "already_running"


def test_the_least_privilege_login_role_can_run_maintenance(fresh_db: str) -> None:
    from tests.integration.keys.test_least_privilege import as_role

    seed(fresh_db)
    result = run_cli(as_role(fresh_db, "taskmaster_app"), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert {step["name"]: step["status"] for step in report["steps"]}.items() >= {
        "cleanup_logs": "ok",
        "edge_nonces": "ok",
        "leases": "ok",
        "materialized_views": "ok",
    }.items()
    assert remaining(fresh_db) == EXPECTED
