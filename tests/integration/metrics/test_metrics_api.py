"""Metrics: the all-or-nothing batch and the bucket math of the series."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem, count_rows, unique
from tests.injection import CORPUS, assert_clean, table_fingerprint

METRICS = "/api/v1/metrics"
SERIES = "/api/v1/metrics/series"


def metric(name: str, value: float, at: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "value": value, "recorded_at": at} | fields


def test_batch_is_recorded(client: httpx.Client, db: psycopg.Connection) -> None:
    name = unique("m_")
    body = {
        "metrics": [
            metric(name, 1.5, "2024-01-01T00:00:00Z", unit="ms", labels={"route": "/tasks"},
                   category="api"),
            {"name": name, "value": 2},  # recorded now, defaults
        ]
    }  # fmt: skip
    response = client.post(METRICS, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["data"] == {"accepted": 2}
    rows = db.execute(
        "SELECT value, unit, labels, category, aggregation_period FROM system_metrics"
        " WHERE name = %s ORDER BY recorded_at",
        (name,),
    ).fetchall()
    assert rows == [
        (1.5, "ms", {"route": "/tasks"}, "api", "instant"),
        (2.0, None, {}, "performance", "instant"),
    ]


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"name": "9starts-with-digit"}, id="name-pattern"),
        pytest.param({"value": "high"}, id="value-type"),
        pytest.param({"value": 1e200}, id="value-range"),
        pytest.param({"category": "misc"}, id="category"),
        pytest.param({"unit": "u" * 31}, id="long-unit"),
        pytest.param({"labels": [1]}, id="labels-array"),
        pytest.param({"recorded_at": "2024-01-01T00:00:00"}, id="naive-time"),
        pytest.param({"extra": 1}, id="unknown-field"),
        pytest.param({"unit": "nul\x00"}, id="nul-byte"),
    ],
)
def test_one_bad_metric_refuses_the_batch_naming_it(
    client: httpx.Client, db: psycopg.Connection, bad: dict[str, Any]
) -> None:
    name = unique("m_")
    metrics = [metric(name, i, "2024-01-01T00:00:00Z") for i in range(20)]
    metrics[13] = metrics[13] | bad
    body = assert_problem(client.post(METRICS, json={"metrics": metrics}), 422)
    assert "metrics[13]" in body["detail"] + str(body.get("errors")), body
    assert count_rows(db, "system_metrics", "name = %s", name) == 0


def test_series_bucket_math(client: httpx.Client) -> None:
    name = unique("lat_")
    points = [
        ("2024-03-01T10:00:00Z", 10), ("2024-03-01T10:00:59Z", 20), ("2024-03-01T10:01:00Z", 5),
        ("2024-03-01T10:04:30Z", 1), ("2024-03-01T10:05:00Z", 100), ("2024-03-01T10:14:59Z", 3),
        ("2024-03-01T09:59:59Z", 999),  # before the range
        ("2024-03-01T10:15:00Z", 999),  # at "to": excluded
    ]  # fmt: skip
    body = {"metrics": [metric(name, value, at) for at, value in points]}
    assert client.post(METRICS, json=body).status_code == 201
    window = {"name": name, "from": "2024-03-01T10:00:00Z", "to": "2024-03-01T10:15:00Z"}

    minute = client.get(SERIES, params=window | {"bucket": "1m"})
    assert minute.status_code == 200, minute.text
    series = minute.json()["data"]
    assert series["name"] == name and series["bucket"] == "1m"
    assert [(p["bucket_start"][11:19], p["count"], p["sum"]) for p in series["points"]] == [
        ("10:00:00", 2, 30.0), ("10:01:00", 1, 5.0), ("10:04:00", 1, 1.0),
        ("10:05:00", 1, 100.0), ("10:14:00", 1, 3.0),
    ]  # fmt: skip
    first = series["points"][0]
    assert (first["avg"], first["min"], first["max"]) == (15.0, 10.0, 20.0)

    five = client.get(SERIES, params=window | {"bucket": "5m"}).json()["data"]["points"]
    assert [(p["bucket_start"][11:19], p["count"], p["min"], p["max"], p["sum"]) for p in five] == [
        ("10:00:00", 4, 1.0, 20.0, 36.0), ("10:05:00", 1, 100.0, 100.0, 100.0),
        ("10:10:00", 1, 3.0, 3.0, 3.0),
    ]  # fmt: skip
    hour = client.get(SERIES, params=window | {"bucket": "1h"}).json()["data"]["points"]
    assert len(hour) == 1 and hour[0]["count"] == 6 and hour[0]["sum"] == 139.0
    assert hour[0]["avg"] == pytest.approx(139 / 6)
    # bucket defaults to 1m
    assert client.get(SERIES, params=window).json()["data"]["bucket"] == "1m"


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"bucket": "2m"}, id="bucket-not-allowed"),
        pytest.param({"to": "2024-03-01T09:00:00Z"}, id="to-before-from"),
        pytest.param({"from": "2000-01-01T00:00:00Z"}, id="too-many-buckets"),
        pytest.param({"name": "bad name"}, id="name-pattern"),
        pytest.param({"step": "1m"}, id="unknown-parameter"),
    ],
)
def test_series_refuses_bad_parameters(client: httpx.Client, params: dict[str, Any]) -> None:
    window = {"name": "x", "from": "2024-03-01T10:00:00Z", "to": "2024-03-01T10:15:00Z"}
    assert_problem(client.get(SERIES, params=window | params), 400)


def test_series_needs_name_and_range(client: httpx.Client) -> None:
    assert_problem(client.get(SERIES, params={"name": "x"}), 400)


def test_scopes(make_key: Any, origin: Any) -> None:
    _, reader = make_key(["metrics:read"])
    _, writer = make_key(["logs:write"])
    window = {"name": "x", "from": "2024-03-01T10:00:00Z", "to": "2024-03-01T10:15:00Z"}
    body = {"metrics": [{"name": "x", "value": 1}]}
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        assert http.get(SERIES, params=window, headers={"X-API-Key": reader}).status_code == 200
        assert_problem(http.post(METRICS, json=body, headers={"X-API-Key": reader}), 403)
        assert http.post(METRICS, json=body, headers={"X-API-Key": writer}).status_code == 201
        assert_problem(http.get(SERIES, params=window, headers={"X-API-Key": writer}), 403)


def test_injection_corpus(client: httpx.Client, db: psycopg.Connection) -> None:
    tables = table_fingerprint(db)
    window = {"name": "x", "from": "2024-03-01T10:00:00Z", "to": "2024-03-01T10:15:00Z"}
    for value in CORPUS:
        for name in ("name", "from", "to", "bucket"):
            assert_clean(client.get(SERIES, params=window | {name: value}))
        for field in ("name", "category", "unit", "aggregation_period", "recorded_at"):
            body = {"metrics": [{"name": "inj_metric", "value": 1, field: value}]}
            assert_clean(client.post(METRICS, json=body))
        labels = {"metrics": [{"name": "inj_metric", "value": 1, "labels": {value: value}}]}
        assert_clean(client.post(METRICS, json=labels))
    assert table_fingerprint(db) == tables
