"""``DATABASE_READ_URL`` on a real streaming standby (``pg_basebackup -R`` of a primary of this
module's own), behind two workers: reads come from the standby (``X-Read-Source``, from the
server's own ``in_hot_standby``), a caller always reads its own writes, a lagging standby and a
stopped one send reads to the primary without a failed request, and key look-ups never read the
standby."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import psycopg
import pytest
from taskmaster.devdb import LocalPostgres, free_port

from tests.conftest import OriginProcess, dbmate, issue_key, start_origin
from tests.integration.operations import prometheus

DB = "replicated"
MAX_LAG_MS = 300


@dataclass
class Stack:
    primary: LocalPostgres
    standby: LocalPostgres
    origin: OriginProcess

    def client(self, key: str) -> httpx.Client:
        return httpx.Client(base_url=self.origin.url, timeout=15, headers={"X-API-Key": key})

    def key(self, scopes: tuple[str, ...] = ("admin",)) -> tuple[str, str]:
        return issue_key(self.primary.url(DB), scopes)

    def on_standby(self, statement: str) -> object:
        with psycopg.connect(self.standby.url(DB), autocommit=True) as conn:
            row = conn.execute(statement).fetchone()  # type: ignore[arg-type]
        return row[0] if row else None


def _wait(check: object, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("replication")
    primary = LocalPostgres(root / "primary", free_port())
    primary.start()
    standby = None
    origin = None
    try:
        with psycopg.connect(primary.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DB}")
        dbmate(primary.url(DB), "--no-dump-schema", "up")
        standby = primary.create_standby(root / "standby", free_port())
        standby.start()
        with psycopg.connect(primary.url(), autocommit=True) as conn:
            _wait(lambda: conn.execute("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").fetchone()[0] == 1)  # type: ignore[index]  # fmt: skip
        origin = start_origin(
            primary.url(DB), root / "origin.log", workers=2,
            DATABASE_READ_URL=standby.url(DB), REPLICA_MAX_LAG_MS=str(MAX_LAG_MS),
            REPLICA_POLL_INTERVAL_MS="100", DATABASE_CONNECT_TIMEOUT_S="1", LOG_REQUESTS="false",
        )  # fmt: skip
        yield Stack(primary, standby, origin)
    finally:
        if origin is not None:
            origin.stop()
        if standby is not None:
            standby.destroy()
        primary.destroy()


def test_reads_are_served_by_the_standby(stack: Stack) -> None:
    _, key = stack.key()
    assert stack.on_standby("SELECT pg_is_in_recovery()") is True
    with stack.client(key) as http:
        for _ in range(10):  # both workers
            response = http.get("/api/v1/tasks")
            assert response.status_code == 200
            assert response.headers["x-read-source"] == "standby"
        strong = http.get("/api/v1/tasks", headers={"Consistency": "strong"})
        assert strong.headers["x-read-source"] == "primary"
        health = http.get("/health/detailed").json()
        assert health["status"] == "ok"
        assert health["replica"]["standby"] is True
        assert health["replica"]["lag_ms"] <= MAX_LAG_MS
        families = prometheus.parse(http.get("/metrics").text)
        assert prometheus.value(families, "taskmaster_replica_up") == 1
        assert prometheus.value(families, "taskmaster_replica_lag_seconds") >= 0
        served = prometheus.value(
            families, "taskmaster_db_queries_total", pool="replica", outcome="ok"
        )
        assert served >= 10


def test_a_caller_reads_its_own_writes_200_times_under_load(stack: Stack) -> None:
    _, key = stack.key()
    _, loader_key = stack.key()
    stop = threading.Event()

    def load() -> int:
        """Other callers write and read meanwhile: WAL keeps flowing to the standby."""
        done = 0
        with stack.client(loader_key) as http:
            while not stop.is_set():
                assert http.post("/api/v1/tasks", json={"title": "load"}).status_code == 201
                assert http.get("/api/v1/tasks", params={"limit": 20}).status_code == 200
                done += 1
        return done

    def pairs(n: int) -> list[str]:
        sources = []
        with stack.client(key) as http:
            for _ in range(n):
                title = f"ryw-{uuid.uuid4().hex}"
                created = http.post("/api/v1/tasks", json={"title": title})
                assert created.status_code == 201, created.text
                task_id = created.json()["data"]["id"]
                read = http.get(f"/api/v1/tasks/{task_id}")
                assert read.status_code == 200, f"stale read: {read.status_code} {read.text}"
                assert read.json()["data"]["title"] == title
                sources.append(read.headers["x-read-source"])
        return sources

    with ThreadPoolExecutor(6) as pool:
        loaders = [pool.submit(load) for _ in range(2)]
        sources = [s for batch in pool.map(pairs, [50] * 4) for s in batch]
        stop.set()
        assert sum(f.result() for f in loaders) > 0
    assert len(sources) == 200
    print(f"read-your-writes: {sources.count('standby')} of 200 reads from the standby")
    # Once the standby has replayed the caller's writes, its reads go back to the standby.
    with stack.client(key) as http:
        _wait(lambda: http.get("/api/v1/tasks").headers["x-read-source"] == "standby", 10)


def test_a_lagging_standby_serves_no_reads_and_never_answers_for_keys(stack: Stack) -> None:
    revoked_id, revoked = stack.key()
    _, key = stack.key()
    with stack.client(key) as http:
        _wait(lambda: http.get("/api/v1/tasks").headers["x-read-source"] == "standby")
        stack.on_standby("SELECT pg_wal_replay_pause()")
        try:
            with psycopg.connect(stack.primary.url(DB), autocommit=True) as conn:
                conn.execute("UPDATE api_keys SET revoked_at = now() WHERE id = %s", (revoked_id,))
            # The standby still has the key active; authentication reads the primary only.
            with stack.client(revoked) as refused:
                assert refused.get("/api/v1/tasks").status_code == 401
            time.sleep(MAX_LAG_MS / 1000 + 0.3)
            # Nothing was written with `key`: only the lag keeps its reads off the standby.
            _wait(lambda: http.get("/api/v1/tasks").headers["x-read-source"] == "primary", 10)
            health = http.get("/health/detailed").json()
            assert health["replica"]["replay_paused"] is True
            assert health["replica"]["lag_ms"] > MAX_LAG_MS
            families = prometheus.parse(http.get("/metrics").text)
            assert prometheus.value(families, "taskmaster_replica_lag_seconds") > MAX_LAG_MS / 1000
            assert prometheus.value(families, "taskmaster_replica_replay_paused") == 1
        finally:
            stack.on_standby("SELECT pg_wal_replay_resume()")
        _wait(lambda: http.get("/api/v1/tasks").headers["x-read-source"] == "standby", 10)


def test_a_stopped_standby_costs_no_failed_request(stack: Stack) -> None:
    _, key = stack.key()
    stop = threading.Event()

    def read() -> tuple[list[int], set[str]]:
        statuses, sources = [], set()
        with stack.client(key) as http:
            while not stop.is_set():
                response = http.get("/api/v1/tasks", params={"limit": 5})
                statuses.append(response.status_code)
                sources.add(response.headers.get("x-read-source", ""))
        return statuses, sources

    with ThreadPoolExecutor(4) as pool:
        readers = [pool.submit(read) for _ in range(4)]
        time.sleep(1)
        stack.standby.stop("fast")
        time.sleep(2)
        stop.set()
        results = [r.result() for r in readers]
    statuses = [s for batch, _ in results for s in batch]
    assert statuses and set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
    assert {"standby", "primary"} <= set().union(*(sources for _, sources in results))
    with stack.client(key) as http:
        health = http.get("/health/detailed").json()
        assert health["status"] == "degraded"
        assert health["replica"]["status"] == "down"
    stack.standby.start()  # back for whoever comes next
