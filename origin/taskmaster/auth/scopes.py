"""Which scope a request needs: the one place the rules live (mirrors edge/src/tm_edge/access.py).

Rules match a path prefix (``/api/v1/tasks`` covers ``/api/v1/tasks/…``) or an exact path. Reads
(GET/HEAD/OPTIONS) need the rule's ``read`` scope, everything else its ``write`` scope; ``admin``
holds every scope. A path no rule covers needs ``admin`` (fail closed), so a new route is never open
by accident: to expose a new resource, add its rule here (and its first path segment to the edge's
``RESOURCES``).

Two pseudo-scopes: ``PUBLIC`` (no key needed: liveness, ``OPTIONS``, the API description,
which contains no data, and the webhook receivers, which verify the provider's signature instead)
and ``EDGE_ONLY`` (only a call signed by the edge, e.g. ``/internal/keys/verify``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

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


@dataclass(frozen=True, slots=True)
class Rule:
    path: str
    read: str
    write: str
    exact: bool = False

    def matches(self, path: str) -> bool:
        if self.exact:
            return path == self.path
        return path == self.path or path.startswith(self.path.rstrip("/") + "/")


RULES: tuple[Rule, ...] = (
    Rule("/health", PUBLIC, PUBLIC, exact=True),
    Rule("/health/detailed", "metrics:read", ADMIN, exact=True),
    Rule("/metrics", "metrics:read", ADMIN),
    Rule("/schema", PUBLIC, PUBLIC),
    # Webhook receivers authenticate by the provider's HMAC signature, not an API key.
    Rule("/api/v1/webhooks", PUBLIC, PUBLIC),
    Rule("/internal", EDGE_ONLY, EDGE_ONLY),
    Rule("/api/v1/tasks", "tasks:read", "tasks:write"),
    Rule("/api/v1/projects", "tasks:read", "tasks:write"),
    Rule("/api/v1/workflows", "workflows:read", "workflows:write"),
    Rule("/api/v1/deployments", "deployments:read", "deployments:write"),
    Rule("/api/v1/validations", "tasks:read", "tasks:write"),
    Rule("/api/v1/errors", "tasks:read", "tasks:write"),
    Rule("/api/v1/logs", "logs:read", "logs:write"),
    # Measurements come from the same producers as logs (there is no metrics:write scope).
    Rule("/api/v1/metrics", "metrics:read", "logs:write"),
    Rule("/api/v1/analytics", "metrics:read", ADMIN),  # read-only
    # Pull requests track tasks; agents, integrations and prompt templates drive workflows.
    Rule("/api/v1/pull-requests", "tasks:read", "tasks:write"),
    Rule("/api/v1/agent-configurations", "workflows:read", "workflows:write"),
    Rule("/api/v1/integrations", "workflows:read", "workflows:write"),
    Rule("/api/v1/templates", "workflows:read", "workflows:write"),
    # Audit and access trails and runtime configuration (secrets) are for administrators only.
    Rule("/api/v1/audit-logs", ADMIN, ADMIN),
    Rule("/api/v1/access-logs", ADMIN, ADMIN),
    Rule("/api/v1/configuration", ADMIN, ADMIN),
    # Read-only SQL console (POST, yet it never writes): administrators only.
    Rule("/api/v1/admin", ADMIN, ADMIN),
    # Event subscribers receive every task's data and make the origin POST to any URL.
    Rule("/api/v1/subscriptions", ADMIN, ADMIN),
    Rule("/api/v1/keys", "keys:admin", "keys:admin"),
    # People: login/refresh/logout take credentials in the body (or the bearer token being ended);
    # /me answers any caller about itself; users and roles are administered by admins.
    Rule("/api/v1/auth", PUBLIC, PUBLIC),
    Rule("/api/v1/me", AUTHENTICATED, AUTHENTICATED),
    Rule("/api/v1/users", ADMIN, ADMIN),
    Rule("/api/v1/roles", ADMIN, ADMIN),
)


# Every rule's path has at most this many segments, so a path's rule is decided by its first
# ROOT_SEGMENTS segments alone (``/api/v1/tasks/<id>/…`` → ``/api/v1/tasks``): the scan of RULES
# runs once per (method, root), not once per request (tests/unit/test_keys_and_auth.py holds
# every rule to that bound and compares with a scan of the whole path).
ROOT_SEGMENTS = 3


def required_scope(method: str, path: str) -> str:
    """The scope (or ``PUBLIC`` / ``EDGE_ONLY``) a request needs; ``admin`` when no rule matches.
    ``OPTIONS`` is public: it only states the methods of a path (and CORS preflights carry no key)."""
    if method == "OPTIONS":
        return PUBLIC
    return _scope_of_root(method, "/".join(path.split("/", ROOT_SEGMENTS + 1)[: ROOT_SEGMENTS + 1]))


@lru_cache(maxsize=1024)
def _scope_of_root(method: str, root: str) -> str:
    for rule in RULES:
        if rule.matches(root):
            return rule.read if method.upper() in READ_METHODS else rule.write
    return ADMIN


def has_scope(granted: tuple[str, ...] | list[str] | frozenset[str], needed: str) -> bool:
    return ADMIN in granted or needed in granted
