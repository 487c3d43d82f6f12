"""The real ``taskmaster keys`` console script against a migrated database (the bootstrap path)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import OriginProcess
from tests.helpers import assert_problem
from tests.integration.keys.helpers import wait_for

TASKMASTER = Path(sys.executable).parent / "taskmaster"


def taskmaster(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TASKMASTER), "keys", *args],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_keys_create_json_prints_a_working_key(origin_db: str, origin: OriginProcess) -> None:
    done = taskmaster(
        origin_db, "create", "--name", "bootstrap", "--scopes", "admin,tasks:read",
        "--expires-in", "30d", "--rate-limit-per-minute", "30", "--allow-ip", "127.0.0.0/8",
        "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    assert set(created) >= {"id", "key", "prefix", "scopes", "expires_at"}
    assert created["scopes"] == ["admin", "tasks:read"] and created["expires_at"]
    assert created["prefix"] == created["key"][:12]
    headers = {"Authorization": f"Bearer {created['key']}"}
    with httpx.Client(base_url=origin.url, timeout=10, headers=headers) as http:
        assert http.get("/api/v1/tasks").status_code == 200
        assert http.get("/api/v1/keys").status_code == 200  # admin implies keys:admin

        listed = taskmaster(origin_db, "list", "--json")
        assert listed.returncode == 0, listed.stderr
        assert created["id"] in {key["id"] for key in json.loads(listed.stdout)}
        assert created["key"] not in listed.stdout

        rotated = taskmaster(origin_db, "rotate", created["id"], "--grace", "1h", "--json")
        assert rotated.returncode == 0, rotated.stderr
        successor = json.loads(rotated.stdout)
        assert successor["key"] != created["key"] and successor["scopes"] == created["scopes"]
        with httpx.Client(base_url=origin.url, timeout=10) as fresh:
            ok = fresh.get("/api/v1/tasks", headers={"X-API-Key": successor["key"]})
            assert ok.status_code == 200

        revoked = taskmaster(origin_db, "revoke", successor["id"], "--reason", "test", "--json")
        assert revoked.returncode == 0 and json.loads(revoked.stdout)["status"] == "revoked"


def test_keys_create_refuses_bad_input(origin_db: str) -> None:
    done = taskmaster(origin_db, "create", "--name", "x", "--scopes", "root", "--json")
    assert done.returncode != 0 and "scopes" in done.stderr
    done = taskmaster(origin_db, "create", "--name", "x", "--scopes", "admin", "--allow-ip", "nope")
    assert done.returncode != 0
    done = taskmaster("", "list")
    assert done.returncode != 0 and "DATABASE_URL" in done.stderr


def test_revoked_by_cli_is_refused(origin_db: str, origin: OriginProcess) -> None:
    created = json.loads(
        taskmaster(
            origin_db, "create", "--name", "cli-revoke", "--scopes", "tasks:read", "--json"
        ).stdout
    )
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        headers = {"X-API-Key": created["key"]}
        assert http.get("/api/v1/tasks", headers=headers).status_code == 200
        assert taskmaster(origin_db, "revoke", created["id"]).returncode == 0
        # Made outside the origin: reaches it through NOTIFY (sub-millisecond), poll briefly.
        wait_for(lambda: http.get("/api/v1/tasks", headers=headers).status_code == 401)
        assert_problem(http.get("/api/v1/tasks", headers=headers), 401, "revoked-api-key")
