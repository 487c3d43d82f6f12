"""Access checks on a valid verdict: expiry, endpoint allow-list, client IP/CIDR, scope.

Scope needed per request: the resource comes from the first path segment after `/api/v1`
(`RESOURCES`), reads (GET/HEAD) need `<resource>:read`, anything else `<resource>:write`;
`admin` is a superset. To cover a new origin resource, add its first path segment to
`RESOURCES` with the scope family it belongs to (or a fixed scope in `FIXED_SCOPES`); paths outside
`/api/v1` are in `OUTSIDE_API`. Unmapped resources need `admin` (fail closed). `OPTIONS` is public
(it only states a path's methods). tests/contract/test_scope_rules_agree.py holds this table to the
origin's (origin/taskmaster/auth/scopes.py) for every route of its OpenAPI document.
"""

from __future__ import annotations

import ipaddress
from fnmatch import fnmatchcase

from . import problems
from .verdicts import Verdict

API_PREFIX = "/api/v1/"
ADMIN = "admin"
PUBLIC = "public"
AUTHENTICATED = "authenticated"  # any valid credential (`/api/v1/me`)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

RESOURCES = {
    "tasks": "tasks",
    "projects": "tasks",
    "workflows": "workflows",
    "deployments": "deployments",
    "logs": "logs",
    "validations": "tasks",
    "errors": "tasks",
    "pull-requests": "tasks",
    "agent-configurations": "workflows",
    "integrations": "workflows",
    "templates": "workflows",
}
FIXED_SCOPES = {
    "metrics": ("metrics:read", "logs:write"),  # (reads, writes)
    "analytics": ("metrics:read", ADMIN),
    "keys": ("keys:admin", "keys:admin"),
    "audit-logs": (ADMIN, ADMIN),
    "access-logs": (ADMIN, ADMIN),
    "configuration": (ADMIN, ADMIN),
    "admin": (ADMIN, ADMIN),  # read-only SQL console
    "subscriptions": (ADMIN, ADMIN),  # event subscribers (the origin POSTs to their URLs)
    "me": (AUTHENTICATED, AUTHENTICATED),  # the caller about itself
    "users": (ADMIN, ADMIN),
    "roles": (ADMIN, ADMIN),
}

# Outside /api/v1: (path, exact, reads, writes); a non-exact path also covers its sub-paths.
OUTSIDE_API = (
    ("/health/detailed", True, "metrics:read", ADMIN),
    ("/metrics", False, "metrics:read", ADMIN),
)


def resource_of(path: str) -> str | None:
    if not path.startswith(API_PREFIX):
        return None
    first = path[len(API_PREFIX) :].split("/", 1)[0]
    return first or None


def cache_group(path: str) -> str:
    """The purge group a path belongs to: its scope family (tasks and projects share one)."""
    resource = resource_of(path) or ""
    return RESOURCES.get(resource, resource or "root")


def required_scope(method: str, path: str) -> str:
    """The scope a keyed request needs (`PUBLIC` for OPTIONS); `admin` when nothing matches."""
    if method.upper() == "OPTIONS":
        return PUBLIC
    resource = resource_of(path)
    is_read = method.upper() in READ_METHODS
    if resource is None:
        for prefix, exact, reads, writes in OUTSIDE_API:
            if path == prefix or (not exact and path.startswith(prefix + "/")):
                return reads if is_read else writes
        return ADMIN
    if resource in FIXED_SCOPES:
        reads, writes = FIXED_SCOPES[resource]
        return reads if is_read else writes
    family = RESOURCES.get(resource or "")
    if family is None:
        return ADMIN
    return f"{family}:{'read' if is_read else 'write'}"


def has_scope(scopes: list[str], needed: str) -> bool:
    return ADMIN in scopes or needed in scopes


def ip_allowed(client_ip: str, allowed: list[str]) -> bool:
    if not allowed:
        return True
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    for entry in allowed:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def endpoint_allowed(path: str, patterns: list[str]) -> bool:
    """Patterns are shell-style globs on the path without query (`/api/v1/tasks*`)."""
    return not patterns or any(fnmatchcase(path, pattern) for pattern in patterns)


def check(verdict: Verdict, *, method: str, path: str, client_ip: str, now: float) -> None:
    """Raise the Problem for the first failed check; return when the request may proceed."""
    if verdict.expires_at is not None and verdict.expires_at <= now:
        raise problems.expired_api_key()
    if not ip_allowed(client_ip, verdict.allowed_ips):
        raise problems.ip_not_allowed(client_ip)
    if not endpoint_allowed(path, verdict.allowed_endpoints):
        raise problems.endpoint_not_allowed(path)
    needed = required_scope(method, path)
    if needed not in (PUBLIC, AUTHENTICATED) and not has_scope(verdict.scopes, needed):
        raise problems.insufficient_scope(needed)
