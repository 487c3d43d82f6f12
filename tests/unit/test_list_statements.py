"""List statements (``db/table.py``): the page size is a constant of the statement (so PostgreSQL
can reuse a generic plan), and the tenancy predicate is decided once per request."""

from __future__ import annotations

import pytest
from taskmaster.db.context import EVERY_PROJECT, WriteContext
from taskmaster.db.pool import ConnectionPool
from taskmaster.db.session import Session
from taskmaster.db.table import _sees_every_project
from taskmaster.tasks.service import TASKS

CONTEXT = WriteContext("key", "request")


def test_the_page_size_is_written_into_the_statement_one_row_more() -> None:
    keys = TASKS.sort("-created_at")
    query = TASKS.list_query(("status",), keys, True, 50)
    assert query.endswith("LIMIT 51")
    assert "%(limit)s" not in query and "%(status)s" in query and "%(cursor_0)s" in query
    assert TASKS.list_query(("status",), keys, True, 200).endswith("LIMIT 201")


@pytest.mark.parametrize("limit", [0, 201, "50"])
def test_a_page_size_outside_the_routes_bounds_is_refused(limit: object) -> None:
    with pytest.raises(ValueError, match="page size"):
        TASKS.list_query((), TASKS.sort(None), False, limit)  # type: ignore[arg-type]


def test_the_tenancy_predicate_is_left_out_only_when_asked() -> None:
    keys = TASKS.sort(None)
    assert "tenancy_allows(project_id)" in TASKS.list_query((), keys, False, 50)
    assert "tenancy_allows" not in TASKS.list_query((), keys, False, 50, tenancy=False)


def test_only_a_request_that_sees_every_project_skips_the_predicate() -> None:
    pool = ConnectionPool("postgresql://nowhere/none")
    every = Session(pool, CONTEXT, tenancy=EVERY_PROJECT)
    some = Session(pool, CONTEXT, tenancy="{00000000-0000-0000-0000-000000000001}")
    nothing = Session(pool, CONTEXT)
    assert _sees_every_project(every)
    assert not _sees_every_project(some) and not _sees_every_project(nothing)
    assert not _sees_every_project(pool)  # outside a request the connection's setting is unknown
