"""Helpers of the people tests: users made by the real ``taskmaster users`` CLI, logins over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg

TASKMASTER = Path(sys.executable).parent / "taskmaster"
PASSWORD = "correct horse battery staple"


def cli(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(TASKMASTER), *args],
        env={**os.environ, "DATABASE_URL": database_url},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done


def make_user(
    database_url: str, role: str | None = None, password: str = PASSWORD
) -> dict[str, str]:
    """A user with a global ``role`` (None: memberships only) and a password; returns its names."""
    name = f"u{uuid.uuid4().hex[:10]}"
    args = ["users", "create", "--username", name, "--email", f"{name}@Example.com"]
    cli(database_url, *args, *(["--role", role] if role else []), "--password-stdin",
        stdin=password + "\n")  # fmt: skip
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT id FROM users WHERE username = %s", (name,)).fetchone()
    assert row is not None
    return {"id": str(row[0]), "username": name, "email": f"{name}@example.com"}


def login(http: httpx.Client, login_name: str, password: str = PASSWORD) -> httpx.Response:
    return http.post("/api/v1/auth/login", json={"login": login_name, "password": password})


def tokens(http: httpx.Client, login_name: str, password: str = PASSWORD) -> dict[str, Any]:
    response = login(http, login_name, password)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()["data"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_project(client: httpx.Client) -> str:
    slug = f"p-{uuid.uuid4().hex[:10]}"
    response = client.post("/api/v1/projects", json={"name": slug, "slug": slug})
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])
