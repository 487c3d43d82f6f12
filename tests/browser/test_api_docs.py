"""Issue 15: the API docs at /schema render in a real browser with no internet access.

Debian's Chromium, driven by Playwright, opens the origin's /schema with every request to another
host aborted (as on a machine offline): Redoc must still load from the origin and list the
operations of the document.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Browser, Page, Route

from tests.conftest import OriginProcess

# Redoc's "API docs by Redocly" footer image is hard-wired into the bundle; blocked like the rest,
# it only leaves an empty image, so it is the one outside request tolerated.
DECORATIVE = {"https://cdn.redoc.ly/redoc/logo-mini.svg"}
RENDER_TIMEOUT_MS = 90_000  # the document has ~130 operations; the machine may be loaded


def offline_page(browser: Browser, origin: OriginProcess, elsewhere: list[str]) -> Page:
    """A page that can reach the origin only; every other request is aborted and noted."""
    page = browser.new_page()
    own = urlsplit(origin.url).netloc

    def only_the_origin(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == own or url.startswith("data:"):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    page.route("**/*", only_the_origin)
    return page


def test_the_api_docs_render_offline_and_list_the_operations(
    browser: Browser, origin: OriginProcess
) -> None:
    elsewhere: list[str] = []
    page = offline_page(browser, origin, elsewhere)
    page.goto(f"{origin.url}/schema", wait_until="load")
    # Redoc renders one section per operation, headed by its summary.
    heading = page.locator("h2", has_text="Create a task").first
    heading.wait_for(state="attached", timeout=RENDER_TIMEOUT_MS)
    operations = page.locator("[data-section-id^='operation/']").count()
    documented = len(httpx.get(f"{origin.url}/schema/openapi.json").json()["paths"])
    assert operations >= documented, (operations, documented)
    assert page.locator("h2", has_text="List tasks (keyset-paginated)").count() == 1
    assert set(elsewhere) <= DECORATIVE, f"the docs asked other hosts for {elsewhere}"
    page.close()
