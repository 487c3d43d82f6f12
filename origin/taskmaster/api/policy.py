"""A route's policy, declared once where the route is: on its controller or handler (``opt=``).

Everything a layer needs to know about a route beside its handler lives in one :class:`Policy`:
which scope it needs (reads vs writes), whether it is public or only for the edge's own signed
calls, how long the edge may reuse a GET, whether its reads may come from the replica, and
whether it takes the large body limit. Authentication, cache headers, replica routing and body
limits read it from the matched handler (``scope["route_handler"]``); the edge's route table is
generated from it (``taskmaster.api.edge_table`` → ``edge/src/tm_edge/routes.py``).

Declare it with :func:`policy`::

    class ProjectController(Controller):
        path = "/api/v1/projects"
        opt = policy("tasks:read", "tasks:write")

A handler (or controller) without a policy needs ``admin`` for every method: a new route is never
open by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar.handlers import BaseRouteHandler

from taskmaster.auth.scopes import ADMIN, PUBLIC, READ_METHODS

# Clients revalidate every time (max-age=0 + ETag); the edge, a shared cache whose entries are
# keyed by the key's scope fingerprint, may reuse a response for ``edge_ttl`` seconds and purges
# it on writes through the edge (docs/edge-origin-contract.md "Edge cache").
DEFAULT_EDGE_TTL = 10
NO_STORE = "no-store"


@dataclass(frozen=True, slots=True)
class Policy:
    read: str = ADMIN
    """Scope of GET/HEAD (or PUBLIC / EDGE_ONLY)."""
    write: str = ADMIN
    """Scope of every other method (OPTIONS is always public: it only states a path's methods)."""
    edge_ttl: int | None = DEFAULT_EDGE_TTL
    """Seconds a shared cache (the edge) may reuse a GET; None: ``no-store`` (key-owned rows under
    row-level security, or secrets: the scope fingerprint does not separate keys)."""
    replica: bool = True
    """Safe reads may come from the read replica (False: they must see the latest write)."""
    large_body: bool = False
    """Takes ``LOGS_BATCH_MAX_BODY_BYTES`` (the edge's BATCH_MAX_BODY_BYTES) instead of
    ``MAX_BODY_BYTES``."""
    cache_group: str | None = None
    """The edge's purge group (a write purges its group); None: the family of the read scope
    (``tasks:read`` → ``tasks``), or the path's first segment after ``/api/v1``."""
    cache_control: str = field(init=False)
    """The ``Cache-Control`` of its responses (computed once: it is sent on every read)."""

    def __post_init__(self) -> None:
        value = (
            NO_STORE
            if self.edge_ttl is None
            else (f"max-age=0, s-maxage={self.edge_ttl}, must-revalidate")
        )
        object.__setattr__(self, "cache_control", value)

    def scope_for(self, method: str) -> str:
        if method == "OPTIONS":
            return PUBLIC
        return self.read if method in READ_METHODS else self.write

    @property
    def public(self) -> bool:
        return self.read == PUBLIC and self.write == PUBLIC


DEFAULT = Policy()  # a route that declared nothing: admin only


def policy(
    read: str,
    write: str | None = None,
    *,
    edge_ttl: int | None = DEFAULT_EDGE_TTL,
    replica: bool = True,
    large_body: bool = False,
    cache_group: str | None = None,
) -> dict[str, Any]:
    """``opt=`` of a controller or handler: its :class:`Policy` (``write`` defaults to ``read``)."""
    return {
        "policy": Policy(
            read,
            read if write is None else write,
            edge_ttl,
            replica,
            large_body,
            cache_group,
        )
    }


def policy_of(handler: BaseRouteHandler | None) -> Policy:
    """The policy of a matched handler (Litestar merges ``opt`` from app → router → controller →
    handler, the nearest layer winning); :data:`DEFAULT` when it declares none."""
    if handler is None:
        return DEFAULT
    found = handler.opt.get("policy")
    return found if isinstance(found, Policy) else DEFAULT
