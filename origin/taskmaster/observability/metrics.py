"""The origin's metric families (``GET /metrics``), for the whole process group.

Built on ``prometheus_client``. With ``PROMETHEUS_MULTIPROC_DIR`` set (``make serve`` and the tests
set it to a fresh directory before granian starts its workers), every worker writes its values to
memory-mapped files there and whichever worker answers a scrape sums them all
(``MultiProcessCollector``): one scrape accounts for every worker, and counters never go backwards
while the directory lives (a dead worker's counts stay in its files). Without it (one process,
e.g. ``make dev``), the same families are plain in-process values.

Three kinds of figures:

- **hot path** (``taskmaster_http_*``): updated by :func:`taskmaster.front.front_middleware` on
  every request, through cached label children (one dict look-up, then the mmap write);
- **worker state** (pools, key cache, statement counts from ``db/observe.py``, memory): owned
  elsewhere, copied into the shared files by :meth:`OriginMetrics.refresh` once a second and at
  every scrape, never on the hot path; the statement counters of *other* workers are therefore
  up to one second behind, and still monotonic;
- **database facts** (tasks by status, primary up, replica lag, WAL archiver): read at scrape
  time by the answering worker (:mod:`taskmaster.observability.facts`), not per worker.

Names follow Prometheus conventions (``_total`` counters, base units: seconds, bytes).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from taskmaster.db.observe import OBSERVER

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
REFRESH_INTERVAL_S = 1.0
DURATION = "taskmaster_http_request_duration_seconds"
REQUESTS = "taskmaster_http_requests"
# Request latencies in seconds: 1 ms … 10 s.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# `_created` series double the exposition and mean nothing to the alert rules.
prometheus_client.disable_created_metrics()


def multiproc_dir() -> str | None:
    """The shared directory of the process group, when multiprocess mode is on."""
    path = os.environ.get(MULTIPROC_ENV)
    return path if path and os.path.isdir(path) else None


class LabelledHistogram:
    """``observe(value, labels)`` with the label child cached: ``Histogram.labels()`` takes a lock
    and builds a key on every call, which the hot path need not pay."""

    __slots__ = ("_children", "_histogram")

    def __init__(self, histogram: Histogram) -> None:
        self._histogram = histogram
        self._children: dict[tuple[str, ...], Any] = {}

    def observe(self, value: float, labels: tuple[str, ...]) -> None:
        child = self._children.get(labels)
        if child is None:
            child = self._children[labels] = self._histogram.labels(*labels)
        child.observe(value)


class InFlight:
    """Requests in flight in this worker (front.py), copied into the gauge by ``refresh()``."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    def inc(self) -> None:
        self.value += 1

    def dec(self) -> None:
        self.value -= 1


class _Mirror:
    """Copies a monotonic figure owned elsewhere (``{labels: total}``) into a Counter as deltas."""

    def __init__(self, counter: Counter) -> None:
        self._counter = counter
        self._seen: dict[tuple[str, ...], float] = {}

    def sync(self, totals: dict[tuple[str, ...], float]) -> None:
        for labels, total in list(totals.items()):
            delta = total - self._seen.get(labels, 0.0)
            if delta > 0:
                child = self._counter.labels(*labels) if labels else self._counter
                child.inc(delta)
                self._seen[labels] = total


def _resident_bytes() -> float:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return float(int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, IndexError):
        return 0.0


class _Exposition:
    """The scrape's collector: the base families, plus ``taskmaster_http_requests_total`` derived
    from the latency histogram's counts (one update per request, not two), plus the database
    facts the answering worker read for this scrape."""

    def __init__(self, base: Any, metrics: OriginMetrics) -> None:
        self._base = base
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        for family in self._base.collect():
            yield family
            if family.name == DURATION:
                yield _requests_from(family)
        yield from self._metrics.scrape_families()


def _requests_from(histogram: Metric) -> Metric:
    total = Metric(
        REQUESTS, "HTTP requests answered, by method, route template and status.", "counter"
    )
    for sample in histogram.samples:
        if sample.name == f"{DURATION}_count":
            total.add_sample(f"{REQUESTS}_total", sample.labels, sample.value)
    return total


def forget_dead_workers(shared_dir: str) -> None:
    """Drop the live gauges of workers that died without a clean stop (a crash, SIGKILL), so a
    respawned group does not report their last in-flight or pool figures forever. Their counters
    stay: counts never go backwards."""
    for path in Path(shared_dir).glob("gauge_live*_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            mark_process_dead(pid, shared_dir)
        except PermissionError:
            pass  # alive, someone else's


class OriginMetrics:
    def __init__(self) -> None:
        self.shared_dir = multiproc_dir()
        if self.shared_dir:
            forget_dead_workers(self.shared_dir)
        self.scrape_registry = CollectorRegistry(auto_describe=False)
        # In multiprocess mode the metric objects write to files and register nowhere (the
        # collector reads the files); in one process they live in a private registry.
        own = None if self.shared_dir else CollectorRegistry(auto_describe=False)
        base: Any = MultiProcessCollector(None, self.shared_dir) if self.shared_dir else own
        self.scrape_registry.register(_Exposition(base, self))
        self._define(own)
        self._pools: Sequence[Any] = ()
        self._cache: Any = None
        self._facts: list[Metric] = []
        self.started = time.time()
        self._task: asyncio.Task[None] | None = None

    def _define(self, r: CollectorRegistry | None) -> None:
        labels = ("method", "route", "status")
        histogram = Histogram(
            DURATION, "Request arrival to last byte, seconds.", labels, registry=r, buckets=BUCKETS
        )
        self.latency = LabelledHistogram(histogram)
        # Counted in process memory and copied by refresh(): an mmap write costs about a
        # microsecond, and a gauge sampled at the scrape need not pay two per request.
        self.in_flight = InFlight()
        self._in_flight = Gauge(
            "taskmaster_http_requests_in_flight", "Requests being served now.",
            registry=r, multiprocess_mode="livesum",
        )  # fmt: skip
        self._pool_connections = Gauge(
            "taskmaster_db_pool_connections", "Connections of a pool by state (in_use, idle).",
            ("pool", "state"), registry=r, multiprocess_mode="livesum",
        )  # fmt: skip
        self._pool_max = Gauge(
            "taskmaster_db_pool_max_connections", "Most connections the pools may open.",
            ("pool",), registry=r, multiprocess_mode="livesum",
        )  # fmt: skip
        self._pool_waiting = Gauge(
            "taskmaster_db_pool_waiting", "Requests waiting for a free connection.",
            ("pool",), registry=r, multiprocess_mode="livesum",
        )  # fmt: skip
        self._claim_slots = Gauge(
            "taskmaster_db_claim_slots",
            "Claim statements the workers may run at once (DATABASE_CLAIM_CONCURRENCY; 0: no limit).",
            ("pool",), registry=r, multiprocess_mode="livesum",
        )  # fmt: skip
        self._claims_waiting = Gauge(
            "taskmaster_db_claims_waiting", "Claims waiting for a claim slot.",
            ("pool",), registry=r, multiprocess_mode="livesum",
        )  # fmt: skip
        self._pool_up = Gauge(
            "taskmaster_db_pool_up",
            "1 while every worker believes the pool's database reachable.",
            ("pool",), registry=r, multiprocess_mode="livemin",
        )  # fmt: skip
        self._errors = _Mirror(Counter(
            "taskmaster_db_errors", "Database errors by psycopg class, or ConnectionFailure.",
            ("class",), registry=r,
        ))  # fmt: skip
        self._slow = _Mirror(Counter(
            "taskmaster_db_slow_queries", "Statements slower than SLOW_QUERY_MS.", registry=r
        ))  # fmt: skip
        self._queries = _Mirror(Counter(
            "taskmaster_db_queries", "Statements run, by pool and outcome (ok, error).",
            ("pool", "outcome"), registry=r,
        ))  # fmt: skip
        self._query_seconds = _Mirror(Counter(
            "taskmaster_db_query_seconds", "Time spent in statements, seconds, by pool.",
            ("pool",), registry=r,
        ))  # fmt: skip
        self._cache_entries = Gauge(
            "taskmaster_key_cache_entries", "Key verdicts cached (all workers).",
            registry=r, multiprocess_mode="livesum",
        )  # fmt: skip
        self._cache_trusted = Gauge(
            "taskmaster_key_cache_trusted", "1 while every worker's key-change listener is up.",
            registry=r, multiprocess_mode="livemin",
        )  # fmt: skip
        self._cache_lookups = _Mirror(Counter(
            "taskmaster_key_cache_lookups", "Key verdict look-ups by result (hit: no round trip).",
            ("result",), registry=r,
        ))  # fmt: skip
        self._memory = Gauge(
            "taskmaster_process_resident_memory_bytes", "Resident memory of the workers, bytes.",
            registry=r, multiprocess_mode="livesum",
        )  # fmt: skip
        info = Gauge(
            "taskmaster_process_info", "One series per live worker process.", ("pid",),
            registry=r, multiprocess_mode="liveall",
        )  # fmt: skip
        info.labels(str(os.getpid())).set(1)

    def watch(self, pools: Sequence[Any], key_cache: Any = None) -> None:
        """Report these pools (``ConnectionPool``) and this ``VerdictCache``."""
        self._pools = tuple(pools)
        self._cache = key_cache

    def refresh(self) -> None:
        """Copy this worker's state (pools, cache, statement counters, memory) into the metrics."""
        self._in_flight.set(self.in_flight.value)
        for pool in self._pools:
            stats = pool.stats()
            self._pool_connections.labels(stats.name, "in_use").set(stats.in_use)
            self._pool_connections.labels(stats.name, "idle").set(stats.idle)
            self._pool_max.labels(stats.name).set(stats.max_size)
            self._pool_waiting.labels(stats.name).set(stats.waiting)
            self._claim_slots.labels(stats.name).set(pool.claims.limit)
            self._claims_waiting.labels(stats.name).set(pool.claims.waiting)
            self._pool_up.labels(stats.name).set(1 if pool.available() else 0)
        self._errors.sync({(name,): float(n) for name, n in OBSERVER.errors.items()})
        self._slow.sync({(): float(OBSERVER.slow_queries)})
        self._queries.sync({key: float(n) for key, n in OBSERVER.queries.items()})
        self._query_seconds.sync({(pool,): s for pool, s in OBSERVER.query_seconds.items()})
        cache = self._cache
        if cache is not None:
            self._cache_entries.set(len(cache))
            self._cache_trusted.set(1 if cache.trusted else 0)
            self._cache_lookups.sync({("hit",): float(cache.hits), ("miss",): float(cache.misses)})
        self._memory.set(_resident_bytes())

    def start(self) -> None:
        """Refresh this worker's state once a second (the other workers' scrapes read it)."""
        self.refresh()
        self._task = asyncio.get_running_loop().create_task(self._refresh_loop())

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_INTERVAL_S)
            self.refresh()

    async def stop(self) -> None:
        """Last refresh (counters), then drop this worker's live gauges from the shared files."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.refresh()
        if self.shared_dir:
            mark_process_dead(os.getpid(), self.shared_dir)

    def scrape_families(self) -> Iterable[Metric]:
        uptime = Metric("taskmaster_uptime_seconds", "Seconds since this origin started.", "gauge")
        uptime.add_sample("taskmaster_uptime_seconds", {}, time.time() - self.started)
        return [uptime, *self._facts]

    def render(self, facts: Sequence[Metric] = ()) -> bytes:
        """The exposition; ``facts`` are the database families read for this scrape."""
        self.refresh()
        self._facts = list(facts)
        try:
            return generate_latest(self.scrape_registry)
        finally:
            self._facts = []
