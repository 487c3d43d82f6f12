"""What the edge caches (docs/edge-origin-contract.md "Edge cache")."""

from __future__ import annotations

import pytest
from tm_edge import cache
from tm_edge.ports import EdgeResponse, Headers


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/keys",
        "/api/v1/keys/6f1c0d7e-0000-0000-0000-000000000000",
        "/api/v1/access-logs",
        "/api/v1/access-logs/17",
        "/api/v1/audit-logs",
        "/api/v1/configuration/db.password",
    ],
)
def test_key_owned_and_secret_resources_are_never_eligible(path):
    assert not cache.eligible("GET", path, Headers())


@pytest.mark.parametrize("path", ["/api/v1/tasks", "/api/v1/tasks/1", "/api/v1/projects/x"])
def test_shared_resources_are_eligible(path):
    assert cache.eligible("GET", path, Headers())
    assert not cache.eligible("GET", path, Headers([("cache-control", "no-cache")]))


@pytest.mark.parametrize(
    ("cache_control", "stored"),
    [
        ("max-age=0, s-maxage=10, must-revalidate", True),  # the origin's single resources
        ("private, max-age=0, must-revalidate", False),
        ("no-store", False),
        ("max-age=0", False),
        ("s-maxage=0, max-age=60", False),
    ],
)
def test_the_origins_cache_control_decides_storage(cache_control, stored):
    response = EdgeResponse(
        200, Headers([("cache-control", cache_control), ("etag", 'W/"3"')]), b"{}"
    )
    copy = cache.storable_copy(response, default_ttl=10)
    assert (copy is not None) == stored
    if copy is not None:
        assert copy.headers.get("cache-control") == cache_control
        assert copy.headers.get("etag") == 'W/"3"'
