"""The edge's route table (edge/src/tm_edge/route_table.py) is generated from the origin's route
policies and committed; this keeps it from drifting, and checks that the edge answers every
documented operation with the origin's policy (scope, public, internal, cacheable)."""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path

import pytest
from litestar.routes import HTTPRoute
from taskmaster.api import edge_table
from taskmaster.api.policy import policy_of
from taskmaster.app import create_app
from taskmaster.auth.scopes import AUTHENTICATED, EDGE_ONLY, PUBLIC, SCOPES
from taskmaster.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "edge" / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "edge" / "src"))

from tm_edge import cache as edge_cache  # noqa: E402
from tm_edge import pipeline, routes  # noqa: E402
from tm_edge.ports import Headers  # noqa: E402

SAMPLE_ID = "3f2c1b8e-8d4a-4c57-9a43-2b7f0e5d6c1a"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@cache
def app():
    settings = Settings.from_env(
        {"DATABASE_URL": "postgresql://unused@127.0.0.1:1/unused", "TASKMASTER_ENV": "development"}
    )
    return create_app(settings)


def operations():
    """(method, sample path, the origin handler's policy) for every HTTP route of the app (the
    edge forwards no WebSocket: docs/edge.md)."""
    found = []
    for route in app().routes:
        if not isinstance(route, HTTPRoute):
            continue
        path = re.sub(r"\{[^}]+\}", SAMPLE_ID, route.path)
        for handler in route.route_handlers:
            for method in sorted(set(handler.http_methods) & set(METHODS)):
                found.append((method, path, policy_of(handler)))
    return found


def test_the_committed_table_is_what_the_origin_declares():
    committed = edge_table.TARGET.read_text()
    assert committed == edge_table.generated(), "run `make edge-routes` and commit the result"


def test_the_table_covers_the_api():
    assert len(routes.ROUTES) > 100
    assert ("GET", "/api/v1/tasks/*", "tasks:read", 10, "tasks", False) in routes.ROUTES
    assert ("POST", "/api/v1/logs/batch", "logs:write", None, "logs", True) in routes.ROUTES


@pytest.mark.parametrize(("method", "path", "policy"), operations())
def test_the_edge_asks_what_the_origin_asks(method, path, policy):
    needed = policy.scope_for(method)
    if needed == EDGE_ONLY:
        assert pipeline.is_internal(path)  # the edge answers 404: only its own calls get there
        return
    assert not pipeline.is_internal(path)
    route = routes.match(method, path)
    assert route.scope == needed
    assert route.public == (needed == PUBLIC)
    if method == "GET" and path.startswith("/api/v1/"):
        assert edge_cache.eligible(method, path, Headers()) == (policy.edge_ttl is not None)
    assert route.large_body == policy.large_body


def test_both_sides_know_the_same_scopes():
    used = {scope for _, _, scope, *_ in routes.ROUTES} - {PUBLIC, EDGE_ONLY, AUTHENTICATED}
    assert used <= set(SCOPES)
    assert routes.AUTHENTICATED == AUTHENTICATED  # `/api/v1/me`: any valid credential


def test_literal_segments_win_over_parameters_and_unknown_routes_fail_closed():
    assert routes.match("GET", "/api/v1/tasks/next").cache_ttl == 10
    assert routes.match("POST", "/api/v1/tasks/next/claim").scope == "tasks:write"
    assert routes.match("HEAD", f"/api/v1/tasks/{SAMPLE_ID}").scope == "tasks:read"
    assert routes.match("OPTIONS", "/api/v1/keys").scope == PUBLIC
    assert routes.match("GET", "/api/v1/tasks/x/y/z") == routes.UNMATCHED
    assert routes.match("GET", "/api/v1/tasksX").scope == "admin"
    assert pipeline.is_internal("/internal/anything")
    assert not pipeline.is_internal("/internals")
