"""Every route declares its policy once, and the layers that read it agree with it."""

from __future__ import annotations

import functools

from litestar import Litestar
from litestar.routes import HTTPRoute
from taskmaster.api.policy import DEFAULT, Policy, policy_of
from taskmaster.app import create_app
from taskmaster.settings import Settings

SETTINGS = Settings.from_env(
    {
        "DATABASE_URL": "postgresql://unused@127.0.0.1:1/x",
        "MAX_BODY_BYTES": "1000",
        "LOGS_BATCH_MAX_BODY_BYTES": "50000",
    }
)


@functools.cache
def app() -> Litestar:
    return create_app(SETTINGS)


def handlers():
    for route in app().routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                if handler.http_methods != {"OPTIONS"}:  # Litestar's own OPTIONS answers
                    yield route.path, handler


def test_every_route_declares_a_policy():
    undeclared = [(path, h.handler_name) for path, h in handlers() if policy_of(h) is DEFAULT]
    assert undeclared == []


def test_the_body_limit_of_a_route_is_the_one_its_policy_names():
    for path, handler in handlers():
        expected = (
            SETTINGS.logs_batch_max_body_bytes
            if policy_of(handler).large_body
            else SETTINGS.max_body_bytes
        )
        assert handler.resolve_request_max_body_size() == expected, path


def test_cache_control_follows_the_edge_ttl():
    assert Policy("tasks:read").cache_control == "max-age=0, s-maxage=10, must-revalidate"
    assert Policy("keys:admin", edge_ttl=None).cache_control == "no-store"
    assert Policy("tasks:read", "tasks:write").scope_for("HEAD") == "tasks:read"
    assert Policy("tasks:read", "tasks:write").scope_for("DELETE") == "tasks:write"
    assert Policy("tasks:read", "tasks:write").scope_for("OPTIONS") == "public"
    assert DEFAULT.scope_for("GET") == "admin"
