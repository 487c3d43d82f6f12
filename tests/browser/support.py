"""A console tab for the browser tests: login, axe-core and CSP checks (docs/console.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, expect

from tests.integration.people.support import PASSWORD

AXE = Path(__file__).resolve().parents[2] / "tools/axe/node_modules/axe-core/axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}
BOARD_DEADLINE_MS = 2_000  # the acceptance: on the board within 2 s, no reload
UI_TIMEOUT_MS = 15_000  # anything else may wait for a loaded machine


class ConsolePage:
    """One console tab: its CSP violations are collected as they happen."""

    def __init__(self, context: BrowserContext, base_url: str) -> None:
        # An init script is injected by the browser itself, so the page's CSP (no inline
        # scripts) leaves it alone, as it leaves alone the extensions people run.
        context.add_init_script(path=str(AXE))
        self.page = context.new_page()
        self.page.set_default_timeout(UI_TIMEOUT_MS)
        self.base_url = base_url  # the origin's, or the edge's in front of it
        self.url = f"{base_url}/console"
        self.csp: list[str] = []
        self.page.on("console", self._note)

    def _note(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.csp.append(message.text)

    def goto(self, fragment: str) -> None:
        self.page.goto(f"{self.url}#{fragment}")

    def log_in(self, login: str) -> None:
        self.goto("/login")
        self.page.get_by_label("Username or email").fill(login)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        expect(self.page.get_by_role("heading", name="Board", level=1)).to_be_visible()

    def assert_accessible(self, name: str) -> None:
        result = self.page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        blocking = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in result["violations"]
            if v["impact"] in BLOCKING_IMPACTS
        ]
        assert blocking == [], f"{name}: {blocking}"
        assert self.csp == [], f"{name}: {self.csp}"
