"""What the origin's Cache-Control allows and what the edge caches agree
(docs/edge-origin-contract.md "Edge cache")."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from taskmaster.api import envelope

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "edge" / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "edge" / "src"))

from tm_edge import cache  # noqa: E402
from tm_edge.ports import EdgeResponse, Headers  # noqa: E402


def test_both_sides_name_the_same_never_shared_resources():
    assert set(cache.NEVER_CACHED_PREFIXES) == set(envelope.NEVER_SHARED_PREFIXES)


@pytest.mark.parametrize(
    ("path", "stored"),
    [
        ("/api/v1/tasks/1", True),
        ("/api/v1/projects/1", True),
        ("/api/v1/keys/1", False),
        ("/api/v1/access-logs/1", False),
        ("/api/v1/configuration/x", False),
    ],
)
def test_the_edge_stores_what_the_origin_marks_shareable(path, stored):
    sent = envelope.cache_control_for(path)
    response = EdgeResponse(200, Headers([("cache-control", sent), ("etag", 'W/"1"')]), b"{}")
    assert (cache.storable_copy(response, default_ttl=0) is not None) == stored
    assert cache.eligible("GET", path, Headers()) == stored
