"""What the plan tests share: asking PostgreSQL for a plan and walking it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, LiteralString, cast

import psycopg

SORTS = frozenset({"Sort", "Incremental Sort"})


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The plan's nodes, depth first."""
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def explain(conn: psycopg.Connection, options: str, query: str, params: Any = None) -> Any:
    """The top node of ``EXPLAIN (<options>, FORMAT JSON) <query>``."""
    row = conn.execute(cast(LiteralString, f"EXPLAIN ({options}, FORMAT JSON) {query}"), params)
    result = row.fetchone()
    assert result is not None
    return result[0][0]["Plan"]


def generic(query: str) -> str:
    """%(name)s placeholders as $n, for EXPLAIN (GENERIC_PLAN): the plan a prepared statement
    settles on after its first executions (no parameter values known)."""
    numbers: dict[str, int] = {}

    def number(found: re.Match[str]) -> str:
        return f"${numbers.setdefault(found[1], len(numbers) + 1)}"

    return re.sub(r"%\((\w+)\)s", number, query)
