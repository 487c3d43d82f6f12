"""Issue 15: If-Match / If-None-Match over HTTP as RFC 9110 §13.1 says."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import assert_problem

TASKS = "/api/v1/tasks"


@pytest.fixture
def task(client: httpx.Client) -> dict:
    return client.post(TASKS, json={"title": "conditional"}).json()["data"]


def test_a_well_formed_stale_tag_is_412(client: httpx.Client, task: dict) -> None:
    response = client.patch(
        f"{TASKS}/{task['id']}", json={"priority": 1}, headers={"If-Match": '"stale-etag"'}
    )
    assert_problem(response, 412, "precondition-failed")


def test_any_listed_tag_may_match(client: httpx.Client, task: dict) -> None:
    response = client.patch(
        f"{TASKS}/{task['id']}", json={"priority": 1}, headers={"If-Match": '"nope", "1"'}
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'


def test_a_list_of_several_versions_resolves_to_the_current_one(
    client: httpx.Client, task: dict
) -> None:
    url = f"{TASKS}/{task['id']}"
    assert client.patch(url, json={"priority": 2}, headers={"If-Match": '"5", "1"'}).is_success
    again = client.patch(url, json={"priority": 3}, headers={"If-Match": '"5", "1"'})
    assert_problem(again, 412)


def test_a_weak_tag_never_matches_if_match(client: httpx.Client, task: dict) -> None:
    url = f"{TASKS}/{task['id']}"
    response = client.patch(url, json={"priority": 1}, headers={"If-Match": 'W/"1"'})
    assert_problem(response, 412)
    assert client.get(url).json()["data"]["priority"] == 5


def test_an_unparseable_if_match_is_400(client: httpx.Client, task: dict) -> None:
    response = client.patch(
        f"{TASKS}/{task['id']}", json={"priority": 1}, headers={"If-Match": "1"}
    )
    assert_problem(response, 400)


def test_if_match_on_a_missing_task_is_still_404(client: httpx.Client) -> None:
    missing = f"{TASKS}/00000000-0000-4000-8000-000000000000"
    assert_problem(client.patch(missing, json={"priority": 1}, headers={"If-Match": '"x"'}), 404)


def test_delete_and_status_honour_lists(client: httpx.Client, task: dict) -> None:
    url = f"{TASKS}/{task['id']}"
    status = client.patch(
        f"{url}/status", json={"status": "in_progress"}, headers={"If-Match": 'W/"1", "1"'}
    )
    assert status.status_code == 200, status.text
    assert_problem(client.delete(url, headers={"If-Match": '"1"'}), 412)
    assert client.delete(url, headers={"If-Match": '"0", "2"'}).status_code == 204


@pytest.mark.parametrize("value", ['W/"1"', '"0", "1"', "*"])
def test_if_none_match_weak_lists_and_star_give_304(
    client: httpx.Client, task: dict, value: str
) -> None:
    response = client.get(f"{TASKS}/{task['id']}", headers={"If-None-Match": value})
    assert response.status_code == 304


def test_if_none_match_unparseable_is_400_on_both_read_paths(
    client: httpx.Client, task: dict
) -> None:
    assert_problem(client.get(f"{TASKS}/{task['id']}", headers={"If-None-Match": "1"}), 400)
    project = client.post("/api/v1/projects", json={"name": "inm", "slug": "inm-400"}).json()
    url = f"/api/v1/projects/{project['data']['id']}"
    assert_problem(client.get(url, headers={"If-None-Match": "1"}), 400)
    assert client.get(url, headers={"If-None-Match": 'W/"1"'}).status_code == 304


def test_configuration_resolves_an_if_match_list(client: httpx.Client) -> None:
    url = "/api/v1/configuration/strict.cond"
    assert client.put(url, json={"value": 1}).is_success
    assert client.put(url, json={"value": 2}, headers={"If-Match": '"9", "1"'}).is_success
    assert_problem(client.put(url, json={"value": 3}, headers={"If-Match": '"9", "1"'}), 412)
