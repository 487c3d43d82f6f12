"""Logs: one entry, the all-or-nothing COPY batch, and the filtered keyset list."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem, count_rows, list_all, unique
from tests.injection import CORPUS, assert_clean, table_fingerprint

LOGS = "/api/v1/logs"
BATCH = "/api/v1/logs/batch"


def entry(**fields: Any) -> dict[str, Any]:
    return {"level": "info", "message": "hello"} | fields


def test_create_one_entry_and_get_it(client: httpx.Client) -> None:
    task_id = str(uuid.uuid4())
    response = client.post(
        LOGS,
        json=entry(
            level="error", message="boom", source="worker", component="tasks.service",
            correlation_id="req-1", task_id=task_id, context={"attempt": 2},
        ),
    )  # fmt: skip
    assert response.status_code == 201, response.text
    created = response.json()["data"]
    assert isinstance(created["id"], int) and created["level"] == "error"
    assert created["task_id"] == task_id and created["context"] == {"attempt": 2}
    assert created["workflow_id"] is None and created["created_at"]
    assert response.headers["location"] == f"{LOGS}/{created['id']}"
    fetched = client.get(response.headers["location"])
    assert fetched.status_code == 200 and fetched.json()["data"] == created


def test_created_at_may_be_given_with_a_time_zone(client: httpx.Client) -> None:
    response = client.post(LOGS, json=entry(created_at="2020-01-02T03:04:05+00:00"))
    assert response.status_code == 201, response.text
    assert response.json()["data"]["created_at"].startswith("2020-01-02T03:04:05")
    assert_problem(client.post(LOGS, json=entry(created_at="2020-01-02T03:04:05")), 422)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"message": "x"}, id="missing-level"),
        pytest.param(entry(level="trace"), id="bad-level"),
        pytest.param(entry(source="s" * 101), id="long-source"),
        pytest.param(entry(correlation_id="c" * 201), id="long-correlation-id"),
        pytest.param(entry(task_id="not-a-uuid"), id="bad-uuid"),
        pytest.param(entry(context=[1]), id="context-array"),
        pytest.param(entry(extra=1), id="unknown-field"),
        pytest.param(entry(message="nul\x00byte"), id="nul-byte"),
    ],
)
def test_invalid_entry_is_422_and_writes_nothing(
    client: httpx.Client, db: psycopg.Connection, body: dict[str, Any]
) -> None:
    before = count_rows(db, "logs")
    assert_problem(client.post(LOGS, json=body), 422)
    assert count_rows(db, "logs") == before


def test_get_missing_entry_is_404(client: httpx.Client) -> None:
    assert_problem(client.get(f"{LOGS}/999999999999"), 404, "not-found")


def test_batch_of_ten_thousand_is_written_in_one_request(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    correlation = unique("batch-")
    entries = [
        entry(level=("debug", "info", "warn")[i % 3], message=f"line {i}", correlation_id=correlation,
              context={"i": i}, source="bench")
        for i in range(10_000)
    ]  # fmt: skip
    started = time.perf_counter()
    response = client.post(BATCH, json={"entries": entries}, timeout=60)
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.text
    assert response.json()["data"] == {"accepted": 10_000}
    assert count_rows(db, "logs", "correlation_id = %s", correlation) == 10_000
    levels = dict(
        db.execute(
            "SELECT level, count(*) FROM logs WHERE correlation_id = %s GROUP BY level",
            (correlation,),
        ).fetchall()
    )
    assert levels == {"debug": 3334, "info": 3333, "warn": 3333}
    row = db.execute(
        "SELECT message, context FROM logs WHERE correlation_id = %s AND context->>'i' = '9999'",
        (correlation,),
    ).fetchone()
    assert row == ("line 9999", {"i": 9999})
    print(f"\nlogs/batch: 10,000 rows in {elapsed:.3f}s = {10_000 / elapsed:,.0f} rows/s (HTTP)")


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        pytest.param({"level": "loud"}, "level", id="level"),
        pytest.param({"message": None}, "message", id="null-message"),
        pytest.param({"source": "s" * 101}, "source", id="long-source"),
        pytest.param({"context": "x"}, "context", id="context-string"),
        pytest.param({"surprise": True}, "surprise", id="unknown-field"),
        pytest.param({"message": "nul\x00"}, None, id="nul-byte"),
        pytest.param({"context": {"k": "nul\x00"}}, None, id="nul-in-json"),
    ],
)
def test_one_bad_entry_refuses_the_whole_batch_naming_its_index(
    client: httpx.Client, db: psycopg.Connection, bad: dict[str, Any], field: str | None
) -> None:
    correlation = unique("bad-")
    entries = [entry(correlation_id=correlation, message=f"m{i}") for i in range(500)]
    entries[317] = entries[317] | bad
    body = assert_problem(client.post(BATCH, json={"entries": entries}), 422)
    assert "entries[317]" in body["detail"] or any(
        "entries[317]" in error["field"] for error in body.get("errors", [])
    ), body
    if field is not None:
        assert any(field in error["field"] + error["message"] for error in body["errors"]), body
    assert count_rows(db, "logs", "correlation_id = %s", correlation) == 0


def test_batch_limits(client: httpx.Client) -> None:
    assert_problem(client.post(BATCH, json={"entries": []}), 422)
    too_many = {"entries": [entry()] * 10_001}
    assert_problem(client.post(BATCH, json=too_many, timeout=60), 422)
    assert_problem(client.post(BATCH, json=[entry()]), 422)


def test_list_filters_and_keyset_order(client: httpx.Client) -> None:
    correlation = unique("list-")
    task_id, workflow_id = str(uuid.uuid4()), str(uuid.uuid4())
    entries = [
        entry(level="info", correlation_id=correlation, source="edge", component="cache",
              created_at="2024-05-01T10:00:00Z", message="a"),
        entry(level="error", correlation_id=correlation, source="origin", component="tasks",
              task_id=task_id, created_at="2024-05-01T11:00:00Z", message="b"),
        entry(level="warn", correlation_id=correlation, source="origin", component="workflows",
              workflow_id=workflow_id, created_at="2024-05-01T12:00:00Z", message="c"),
        entry(level="error", correlation_id=correlation, source="origin", component="tasks",
              created_at="2024-05-01T13:00:00Z", message="d"),
    ]  # fmt: skip
    assert client.post(BATCH, json={"entries": entries}).status_code == 201

    def messages(**params: Any) -> list[str]:
        items = list_all(client, LOGS, correlation_id=correlation, limit=1, **params)
        return [item["message"] for item in items]

    assert messages() == ["d", "c", "b", "a"]  # newest first
    assert messages(sort="created_at") == ["a", "b", "c", "d"]
    assert messages(level="error") == ["d", "b"]
    assert messages(level=["warn", "info"]) == ["c", "a"]
    assert messages(source="origin", component="tasks") == ["d", "b"]
    assert messages(task_id=task_id) == ["b"]
    assert messages(workflow_id=workflow_id) == ["c"]
    assert messages(**{"from": "2024-05-01T11:00:00Z", "to": "2024-05-01T13:00:00Z"}) == ["c", "b"]


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"severity": "error"}, id="unknown-filter"),
        pytest.param({"level": "trace"}, id="bad-level"),
        pytest.param({"sort": "message"}, id="sort-not-allowed"),
        pytest.param({"from": "yesterday"}, id="bad-time"),
        pytest.param({"task_id": "x"}, id="bad-uuid"),
        pytest.param({"limit": 201}, id="limit-cap"),
        pytest.param({"cursor": "forged.cursor"}, id="forged-cursor"),
    ],
)
def test_list_refuses_bad_parameters(client: httpx.Client, params: dict[str, Any]) -> None:
    assert_problem(client.get(LOGS, params=params), 400)


def test_nul_in_a_query_parameter_is_400(client: httpx.Client) -> None:
    body = assert_problem(client.get(LOGS, params={"source": "a\x00b"}), 400, "invalid-parameter")
    assert "NUL" in body["detail"]


def test_scopes(make_key: Any, origin: Any) -> None:
    _, reader = make_key(["logs:read"])
    _, writer = make_key(["logs:write"])
    _, other = make_key(["tasks:write"])
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        auth = {"Authorization": f"Bearer {reader}"}
        assert http.get(LOGS, headers=auth).status_code == 200
        assert_problem(http.post(LOGS, json=entry(), headers=auth), 403)
        auth = {"Authorization": f"Bearer {writer}"}
        assert http.post(LOGS, json=entry(), headers=auth).status_code == 201
        assert http.post(BATCH, json={"entries": [entry()]}, headers=auth).status_code == 201
        assert_problem(http.get(LOGS, headers=auth), 403)
        assert_problem(http.post(LOGS, json=entry(), headers={"X-API-Key": other}), 403)


def test_injection_corpus_in_every_filter_sort_and_field(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    tables = table_fingerprint(db)
    correlation = unique("inj-")
    for value in CORPUS:
        for name in ("source", "component", "correlation_id", "level", "task_id", "from", "sort",
                     "cursor"):  # fmt: skip
            assert_clean(client.get(LOGS, params={name: value}))
        for name in ("message", "source", "component", "level", "task_id", "created_at"):
            body = entry(correlation_id=correlation) | {name: value}
            assert_clean(client.post(LOGS, json=body))
            assert_clean(client.post(BATCH, json={"entries": [body]}))
        assert_clean(
            client.post(LOGS, json=entry(correlation_id=correlation, context={value: value}))
        )
    assert table_fingerprint(db) == tables
    stored = db.execute(
        "SELECT message FROM logs WHERE correlation_id = %s AND message LIKE '%%DROP%%'",
        (correlation,),
    ).fetchall()
    assert ("'; DROP TABLE tasks; --",) in stored  # stored verbatim, as data
