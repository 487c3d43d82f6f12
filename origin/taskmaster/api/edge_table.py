"""The edge's route table, generated from the origin's route policies.

The Worker cannot import the origin, so what it must know of each route — the scope a method
needs (or that it is public, or only for the edge's own signed calls), how long it may cache a
GET, its purge group and whether it takes the large body limit — is written out as a Python
module, ``edge/src/tm_edge/route_table.py``, committed beside the Worker's code. Regenerate it
after changing a route or its policy::

    make edge-routes          # python -m taskmaster.api.edge_table

``tests/contract/test_edge_route_table.py`` fails when the committed module differs from what
the origin declares (as the schema dump's drift test does for ``db/schema.sql``).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute

from taskmaster.api.policy import policy_of

TARGET = Path(__file__).resolve().parents[3] / "edge" / "src" / "tm_edge" / "route_table.py"
_PARAMETER = re.compile(r"\{[^}]+\}")
API_PREFIX = "/api/v1/"

HEADER = '''"""GENERATED from the origin's route policies by ``make edge-routes``: do not edit.

One row per route and method: (method, path pattern with ``*`` for a path parameter, the scope it
needs — or "public" / "edge-only" —, seconds the edge may cache a GET or None, purge group,
takes the large body limit). ``tm_edge.routes`` matches requests against it.
"""

ROUTES: tuple[tuple[str, str, str, int | None, str, bool], ...] = (
'''


def _group(path: str, declared: str | None, read_scope: str) -> str:
    if declared:
        return declared
    family, colon, _ = read_scope.partition(":")
    if colon:
        return family
    if path.startswith(API_PREFIX):
        return path[len(API_PREFIX) :].split("/", 1)[0]
    return "root"


def rows(app: Litestar) -> list[tuple[str, str, str, int | None, str, bool]]:
    """Every (route, method) of the app but OPTIONS (always public) and HEAD (as its GET)."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        pattern = _PARAMETER.sub("*", route.path)
        for handler in route.route_handlers:
            policy = policy_of(handler)
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                ttl = (
                    policy.edge_ttl if method == "GET" and pattern.startswith(API_PREFIX) else None
                )
                group = _group(pattern, policy.cache_group, policy.read)
                found.append(
                    (method, pattern, policy.scope_for(method), ttl, group, policy.large_body)
                )
    return sorted(found, key=lambda row: (row[1], row[0]))


def render(table: list[tuple[Any, ...]]) -> str:
    """The module's text, formatted as ruff formats it (double quotes, one row a line)."""
    lines = (
        "    (" + ", ".join(json.dumps(v) if isinstance(v, str) else repr(v) for v in row) + "),\n"
        for row in table
    )
    return HEADER + "".join(lines) + ")\n"


def generated() -> str:
    from taskmaster.app import create_app
    from taskmaster.settings import Settings

    settings = Settings.from_env(
        {"DATABASE_URL": "postgresql://unused@127.0.0.1:1/unused", "TASKMASTER_ENV": "development"}
    )
    return render(rows(create_app(settings)))


def main() -> int:
    TARGET.write_text(generated())
    print(f"wrote {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
