"""The web console through the edge: Debian's Chromium → the real Worker on Pyodide (the local
runner) → the real origin. The edge forwards the console's page with its own CSP kept, signs in
the ``tm_session`` cookie like a bearer token, streams the board's events through, and the origin
checks the cookie session's CSRF token on writes it vouches for."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect
from taskmaster.people.settings import DEV_JWT_KEYS

from tests.browser.support import BOARD_DEADLINE_MS, ConsolePage
from tests.conftest import EDGE_SECRET, OriginProcess
from tests.edge.runner import Runner, start_runner
from tests.integration.people.support import make_user


@pytest.fixture(scope="module")
def edge(origin: OriginProcess) -> Iterator[Runner]:
    runner = start_runner(
        origin.url,
        EDGE_SIGNING_SECRET=EDGE_SECRET,
        JWT_SIGNING_KEYS=DEV_JWT_KEYS,  # the origin's (tests run it with the development keys)
        IP_RATE_LIMIT="100000",
    )
    yield runner
    runner.stop()


def test_the_console_works_through_the_edge(
    context: BrowserContext, edge: Runner, client: httpx.Client, origin_db: str
) -> None:
    developer = make_user(origin_db, "developer")
    shell = httpx.get(f"{edge.url}/console")
    assert shell.status_code == 200
    assert "script-src 'self'" in shell.headers["content-security-policy"]  # the page's, kept
    assert "strict-transport-security" in shell.headers  # and the edge's own headers
    console = ConsolePage(context, edge.url)
    console.log_in(developer["username"])
    page = console.page
    expect(page.locator("#live")).to_contain_text("Live")
    console.assert_accessible("board through the edge")

    page.evaluate("window.notReloaded = true")
    title = f"through the edge {time.monotonic_ns()}"
    started = time.monotonic()
    assert client.post("/api/v1/tasks", json={"title": title}).status_code == 201
    card = page.locator(".column[data-status=pending] .card", has_text=title)
    expect(card).to_be_visible(timeout=BOARD_DEADLINE_MS)
    print(f"task on the board through the edge {1000 * (time.monotonic() - started):.0f} ms")
    assert page.evaluate("window.notReloaded") is True

    # A write vouched by the edge for the cookie session (the key page): the CSRF token holds.
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("via the edge")
    page.get_by_role("button", name="Create key").click()
    expect(page.locator("#new-key-value")).to_contain_text("ctm_")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    assert context.request.get(f"{edge.url}/api/v1/me").status == 401
