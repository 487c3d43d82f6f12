"""What the edge knows of each origin route: matched against the generated `route_table`.

`route_table.ROUTES` is generated from the origin's route policies (`make edge-routes`); this
module indexes it once per isolate and answers, for a request, the `Route` it matches: the scope
the method needs (`PUBLIC`, `EDGE_ONLY`, or a scope), how long a GET may be cached, its purge group
and whether it takes the large body limit. A (method, path) no route matches needs `admin`
(fail closed), is never cached and belongs to the group "root". HEAD is answered as its GET; OPTIONS is public
(it only states a path's methods).
"""

from __future__ import annotations

from dataclasses import dataclass

from .route_table import ROUTES

ADMIN = "admin"
PUBLIC = "public"
EDGE_ONLY = "edge-only"
AUTHENTICATED = "authenticated"  # any valid credential, whatever its scopes (`/api/v1/me`)


@dataclass(frozen=True, slots=True)
class Route:
    scope: str
    cache_ttl: int | None  # seconds a GET may be cached; None: never stored
    group: str
    large_body: bool

    @property
    def public(self) -> bool:
        return self.scope == PUBLIC

    @property
    def internal(self) -> bool:
        return self.scope == EDGE_ONLY


UNMATCHED = Route(ADMIN, None, "root", False)
OPTIONS = Route(PUBLIC, None, "root", False)


def _index() -> dict[tuple[str, int], list[tuple[tuple[str, ...], Route]]]:
    """(method, segment count) → patterns, literal segments before wildcards (so
    `/api/v1/tasks/next` wins over `/api/v1/tasks/*`)."""
    index: dict[tuple[str, int], list[tuple[tuple[str, ...], Route]]] = {}
    for method, pattern, scope, ttl, group, large in ROUTES:
        segments = tuple(pattern.split("/"))
        index.setdefault((method, len(segments)), []).append(
            (segments, Route(scope, ttl, group, large))
        )
    for candidates in index.values():
        candidates.sort(key=lambda item: [part == "*" for part in item[0]])
    return index


_INDEX = _index()
# First path segments whose routes are all for the edge's own signed calls (`internal`): clients
# get 404 for any path under them, whatever the method.
INTERNAL_ROOTS = frozenset(
    pattern.split("/")[1] for _, pattern, scope, *_ in ROUTES if scope == EDGE_ONLY
) - frozenset(pattern.split("/")[1] for _, pattern, scope, *_ in ROUTES if scope != EDGE_ONLY)


def is_internal(path: str) -> bool:
    return path.split("/", 2)[1] in INTERNAL_ROOTS if path.startswith("/") else False


def match(method: str, path: str) -> Route:
    """The route a request matches (`UNMATCHED` when none does)."""
    method = method.upper()
    if method == "OPTIONS":
        return OPTIONS
    if method == "HEAD":
        method = "GET"
    segments = path.split("/")
    for pattern, route in _INDEX.get((method, len(segments)), ()):
        if all(p == "*" or p == s for p, s in zip(pattern, segments, strict=True)):
            return route
    return UNMATCHED


def scope_for(method: str, path: str) -> str:
    return match(method, path).scope
