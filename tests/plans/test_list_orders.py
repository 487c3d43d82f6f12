"""Every list's documented sorts are read from an index in their order: for each list (each
:class:`Table` a list route serves), each sort field in both directions, page one and a page
after a cursor, the generic plan of the statement the route runs has no sort node. Without such an
index every page sorts the whole list, a cost that grows with the table.

The plans are asked with sorting priced out (``enable_sort``/``enable_incremental_sort`` off), so
the test states what the schema *can* do whatever the tables hold: PostgreSQL still sorts when no
index yields the order. A sub-collection (a list under a parent: a task's subtasks, an
integration's events) must read only its parent's rows (the parent's column in an index
condition; otherwise "no sort" could mean "walks the whole table in order"), and its default order
comes from the index; its other sorts may sort the parent's rows, a cost bounded by the parent
rather than the table (one index per field would tax every write of tables such as ``tasks``).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from typing import Any, LiteralString, cast

import psycopg
import pytest
import taskmaster
from taskmaster.db.table import Table

from tests.conftest import PgServer
from tests.plans.explain import SORTS, generic, nodes


def _list_tables() -> list[Table[Any]]:
    """Every module-level Table of the origin's packages (the lists the routes serve)."""
    found: dict[int, Table[Any]] = {}
    for module in pkgutil.walk_packages(taskmaster.__path__, "taskmaster."):
        if module.name.endswith(("__main__", ".cli", "_cli")):
            continue
        for value in vars(importlib.import_module(module.name)).values():
            if isinstance(value, Table):
                found[id(value)] = value
    return sorted(found.values(), key=lambda table: (table.name, table.scope or ""))


def _cases() -> Iterator[Any]:
    for table in _list_tables():
        for field in table.sort_fields:
            for raw in (field, f"-{field}"):
                for after_cursor in (False, True):
                    label = f"{table.name}[{table.scope or 'all'}]?sort={raw}" + (
                        "&cursor" if after_cursor else ""
                    )
                    yield pytest.param(table, raw, after_cursor, id=label)


def _plan(conn: psycopg.Connection, table: Table[Any], raw: str, after_cursor: bool) -> Any:
    query = generic(table.list_query((), table.sort(raw), after_cursor))
    row = conn.execute(cast(LiteralString, f"EXPLAIN (GENERIC_PLAN, FORMAT JSON) {query}"))
    result = row.fetchone()
    assert result is not None
    return result[0][0]["Plan"]


def _parent_column(table: Table[Any]) -> str:
    found = re.match(r"\s*(\w+)\s*=", table.scope or "")
    assert found, f"scope {table.scope!r} is not '<column> = …'"
    return found[1]


@pytest.fixture(scope="module")
def planner(pg_server: PgServer, migrated_template: str) -> Iterator[psycopg.Connection]:
    name = pg_server.create_database(template=migrated_template)
    try:
        with psycopg.connect(pg_server.url(name), autocommit=True) as conn:
            conn.execute("SET enable_sort = off")
            conn.execute("SET enable_incremental_sort = off")
            yield conn
    finally:
        pg_server.drop_database(name)


def _in_order(table: Table[Any], raw: str) -> bool:
    """Whether the index must yield this order: every sort of a top-level list; a
    sub-collection's default sort (its other sorts may sort the parent's rows)."""
    return table.scope is None or raw.removeprefix("-") == table.default_sort


def test_the_lists_are_found() -> None:
    names = {table.name for table in _list_tables()}
    assert {"tasks", "projects", "audit_logs", "api_access_logs", "task_dependencies"} <= names


@pytest.mark.parametrize(("table", "raw", "after_cursor"), list(_cases()))
def test_every_list_order_is_read_from_an_index(
    planner: psycopg.Connection, table: Table[Any], raw: str, after_cursor: bool
) -> None:
    in_order = _in_order(table, raw)
    planner.execute("SET enable_sort = " + ("off" if in_order else "on"))
    plan = _plan(planner, table, raw, after_cursor)
    kinds = [node["Node Type"] for node in nodes(plan)]
    if in_order:
        assert not SORTS & set(kinds), kinds
    if table.scope is not None:
        column = _parent_column(table)
        conditions = [node.get("Index Cond", "") for node in nodes(plan)]
        assert any(column in condition for condition in conditions), (kinds, conditions)
