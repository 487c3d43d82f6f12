"""Issue 15: problem ``type`` URIs point at pages the origin serves (and PROBLEM_TYPE_BASE)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import OriginProcess, start_origin
from tests.helpers import assert_problem


def test_a_problem_type_resolves_to_its_page(client: httpx.Client) -> None:
    problem = assert_problem(client.get("/api/v1/tasks/not-a-uuid/nothing"), 404)
    assert problem["type"] == "/problems/not-found"
    page = httpx.get(httpx.URL(str(client.base_url)).join(problem["type"]))
    assert page.status_code == 200
    assert page.json()["code"] == "not-found"
    assert 404 in page.json()["statuses"]


def test_the_page_is_html_for_a_browser(anonymous_client: httpx.Client) -> None:
    page = anonymous_client.get(
        "/problems/precondition-failed", headers={"Accept": "text/html,*/*;q=0.8"}
    )
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<code>precondition-failed</code>" in page.text
    index = anonymous_client.get("/problems", headers={"Accept": "text/html"})
    assert 'href="problems/validation-failed"' in index.text


def test_the_index_lists_every_code_without_a_key(anonymous_client: httpx.Client) -> None:
    listed = anonymous_client.get("/problems").json()
    assert {"not-found", "validation-failed", "invalid-precondition"} <= {e["code"] for e in listed}


def test_an_unknown_code_is_a_404_problem(anonymous_client: httpx.Client) -> None:
    assert_problem(anonymous_client.get("/problems/no-such-code"), 404, "not-found")


@pytest.fixture
def based_origin(origin_db: str, tmp_path: Path) -> OriginProcess:
    origin = start_origin(
        origin_db, tmp_path / "origin.log", PROBLEM_TYPE_BASE="https://api.example.com/problems"
    )
    yield origin
    origin.stop()


def test_problem_type_base_is_configurable(based_origin: OriginProcess) -> None:
    problem = httpx.get(f"{based_origin.url}/api/v1/tasks").json()
    assert problem["type"] == "https://api.example.com/problems/missing-api-key"
