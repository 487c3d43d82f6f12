"""Templates: declared variables, rendering (missing/unknown → 422), usage counting."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem, count_rows, list_all, unique
from tests.injection import CORPUS, assert_clean, table_fingerprint

TEMPLATES = "/api/v1/templates"
VARIABLES = [
    {"name": "title", "description": "task title"},
    {"name": "priority", "type": "integer", "required": False, "default": 5},
    {"name": "notes", "required": False},
    {"name": "files", "type": "json", "required": False, "default": []},
]
CONTENT = "Task: {{title}} (p{{ priority }}){{notes}} files={{files}}"


def create(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"name": unique("tpl-"), "content": CONTENT, "variables": VARIABLES} | fields
    response = client.post(TEMPLATES, json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def render(client: httpx.Client, template: dict[str, Any], **values: Any) -> httpx.Response:
    return client.post(f"{TEMPLATES}/{template['id']}/render", json={"variables": values})


def test_render_fills_variables_and_counts_uses(client: httpx.Client) -> None:
    template = create(client, tags=["prompt"])
    assert template["usage_count"] == 0 and template["success_rate"] is None
    assert template["variables"][0]["name"] == "title"
    assert template["variables"][1] == {"name": "priority", "type": "integer", "required": False,
                                        "default": 5}  # fmt: skip
    first = render(client, template, title="Fix {{notes}} bug")
    assert first.status_code == 200, first.text
    data = first.json()["data"]
    assert data["content"] == "Task: Fix {{notes}} bug (p5) files=[]"  # values are not re-scanned
    assert data["usage_count"] == 1
    second = render(client, template, title="X", priority=9, notes="!", files=["a.py"])
    assert second.json()["data"]["content"] == 'Task: X (p9)! files=["a.py"]'
    current = client.get(f"{TEMPLATES}/{template['id']}").json()["data"]
    assert current["usage_count"] == 2 and current["last_used_at"] is not None


def test_render_refuses_missing_and_unknown_variables(client: httpx.Client) -> None:
    template = create(client)
    missing = assert_problem(render(client, template, priority=1), 422, "missing-variable")
    assert "title" in missing["detail"] and missing["errors"][0]["field"] == "variables.title"
    unknown = assert_problem(render(client, template, title="x", colour="red", size=1), 422,
                             "unknown-variable")  # fmt: skip
    assert "colour" in unknown["detail"] and "size" in unknown["detail"]
    assert_problem(render(client, template, title="x", priority="high"), 422, "invalid-variable")
    assert_problem(render(client, template, title="x", priority=True), 422, "invalid-variable")
    assert_problem(client.post(f"{TEMPLATES}/{template['id']}/render", json={"vars": {}}), 422)
    assert client.get(f"{TEMPLATES}/{template['id']}").json()["data"]["usage_count"] == 0
    assert_problem(client.post(f"{TEMPLATES}/{uuid.uuid4()}/render", json={}), 404)


def test_inactive_template_does_not_render(client: httpx.Client) -> None:
    template = create(client, is_active=False)
    assert_problem(render(client, template, title="x"), 409, "template-inactive")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        pytest.param(
            {"content": "Hi {{who}}", "variables": []}, "undeclared-variable", id="undeclared"
        ),
        pytest.param(
            {"variables": [*VARIABLES, {"name": "title"}]}, "duplicate-variable", id="dup"
        ),
        pytest.param(
            {
                "variables": [{"name": "title", "type": "integer", "default": "x"}],
                "content": "{{title}}",
            },
            "invalid-default",
            id="bad-default",
        ),
        pytest.param({"variables": [{"name": "bad name"}]}, None, id="variable-name"),
        pytest.param({"variables": [{"name": "x", "kind": "y"}]}, None, id="variable-field"),
        pytest.param({"content": ""}, None, id="empty-content"),
        pytest.param({"template_type": "poem"}, None, id="type"),
        pytest.param({"success_rate": 1.5}, None, id="rate"),
    ],
)
def test_invalid_templates_are_422(
    client: httpx.Client, db: psycopg.Connection, fields: dict[str, Any], code: str | None
) -> None:
    before = count_rows(db, "templates")
    body = {"name": unique("tpl-"), "content": CONTENT, "variables": VARIABLES} | fields
    assert_problem(client.post(TEMPLATES, json=body), 422, code)
    assert count_rows(db, "templates") == before


def test_crud_etags_and_patch_checks(client: httpx.Client) -> None:
    template = create(client)
    url = f"{TEMPLATES}/{template['id']}"
    assert_problem(client.patch(url, json={"content": "{{nope}}"}), 422, "undeclared-variable")
    assert_problem(client.patch(url, json={"variables": []}), 422, "undeclared-variable")
    patched = client.patch(url, json={"success_rate": 0.75}, headers={"If-Match": '"1"'})
    assert patched.status_code == 200 and patched.json()["data"]["success_rate"] == 0.75
    assert_problem(client.patch(url, json={"category": "x"}, headers={"If-Match": '"1"'}), 412)
    replaced = client.put(url, json={"name": template["name"], "content": "plain"})
    assert replaced.json()["data"]["variables"] == []
    dup = client.post(TEMPLATES, json={"name": template["name"], "content": "x"})
    assert_problem(dup, 409, "duplicate-name")
    assert client.delete(url).status_code == 204
    assert_problem(client.delete(url), 404)


def test_filters(client: httpx.Client) -> None:
    tag = unique("tag")
    one = create(client, tags=[tag], category="review", template_type="code_review")
    two = create(client, tags=[tag], is_active=False)
    ids = lambda **p: [t["id"] for t in list_all(client, TEMPLATES, tag=tag, **p)]  # noqa: E731
    assert ids() == [one["id"], two["id"]]
    assert ids(template_type="code_review") == [one["id"]] == ids(category="review")
    assert ids(is_active="false") == [two["id"]]
    assert_problem(client.get(TEMPLATES, params={"sort": "content"}), 400)


def test_injection_corpus(client: httpx.Client, db: psycopg.Connection) -> None:
    tables = table_fingerprint(db)
    template = create(client)
    for value in CORPUS:
        for name in ("category", "tag", "name", "template_type", "sort"):
            assert_clean(client.get(TEMPLATES, params={name: value}))
        for field in ("name", "content", "category", "description", "template_type"):
            body = {"name": unique("inj-"), "content": "x", field: value}
            assert_clean(client.post(TEMPLATES, json=body))
        body = {"name": unique("inj-"), "content": "x", "tags": [value], "metadata": {value: 1},
                "variables": [{"name": "v", "description": value, "default": value}]}  # fmt: skip
        assert_clean(client.post(TEMPLATES, json=body))
        assert_clean(render(client, template, title=value, notes=value))
        assert_clean(client.post(f"{TEMPLATES}/{template['id']}/render",
                                 json={"variables": {value: 1}}))  # fmt: skip
    assert table_fingerprint(db) == tables
    rendered = render(client, template, title="'; DROP TABLE tasks; --").json()["data"]
    assert rendered["content"].startswith("Task: '; DROP TABLE tasks; --")
