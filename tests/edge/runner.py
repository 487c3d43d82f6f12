"""The local edge runner (edge/runner/server.mjs) as a subprocess, for the Pyodide and e2e layers.

Needs `npm ci` in edge/runner and `edge/scripts/vendor.sh` to have run (docs/edge.md); a missing
piece is an error, never a skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from taskmaster.devdb import free_port

from tests.helpers import assert_problem as assert_origin_problem

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "edge" / "runner"
SECRET = "pyodide-layer-test-secret"


def require_runner_deps() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (20+) is required for the Pyodide layer")
    if not (RUNNER / "node_modules" / "pyodide").is_dir():
        pytest.fail("edge runner deps missing: run `npm ci --prefix edge/runner`")
    if not (ROOT / "edge" / "python_modules" / "workers" / "__init__.py").is_file():
        pytest.fail("workers SDK not vendored: run `edge/scripts/vendor.sh`")
    return node


@dataclass
class Runner:
    process: subprocess.Popen
    url: str
    output: list[str] = field(default_factory=list)

    def stop(self) -> None:
        """SIGTERM lets the runner stop its Miniflare (workerd); if it hangs, SIGKILL its whole
        process group so no workerd is left behind."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start_runner(origin_url: str, **env: str) -> Runner:
    node = require_runner_deps()
    port = free_port()
    process = subprocess.Popen(
        [node, str(RUNNER / "server.mjs"), "--port", str(port), "--origin", origin_url],
        cwd=ROOT,
        env={**os.environ, "EDGE_SIGNING_SECRET": SECRET, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the runner and its workerd
    )
    runner = Runner(process, f"http://127.0.0.1:{port}")
    ready = threading.Event()

    def drain() -> None:
        for line in process.stdout:
            runner.output.append(line.rstrip())
            if "edge runner listening" in line:
                ready.set()

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + 120
    while not ready.wait(0.2):
        if process.poll() is not None or time.monotonic() > deadline:
            runner.stop()
            pytest.fail("edge runner did not start:\n" + "\n".join(runner.output))
    return runner


PROBLEM = "application/problem+json"
SECURITY = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def assert_secured(response: httpx.Response) -> None:
    """The edge's security headers, on every response it gives."""
    for name, value in SECURITY.items():
        assert response.headers[name] == value
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert "server" not in response.headers


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    """An edge answer that is exactly our problem+json (same shape as the origin's), secured."""
    body = assert_origin_problem(response, status, code)
    assert response.headers["content-type"] == PROBLEM
    assert body["type"] == f"https://taskmaster.dev/problems/{code}"
    assert_secured(response)
    return body
