"""Listing tasks: allow-listed filters and sorts, keyset cursors, refusals."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.helpers import assert_problem
from tests.integration.tasks.test_tasks_api import TASKS, create


@pytest.fixture
def tagged(client: httpx.Client) -> tuple[str, list[dict[str, Any]]]:
    """Seven tasks sharing a tag of their own, so the assertions ignore other tests' rows."""
    tag = f"t{uuid.uuid4().hex[:10]}"
    specs = [
        (3, "pending"),
        (9, "pending"),
        (5, "blocked"),
        (9, "review"),
        (1, "pending"),
        (7, "pending"),
        (5, "pending"),
    ]
    tasks = [
        create(client, title=f"task {i}", priority=p, status=s, tags=[tag, "common"])
        for i, (p, s) in enumerate(specs)
    ]
    return tag, tasks


def list_all(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    """Follow next_cursor until has_more is false."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        query = params | ({"cursor": cursor} if cursor else {})
        response = client.get(TASKS, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["data"])
        assert body["pagination"]["limit"] == params.get("limit", 50)
        if not body["pagination"]["has_more"]:
            assert body["pagination"]["next_cursor"] is None
            return items
        cursor = body["pagination"]["next_cursor"]
    raise AssertionError("pagination did not end")


def test_filter_by_tag_and_default_order(client: httpx.Client, tagged: tuple[str, list]) -> None:
    tag, tasks = tagged
    listed = list_all(client, tag=tag)
    assert [t["id"] for t in listed] == [t["id"] for t in tasks]  # default: created_at, id


def test_keyset_pages_cover_every_row_once(client: httpx.Client, tagged: tuple[str, list]) -> None:
    tag, tasks = tagged
    for sort in ["-priority,created_at", "priority", "-created_at", "status,-priority", "title"]:
        paged = list_all(client, tag=tag, sort=sort, limit=2)
        whole = list_all(client, tag=tag, sort=sort, limit=50)
        assert [t["id"] for t in paged] == [t["id"] for t in whole], sort
        assert sorted(t["id"] for t in paged) == sorted(t["id"] for t in tasks)


def test_sort_descending_priority_then_age(client: httpx.Client, tagged: tuple[str, list]) -> None:
    tag, tasks = tagged
    listed = list_all(client, tag=tag, sort="-priority,created_at")
    expected = sorted(tasks, key=lambda t: (-t["priority"], t["created_at"], t["id"]))
    assert [t["id"] for t in listed] == [t["id"] for t in expected]


def test_filters_combine(client: httpx.Client, tagged: tuple[str, list]) -> None:
    tag, tasks = tagged
    listed = list_all(client, tag=[tag, "common"], status="pending", priority_gte=5)
    expected = {t["id"] for t in tasks if t["status"] == "pending" and t["priority"] >= 5}
    assert {t["id"] for t in listed} == expected and len(expected) == 3
    several = list_all(client, tag=tag, status=["blocked", "review"])
    assert {t["status"] for t in several} == {"blocked", "review"} and len(several) == 2


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"colour": "red"}, "unknown-parameter"),
        ({"sort": "password"}, "invalid-sort"),
        ({"sort": "priority,priority"}, "invalid-sort"),
        ({"limit": 201}, "invalid-parameter"),
        ({"limit": 0}, "invalid-parameter"),
        ({"priority_gte": "high"}, "invalid-parameter"),
        ({"status": "done"}, "invalid-parameter"),
        ({"cursor": "bm90LWEtY3Vyc29y.AAAA"}, "invalid-cursor"),
        ({"cursor": "garbage"}, "invalid-cursor"),
    ],
)
def test_bad_list_parameters_are_400(client: httpx.Client, params: dict, code: str) -> None:
    problem = assert_problem(client.get(TASKS, params=params), 400, code)
    if code == "unknown-parameter":
        assert "colour" in problem["detail"]


def test_cursor_is_bound_to_its_sort(client: httpx.Client, tagged: tuple[str, list]) -> None:
    tag, _ = tagged
    first = client.get(TASKS, params={"tag": tag, "limit": 2, "sort": "priority"}).json()
    cursor = first["pagination"]["next_cursor"]
    assert_problem(client.get(TASKS, params={"tag": tag, "cursor": cursor}), 400, "invalid-cursor")


def test_tampered_cursor_is_400(client: httpx.Client, tagged: tuple[str, list]) -> None:
    tag, _ = tagged
    cursor = client.get(TASKS, params={"tag": tag, "limit": 2}).json()["pagination"]["next_cursor"]
    payload, mac = cursor.split(".")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + mac
    assert_problem(client.get(TASKS, params={"tag": tag, "cursor": forged}), 400, "invalid-cursor")
