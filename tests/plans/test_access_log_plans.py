"""Query plans of the access log's list (``GET /api/v1/access-logs``) over 200,000 rows: a
``?request_id=`` page reads the request_id index (a hash index: equality is all the filter
asks), first page or after a cursor, alone or with other filters; the default page (newest
first) reads the (created_at, id) index in order. In the custom plan psycopg gets first and in
the generic plan a prepared statement settles on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, LiteralString, cast

import psycopg
import pytest
from taskmaster.audit.service import ACCESS_LOGS

from tests.conftest import PgServer
from tests.plans.explain import explain, generic, nodes

ROWS = 200_000
REQUEST_ID_INDEX = "api_access_logs_request_id_idx"
TIME_INDEX = "api_access_logs_created_at_id_idx"

SEED = """
INSERT INTO api_access_logs (api_key_id, request_id, method, path, status_code, duration_ms,
                             client_ip, user_agent, created_at)
SELECT k.id, md5(n::text), 'GET', '/api/v1/tasks/' || n, 200 + (n %% 4) * 100, n %% 50,
       '10.0.0.1', 'plans', timestamptz '2026-11-01' + n * interval '10 ms'
FROM generate_series(1, %(rows)s) AS n
JOIN (SELECT row_number() OVER () - 1 AS slot, gen_random_uuid() AS id
      FROM generate_series(1, 4)) AS k ON k.slot = n %% 4
"""


@pytest.fixture(scope="module")
def planned(pg_server: PgServer, migrated_template: str) -> Iterator[psycopg.Connection]:
    name = pg_server.create_database(template=migrated_template)
    try:
        with psycopg.connect(pg_server.url(name), autocommit=True) as conn:
            conn.execute(cast(LiteralString, SEED), {"rows": ROWS})
            conn.execute("VACUUM ANALYZE api_access_logs")
            yield conn
    finally:
        pg_server.drop_database(name)


def _plans(
    conn: psycopg.Connection, filters: dict[str, Any], after_cursor: bool
) -> list[dict[str, Any]]:
    keys = ACCESS_LOGS.sort(None)  # newest first
    query = ACCESS_LOGS.list_query(tuple(filters), keys, after_cursor)
    params = dict(filters)
    if after_cursor:
        params |= {"cursor_0": "2026-11-01 00:10:00+00", "cursor_1": 60_000}
    custom = explain(conn, "COSTS OFF", query, params)
    generic_plan = explain(conn, "GENERIC_PLAN, COSTS OFF", generic(query), None)
    return [custom, generic_plan]


def _index_names(plan: dict[str, Any]) -> set[str]:
    return {node["Index Name"] for node in nodes(plan) if "Index Name" in node}


def _seq_scans(plan: dict[str, Any]) -> list[str]:
    return [node["Relation Name"] for node in nodes(plan) if node["Node Type"] == "Seq Scan"]


@pytest.mark.parametrize("after_cursor", [False, True])
@pytest.mark.parametrize(
    "filters",
    [
        {"request_id": "3c59dc048e8850243be8079a5c74d079"},  # md5('21')
        {"request_id": "3c59dc048e8850243be8079a5c74d079", "status_gte": 200},
        {"request_id": "3c59dc048e8850243be8079a5c74d079", "method": ["GET"]},
    ],
)
def test_a_request_id_page_reads_the_request_id_index(
    planned: psycopg.Connection, filters: dict[str, Any], after_cursor: bool
) -> None:
    for plan in _plans(planned, filters, after_cursor):
        assert REQUEST_ID_INDEX in _index_names(plan), plan
        assert not _seq_scans(plan), plan


def test_a_request_id_page_finds_its_rows(planned: psycopg.Connection) -> None:
    """Executed: the hash index returns the one matching row and reads a handful of pages."""
    keys = ACCESS_LOGS.sort(None)
    query = ACCESS_LOGS.list_query(("request_id",), keys, False)
    params = {"request_id": "3c59dc048e8850243be8079a5c74d079"}
    plan = explain(planned, "ANALYZE, BUFFERS, TIMING OFF", query, params)
    (scan,) = [n for n in nodes(plan) if n.get("Index Name") == REQUEST_ID_INDEX]
    assert scan["Actual Rows"] == 1, scan
    assert scan["Shared Hit Blocks"] + scan["Shared Read Blocks"] <= 5, scan


@pytest.mark.parametrize("after_cursor", [False, True])
def test_the_newest_first_page_reads_the_time_index_in_order(
    planned: psycopg.Connection, after_cursor: bool
) -> None:
    for plan in _plans(planned, {}, after_cursor):
        kinds = {node["Node Type"] for node in nodes(plan)}
        assert not {"Sort", "Incremental Sort"} & kinds, kinds
        assert TIME_INDEX in _index_names(plan), plan
