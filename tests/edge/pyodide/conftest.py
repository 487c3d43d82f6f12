"""Fixtures for the Pyodide layer: the runner serving the real Worker, in front of a test peer
origin (the runner itself lives in tests/edge/runner.py; `runner_factory` in tests/edge/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..runner import SECRET, Runner
from .peer_origin import PeerOrigin


@pytest.fixture(scope="session")
def peer() -> Iterator[PeerOrigin]:
    origin = PeerOrigin(SECRET).start()
    yield origin
    origin.stop()


@pytest.fixture(scope="session")
def edge(peer: PeerOrigin, runner_factory) -> Runner:
    """The runner in front of the session's peer origin (1 s origin timeout for the 504 case)."""
    return runner_factory(peer.url, ORIGIN_TIMEOUT_SECONDS="1", IP_RATE_LIMIT="100000")
