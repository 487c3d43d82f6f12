"""The scope vocabulary: the scopes a key or role may hold, and two pseudo-scopes.

Which scope a route needs is declared on the route itself (:mod:`taskmaster.api.policy`); reads
(GET/HEAD) need its ``read`` scope, every other method its ``write`` scope; ``admin`` holds every
scope. ``PUBLIC`` needs no key (liveness, the API description, provider-signed webhooks);
``EDGE_ONLY`` is only for a call signed by the edge (``/internal/keys/verify``).
"""

from __future__ import annotations

ADMIN = "admin"
PUBLIC = "public"
EDGE_ONLY = "edge-only"
# Any authenticated caller, whatever its scopes (``GET /api/v1/me``).
AUTHENTICATED = "authenticated"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

SCOPES = (
    "tasks:read",
    "tasks:write",
    "workflows:read",
    "workflows:write",
    "deployments:read",
    "deployments:write",
    "logs:read",
    "logs:write",
    "metrics:read",
    "keys:admin",
    ADMIN,
)
# Scopes whose holders may see and manage every key (RLS: app.is_admin = 'on').
KEY_ADMIN_SCOPES = frozenset({"keys:admin", ADMIN})


def has_scope(granted: tuple[str, ...] | list[str] | frozenset[str], needed: str) -> bool:
    return ADMIN in granted or needed in granted
