"""``GET /metrics`` parses as Prometheus text, counts the requests made, reports pools, DB errors
and the key cache; the per-request JSON log line and the slow-query log."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import OriginProcess, issue_key, start_origin
from tests.helpers import assert_problem, unique
from tests.integration.operations import prometheus

ROUTE = "/api/v1/projects"


def scrape(client: httpx.Client) -> dict[str, prometheus.Family]:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return prometheus.parse(response.text)


def test_exposition_parses_and_counts_requests(client: httpx.Client) -> None:
    before = scrape(client)
    labels = {"method": "GET", "route": ROUTE, "status": "200"}
    for _ in range(3):
        assert client.get(ROUTE).status_code == 200
    assert client.get(f"{ROUTE}/{uuid.uuid4()}").status_code == 404
    after = scrape(client)

    counted = prometheus.value(after, "taskmaster_http_requests_total", **labels)
    assert counted - prometheus.value(before, "taskmaster_http_requests_total", **labels) == 3
    missing = {"method": "GET", "route": "/api/v1/projects/{project_id}", "status": "404"}
    assert prometheus.value(after, "taskmaster_http_requests_total", **missing) >= 1

    histogram = "taskmaster_http_request_duration_seconds"
    assert after[histogram].type == "histogram"
    count = prometheus.value(after, f"{histogram}_count", **labels)
    assert count == counted
    assert prometheus.value(after, f"{histogram}_bucket", le="+Inf", **labels) == count
    buckets = [
        v
        for name, lab, v in after[histogram].samples
        if name.endswith("_bucket") and all(lab.get(k) == w for k, w in labels.items())
    ]
    assert buckets == sorted(buckets), "histogram buckets must be cumulative"

    # The scrape being answered is the one request in flight (the tests run one at a time).
    assert prometheus.value(after, "taskmaster_http_requests_in_flight") == 1
    assert after["taskmaster_db_pool_connections"].type == "gauge"
    assert prometheus.value(after, "taskmaster_db_pool_max_connections", pool="primary") == 10
    assert prometheus.value(after, "taskmaster_db_pool_up", pool="primary") == 1
    # One claim statement at a time per worker: the default DATABASE_CLAIM_CONCURRENCY.
    assert prometheus.value(after, "taskmaster_db_claim_slots", pool="primary") == 1
    assert prometheus.value(after, "taskmaster_db_claims_waiting", pool="primary") == 0
    assert prometheus.value(after, "taskmaster_key_cache_lookups_total", result="hit") >= 1


def test_unmatched_paths_share_one_series(client: httpx.Client) -> None:
    client.get(f"/no/such/{uuid.uuid4()}")
    families = scrape(client)
    routes = {lab["route"] for _, lab, _ in families["taskmaster_http_requests_total"].samples}
    assert "unmatched" in routes
    assert not any(route.startswith("/no/such") for route in routes)


def test_database_errors_are_counted_by_class(client: httpx.Client) -> None:
    slug = unique("dup-")
    assert client.post(ROUTE, json={"name": "one", "slug": slug}).status_code == 201
    before = prometheus.value(
        scrape(client), "taskmaster_db_errors_total", **{"class": "UniqueViolation"}
    )
    assert_problem(client.post(ROUTE, json={"name": "two", "slug": slug}), 409)
    after = prometheus.value(
        scrape(client), "taskmaster_db_errors_total", **{"class": "UniqueViolation"}
    )
    assert after - before == 1


def test_metrics_need_the_metrics_read_scope(
    origin: OriginProcess, make_key: Callable[..., tuple[str, str]]
) -> None:
    _, reader = make_key(["metrics:read"])
    _, tasks_only = make_key(["tasks:read"])
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        assert_problem(http.get("/metrics"), 401, "missing-api-key")
        denied = http.get("/metrics", headers={"X-API-Key": tasks_only})
        assert_problem(denied, 403, "insufficient-scope")
        assert http.get("/metrics", headers={"X-API-Key": reader}).status_code == 200


def _json_lines(path: Path) -> list[dict[str, object]]:
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


@pytest.fixture
def slow_origin(fresh_db: str, tmp_path: Path) -> Iterator[tuple[OriginProcess, str, str]]:
    key_id, key = issue_key(fresh_db, ["admin"])
    process = start_origin(fresh_db, tmp_path / "origin.log", SLOW_QUERY_MS="0.0001")
    yield process, key_id, key
    process.stop()


def test_one_json_log_line_per_request_and_slow_queries(
    slow_origin: tuple[OriginProcess, str, str],
) -> None:
    process, key_id, key = slow_origin
    request_id = f"logtest-{uuid.uuid4().hex}"
    with httpx.Client(base_url=process.url, timeout=10) as http:
        response = http.get(
            ROUTE, params={"limit": 5}, headers={"X-API-Key": key, "X-Request-Id": request_id}
        )
        assert response.status_code == 200
    process.stop()  # flushes stderr
    lines = _json_lines(process.log_path)
    requests = [
        line
        for line in lines
        if line.get("logger") == "taskmaster.request" and line.get("request_id") == request_id
    ]
    assert len(requests) == 1, lines
    line = requests[0]
    assert line["key_id"] == key_id
    assert line["route"] == ROUTE
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert isinstance(line["duration_ms"], float)
    slow = [
        line
        for line in lines
        if line.get("logger") == "taskmaster.db.slow" and line.get("request_id") == request_id
    ]
    assert slow, "every statement is slower than 0.0001 ms"
    assert all("statement" in entry and "duration_ms" in entry for entry in slow)
    assert key not in process.log_path.read_text(errors="replace"), "a key reached the logs"
