"""Issue 15, strict input: no coercion, no blank names, control characters named by field."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.helpers import assert_problem

TASKS = "/api/v1/tasks"


def field_errors(problem: dict) -> dict[str, str]:
    return {error["field"]: error["message"] for error in problem.get("errors", [])}


def test_a_string_priority_is_refused_not_coerced(client: httpx.Client) -> None:
    problem = assert_problem(client.post(TASKS, json={"title": "x", "priority": "7"}), 422)
    assert "int" in field_errors(problem)["priority"]


@pytest.mark.parametrize("value", [True, 7.0, "7", None])
def test_priority_accepts_only_an_integer(client: httpx.Client, value: object) -> None:
    assert_problem(client.post(TASKS, json={"title": "x", "priority": value}), 422)


def test_a_number_where_a_date_time_is_expected_is_refused(client: httpx.Client) -> None:
    body = {"level": "info", "message": "m", "created_at": 1_700_000_000}
    problem = assert_problem(client.post("/api/v1/logs", json=body), 422)
    assert "created_at" in field_errors(problem)


def test_a_number_in_a_date_time_query_parameter_is_a_400(client: httpx.Client) -> None:
    problem = assert_problem(client.get(TASKS, params={"created_after": "1700000000"}), 400)
    assert "RFC 3339" in field_errors(problem)["created_after"]
    assert client.get(TASKS, params={"created_after": "2026-01-01T00:00:00Z"}).status_code == 200


def test_an_aliased_date_time_query_parameter_is_strict_too(client: httpx.Client) -> None:
    # ``?from=`` is declared as QueryParameter(name="from") on the handler argument ``from_``.
    problem = assert_problem(client.get("/api/v1/logs", params={"from": "0.5"}), 400)
    assert "RFC 3339" in field_errors(problem)["from"]
    assert client.get("/api/v1/logs", params={"from": "2026-01-01T00:00:00Z"}).status_code == 200


@pytest.mark.parametrize("value", ["5.0", "1e1", "true", " 5"])
def test_an_integer_query_parameter_must_be_written_as_one(
    client: httpx.Client, value: str
) -> None:
    problem = assert_problem(client.get(TASKS, params={"priority_gte": value}), 400)
    assert field_errors(problem) == {"priority_gte": "must be an integer"}


@pytest.mark.parametrize("title", ["", "   ", "\u00a0 ", "\u3000"])
def test_a_blank_title_is_refused(client: httpx.Client, title: str) -> None:
    problem = assert_problem(client.post(TASKS, json={"title": title}), 422)
    assert field_errors(problem)["title"] in ("must not be blank", "Expected `str` of length >= 1")


def test_a_blank_title_is_refused_on_patch_too(client: httpx.Client) -> None:
    task = client.post(TASKS, json={"title": "ok"}).json()["data"]
    problem = assert_problem(client.patch(f"{TASKS}/{task['id']}", json={"title": " "}), 422)
    assert field_errors(problem) == {"title": "must not be blank"}


def test_a_nul_in_the_title_is_refused_naming_the_field_and_the_rule(
    client: httpx.Client,
) -> None:
    problem = assert_problem(client.post(TASKS, json={"title": "a\x00b"}), 422)
    assert field_errors(problem) == {"title": "must not contain control characters (found U+0000)"}


def test_a_nul_in_json_metadata_is_refused_naming_its_path(client: httpx.Client) -> None:
    body = {"title": "x", "metadata": {"deep": ["ok", "a\x00"]}}
    problem = assert_problem(client.post(TASKS, json=body), 422)
    assert list(field_errors(problem)) == ["metadata.deep[1]"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/projects", {"name": "  ", "slug": "blank-name"}, "name"),
        ("/api/v1/workflows", {"name": "   "}, "name"),
        (
            "/api/v1/errors",
            {"error_type": "runtime", "error_code": "E1", "message": " \n "},
            "message",
        ),
    ],
)
def test_names_and_messages_must_not_be_blank(
    client: httpx.Client, path: str, body: dict, field: str
) -> None:
    problem = assert_problem(client.post(path, json=body), 422)
    assert field_errors(problem).get(field) == "must not be blank", problem


def test_multi_line_text_keeps_newlines_and_tabs(client: httpx.Client) -> None:
    body = {"error_type": "runtime", "error_code": "E1", "message": "line 1\n\tline 2"}
    response = client.post("/api/v1/errors", json=body)
    assert response.status_code == 201, response.text


def test_a_missing_or_unknown_field_is_named(client: httpx.Client) -> None:
    missing = assert_problem(client.post(TASKS, json={}), 422)
    assert "title" in field_errors(missing)
    unknown = assert_problem(client.post(TASKS, json={"title": "x", "surprise": 1}), 422)
    assert "surprise" in field_errors(unknown)


def test_a_tab_in_a_one_line_title_is_a_control_character(client: httpx.Client) -> None:
    problem = assert_problem(client.post(TASKS, json={"title": "a\tb"}), 422)
    assert field_errors(problem) == {"title": "must not contain control characters (found U+0009)"}


# ---- seeds' spellings and conveniences -----------------------------------------------------------


def test_a_project_without_slug_gets_a_unique_one_from_its_name(client: httpx.Client) -> None:
    name = f"Façade: Q3 Release! {uuid.uuid4().hex[:6]}"
    first = client.post("/api/v1/projects", json={"name": name})
    assert first.status_code == 201, first.text
    slug = first.json()["data"]["slug"]
    assert slug.startswith("facade-q3-release-")
    second = client.post("/api/v1/projects", json={"name": name})
    assert second.status_code == 201, second.text
    assert second.json()["data"]["slug"] == f"{slug}-2"


def test_a_project_slug_is_still_settable_and_kept_by_a_put_without_it(
    client: httpx.Client,
) -> None:
    slug = f"chosen-{uuid.uuid4().hex[:8]}"
    created = client.post("/api/v1/projects", json={"name": "x", "slug": slug}).json()["data"]
    assert created["slug"] == slug
    url = f"/api/v1/projects/{created['id']}"
    replaced = client.put(url, json={"name": "renamed"})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["data"]["slug"] == slug


def test_the_seeds_status_change_with_notes_is_accepted_and_recorded(
    client: httpx.Client,
) -> None:
    task = client.post(TASKS, json={"title": "seed example"}).json()["data"]
    body = {"status": "in_progress", "notes": "Started working on implementation"}
    response = client.patch(f"{TASKS}/{task['id']}/status", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "in_progress"
    contexts = client.get(f"{TASKS}/{task['id']}/contexts").json()["data"]
    notes = [
        c["context_data"].get("note") for c in contexts if c["context_type"] == "status_change"
    ]
    assert notes == ["Started working on implementation"]


def test_note_and_notes_together_are_refused(client: httpx.Client) -> None:
    task = client.post(TASKS, json={"title": "both"}).json()["data"]
    body = {"status": "blocked", "note": "a", "notes": "b"}
    assert_problem(client.patch(f"{TASKS}/{task['id']}/status", json=body), 422)


@pytest.mark.parametrize(("alias", "route"), [
    ("/api/v1/health", "/health"),
    ("/api/v1/health/detailed", "/health/detailed"),
])  # fmt: skip
def test_the_seeds_health_paths_answer_as_the_routes(
    client: httpx.Client, anonymous_client: httpx.Client, alias: str, route: str
) -> None:
    via_alias, direct = client.get(alias), client.get(route)
    assert via_alias.status_code == direct.status_code == 200
    assert via_alias.json().keys() == direct.json().keys()
    assert anonymous_client.get(alias).status_code == anonymous_client.get(route).status_code
