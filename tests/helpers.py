"""Assertions shared by the HTTP tests."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

PROBLEM_KEYS = {"type", "title", "status", "detail", "request_id"}


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    """The response is an RFC 9457 problem with our fields, the given status and (optionally) code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS, body
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    if code is not None:
        assert body["type"].endswith("/" + code), body
    return body


def list_all(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a keyset-paginated list: follow next_cursor until has_more is false."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        query = params | ({"cursor": cursor} if cursor else {})
        response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["data"])
        assert body["pagination"]["limit"] == params.get("limit", 50)
        if not body["pagination"]["has_more"]:
            assert body["pagination"]["next_cursor"] is None
            return items
        cursor = body["pagination"]["next_cursor"]
    raise AssertionError("pagination did not end")


def count_rows(db: Any, table: str, where: str = "true", *args: Any) -> int:
    """Rows of a table (optionally filtered), to check that a refused write changed nothing."""
    return db.execute(f"SELECT count(*) FROM {table} WHERE {where}", args).fetchone()[0]  # type: ignore[no-any-return]


def unique(prefix: str = "x") -> str:
    """A value no other test uses (the session database is shared)."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def altered_key(key: str) -> str:
    """The key with its last character changed (always: "y" when it was an "x")."""
    return key[:-1] + ("y" if key.endswith("x") else "x")


# Headers a lean path (api/hot.py, api/hot_claim.py) must answer exactly as the router does.
LEAN_COMPARED_HEADERS = ("content-type", "etag", "cache-control", "www-authenticate")


def without_request_id(body: dict[str, Any]) -> dict[str, Any]:
    """A response body less its request id (which differs between any two requests)."""
    body = dict(body)
    if "meta" in body:
        body["meta"] = {k: v for k, v in body["meta"].items() if k != "request_id"}
    body.pop("request_id", None)
    return body
