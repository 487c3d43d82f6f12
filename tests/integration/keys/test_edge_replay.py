"""Issue 15: an edge signature is usable once, across every origin worker (nonces in PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.conftest import OriginProcess, start_origin
from tests.helpers import assert_problem
from tests.integration.keys.helpers import edge_headers

TASKS = "/api/v1/tasks"
MakeKey = Callable[..., tuple[str, str]]


@pytest.fixture
def second_origin(origin_db: str, tmp_path: Path) -> Iterator[OriginProcess]:
    """Another origin process on the same database: a different worker from the session's."""
    process = start_origin(origin_db, tmp_path / "origin.log")
    yield process
    process.stop()


def test_a_replayed_signed_request_is_refused_by_another_worker(
    origin: OriginProcess, second_origin: OriginProcess, make_key: MakeKey
) -> None:
    key_id, _ = make_key(["tasks:write"])
    body = json.dumps({"title": "signed once"}).encode()
    headers = {
        **edge_headers("POST", TASKS, body, key_id=key_id, scopes="tasks:write"),
        "Content-Type": "application/json",
    }
    first = httpx.post(f"{origin.url}{TASKS}", content=body, headers=headers)
    assert first.status_code == 201, first.text
    again = httpx.post(f"{second_origin.url}{TASKS}", content=body, headers=headers)
    assert_problem(again, 401, "edge-signature-replayed")
    same_worker = httpx.post(f"{origin.url}{TASKS}", content=body, headers=headers)
    assert_problem(same_worker, 401, "edge-signature-replayed")


def test_a_replayed_read_is_refused_too(anonymous_client: httpx.Client, make_key: MakeKey) -> None:
    key_id, _ = make_key(["tasks:read"])
    headers = edge_headers("GET", TASKS, key_id=key_id, scopes="tasks:read")
    assert anonymous_client.get(TASKS, headers=headers).status_code == 200
    assert_problem(anonymous_client.get(TASKS, headers=headers), 401, "edge-signature-replayed")


def test_a_signature_without_a_nonce_is_ignored(
    anonymous_client: httpx.Client, make_key: MakeKey
) -> None:
    key_id, _ = make_key(["tasks:read"])
    headers = edge_headers("GET", TASKS, key_id=key_id, scopes="tasks:read")
    del headers["X-Edge-Nonce"]
    assert_problem(anonymous_client.get(TASKS, headers=headers), 401, "missing-api-key")


def test_the_nonce_is_signed(anonymous_client: httpx.Client, make_key: MakeKey) -> None:
    key_id, _ = make_key(["tasks:read"])
    headers = edge_headers("GET", TASKS, key_id=key_id, scopes="tasks:read")
    headers["X-Edge-Nonce"] = "0" * 32  # a fresh nonce on a captured signature
    assert_problem(anonymous_client.get(TASKS, headers=headers), 401, "missing-api-key")


def test_used_nonces_expire_with_the_freshness_window(
    anonymous_client: httpx.Client, make_key: MakeKey, db: psycopg.Connection
) -> None:
    key_id, _ = make_key(["tasks:read"])
    headers = edge_headers("GET", TASKS, key_id=key_id, scopes="tasks:read")
    assert anonymous_client.get(TASKS, headers=headers).status_code == 200
    row = db.execute(
        "SELECT extract(epoch FROM expires_at)::bigint FROM edge_nonces WHERE nonce = %s",
        (headers["X-Edge-Nonce"],),
    ).fetchone()
    assert row is not None and row[0] == int(headers["X-Edge-Timestamp"]) + 60
