"""Issue 17: the web console at /console in real headless Chromium (Debian's, via Playwright).

A person logs in with a password; the board shows a task created through the API without a
reload (the event stream); the task page, the dependency graph with its critical path and the
key page work; a new key is shown once; logout ends the session. Each page has no serious or
critical axe-core violation and no Content-Security-Policy violation, and the session never
reaches script-readable storage or a URL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.support import BOARD_DEADLINE_MS, ConsolePage
from tests.conftest import OriginProcess
from tests.integration.people.support import make_project, make_user
from tests.integration.people.test_access_sso import access_token, sso_origin  # noqa: F401


@pytest.fixture
def developer(origin_db: str) -> dict[str, str]:
    return make_user(origin_db, "developer")


@pytest.fixture
def console(context: BrowserContext, origin: OriginProcess) -> Iterator[ConsolePage]:
    yield ConsolePage(context, origin.url)


def test_the_shell_has_the_security_headers(origin: OriginProcess) -> None:
    for path in ("/console", "/console/assets/console.js"):
        response = httpx.get(f"{origin.url}{path}")
        assert response.status_code == 200, response.text
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
    page = httpx.get(f"{origin.url}/console").text
    assert "<script src=" in page and "<script>" not in page  # external scripts only


def test_log_in_see_a_new_task_live_open_it_and_log_out(
    console: ConsolePage, context: BrowserContext, client: httpx.Client, developer: dict[str, str]
) -> None:
    page = console.page
    console.goto("/board")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    console.assert_accessible("login")
    console.log_in(developer["username"])
    session = next(c for c in context.cookies() if c["name"] == "tm_session")
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert "tm_session" not in page.evaluate("document.cookie")
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert session["value"] not in page.url
    expect(page.locator("#live")).to_contain_text("Live")
    console.assert_accessible("board")

    page.evaluate("window.notReloaded = true")
    title = f"appears live {time.monotonic_ns()}"
    started = time.monotonic()
    created = client.post("/api/v1/tasks", json={"title": title, "priority": 8})
    assert created.status_code == 201, created.text
    card = page.locator(".column[data-status=pending] .card", has_text=title)
    expect(card).to_be_visible(timeout=BOARD_DEADLINE_MS)
    print(f"task on the board {1000 * (time.monotonic() - started):.0f} ms after the POST")
    assert page.evaluate("window.notReloaded") is True

    card.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.locator("dl.fields")).to_contain_text("nobody")  # not claimed
    console.assert_accessible("task")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    assert not [c for c in context.cookies() if c["name"] == "tm_session"]
    assert context.request.get(f"{console.base_url}/api/v1/me").status == 401
    console.assert_accessible("logged out")


def test_the_board_filters_by_project_and_assignee(
    console: ConsolePage, client: httpx.Client, developer: dict[str, str]
) -> None:
    project = make_project(client)
    for title, assignee in (("mine", "ada"), ("theirs", "bob")):
        body = {"title": f"{title} {project}", "project_id": project, "assigned_to": assignee}
        assert client.post("/api/v1/tasks", json=body).status_code == 201
    console.log_in(developer["username"])
    page = console.page
    page.get_by_label("Project").select_option(project)
    page.get_by_label("Assignee").fill("ada")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".card", has_text=f"mine {project}")).to_be_visible()
    expect(page.locator(".card")).to_have_count(1)


def test_the_graph_highlights_the_critical_path(
    console: ConsolePage, client: httpx.Client, developer: dict[str, str]
) -> None:
    project = make_project(client)
    ids = {}
    for name, hours in (("design", 5), ("build", 8), ("docs", 1), ("ship", 2)):
        body = {"title": name, "project_id": project, "estimated_hours": hours}
        ids[name] = client.post("/api/v1/tasks", json=body).json()["data"]["id"]
    for task, prerequisite in (("build", "design"), ("ship", "build"), ("ship", "docs")):
        edge = {"depends_on_task_id": ids[prerequisite]}
        added = client.post(f"/api/v1/tasks/{ids[task]}/dependencies", json=edge)
        assert added.status_code == 201, added.text
    path = client.get(f"/api/v1/projects/{project}/critical-path").json()["data"]["tasks"]
    assert {t["title"] for t in path} == {"design", "build", "ship"}
    console.log_in(developer["username"])
    console.goto(f"/graph/{project}")
    graph = console.page.locator("svg#graph")
    expect(graph).to_be_visible()
    expect(graph.locator(".node")).to_have_count(4)
    expect(graph.locator(".edge")).to_have_count(3)
    critical = graph.locator(".node.critical")
    expect(critical).to_have_count(3)
    on_path = {critical.nth(i).get_attribute("data-task-id") for i in range(3)}
    assert on_path == {ids["design"], ids["build"], ids["ship"]}
    expect(graph.locator(".edge.critical")).to_have_count(2)
    console.assert_accessible("graph")


def test_a_new_key_is_shown_once_and_works(
    console: ConsolePage, client: httpx.Client, developer: dict[str, str]
) -> None:
    console.log_in(developer["username"])
    page = console.page
    page.get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading", name="API keys", level=1)).to_be_visible()
    console.assert_accessible("keys")
    page.get_by_label("Name").fill("ci runner")
    page.get_by_role("button", name="Create key").click()
    shown = page.locator("#new-key-value")
    expect(shown).to_be_visible()
    key = shown.inner_text()
    assert key.startswith("ctm_")
    works = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {key}"})
    assert works.status_code == 200, works.text
    row = page.get_by_role("row").filter(has_text="ci runner")
    expect(row).to_contain_text("active")
    console.assert_accessible("key created")
    page.reload()  # shown once: never again
    expect(page.get_by_role("row").filter(has_text="ci runner")).to_be_visible()
    assert key not in page.content()
    page.get_by_role("button", name="Revoke ci runner").click()
    expect(page.get_by_role("row").filter(has_text="ci runner")).to_contain_text("revoked")
    refused = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 401, refused.text


def test_a_cloudflare_access_user_comes_in_signed_in(
    context: BrowserContext,
    sso_origin: tuple[OriginProcess, str],  # noqa: F811
) -> None:
    """Behind Access every request carries its assertion (and the browser its CF_Authorization
    cookie): no login page, and writes still work, with the CSRF token /me gave the page."""
    origin, url = sso_origin
    user = make_user(url, "developer")
    context.set_extra_http_headers({"Cf-Access-Jwt-Assertion": access_token(user["email"])})
    context.add_cookies([{"name": "CF_Authorization", "value": "x", "url": origin.url}])
    console = ConsolePage(context, origin.url)
    console.goto("/keys")
    page = console.page
    expect(page.get_by_role("heading", name="API keys", level=1)).to_be_visible()
    expect(page.get_by_text(f"Signed in as {user['username']}")).to_be_visible()
    page.get_by_label("Name").fill("from access")
    page.get_by_role("button", name="Create key").click()
    expect(page.locator("#new-key-value")).to_contain_text("ctm_")
    console.assert_accessible("keys via Access")
