"""Edge tests: the Worker's pure modules are importable as `tm_edge` from edge/src;
`runner_factory` starts local edge runners (stopped at the end of the session)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EDGE_SRC = ROOT / "edge" / "src"
if str(EDGE_SRC) not in sys.path:
    sys.path.insert(0, str(EDGE_SRC))

from .runner import Runner, start_runner  # noqa: E402


@pytest.fixture(scope="session")
def runner_factory() -> Iterator[Callable[..., Runner]]:
    started: list[Runner] = []

    def make(origin_url: str, **env: str) -> Runner:
        runner = start_runner(origin_url, **env)
        started.append(runner)
        return runner

    yield make
    for runner in started:
        runner.stop()
