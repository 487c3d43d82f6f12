"""Access checks on a valid verdict: expiry, endpoint allow-list, client IP/CIDR, scope.

The scope a request needs comes from the origin's route policies, through the generated route
table (`routes.match`): reads (GET/HEAD) need the route's read scope, other methods its write
scope; `admin` is a superset; a (method, path) the origin does not serve needs `admin` (fail
closed). tests/contract/test_edge_route_table.py keeps the table equal to the origin's routes.
"""

from __future__ import annotations

import ipaddress
from fnmatch import fnmatchcase

from . import problems, routes
from .verdicts import Verdict

ADMIN = routes.ADMIN
PUBLIC = routes.PUBLIC
AUTHENTICATED = routes.AUTHENTICATED  # any valid credential (`/api/v1/me`)


def required_scope(method: str, path: str) -> str:
    """The scope a keyed request needs (`PUBLIC` for OPTIONS); `admin` when nothing matches."""
    return routes.scope_for(method, path)


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


def check(
    verdict: Verdict,
    *,
    method: str,
    path: str,
    client_ip: str,
    now: float,
    needed: str | None = None,
) -> None:
    """Raise the Problem for the first failed check; return when the request may proceed.
    `needed` is the route's scope when the caller matched it already."""
    if verdict.expires_at is not None and verdict.expires_at <= now:
        raise problems.expired_api_key()
    if not ip_allowed(client_ip, verdict.allowed_ips):
        raise problems.ip_not_allowed(client_ip)
    if not endpoint_allowed(path, verdict.allowed_endpoints):
        raise problems.endpoint_not_allowed(path)
    needed = needed or required_scope(method, path)
    if needed not in (PUBLIC, AUTHENTICATED) and not has_scope(verdict.scopes, needed):
        raise problems.insufficient_scope(needed)
