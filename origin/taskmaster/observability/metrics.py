"""The origin's metric families (``GET /metrics``), per worker process.

Updated on every request by :func:`taskmaster.front.front_middleware`; pool,
database-error and key-cache figures are read at scrape time from their owners (no mirroring on the
hot path). Names follow Prometheus conventions (``_total`` counters, base units: seconds).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from taskmaster.db.observe import OBSERVER
from taskmaster.observability.registry import Registry


class OriginMetrics:
    def __init__(self) -> None:
        r = self.registry = Registry()
        # Read at scrape time from the latency histogram's counts: one update per request.
        self._requests = r.counter(
            "taskmaster_http_requests_total",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
        )
        self.latency = r.histogram(
            "taskmaster_http_request_duration_seconds",
            "Time from the request's arrival to the last byte of the response, seconds.",
            ("method", "route", "status"),
        )
        self.in_flight = r.gauge(
            "taskmaster_http_requests_in_flight", "Requests being served now by this process."
        )
        self.in_flight.set(0)
        self._pool_connections = r.gauge(
            "taskmaster_db_pool_connections",
            "Connections of a pool by state (in_use, idle).",
            ("pool", "state"),
        )
        self._pool_max = r.gauge(
            "taskmaster_db_pool_max_connections", "Most connections a pool may open.", ("pool",)
        )
        self._pool_waiting = r.gauge(
            "taskmaster_db_pool_waiting", "Requests waiting for a free connection.", ("pool",)
        )
        self._pool_up = r.gauge(
            "taskmaster_db_pool_up",
            "1 while the pool's database is believed reachable (0: reads fall back to the primary).",
            ("pool",),
        )
        self._db_errors = r.counter(
            "taskmaster_db_errors_total",
            "Database errors raised by statements (psycopg class name) or connects.",
            ("class",),
        )
        self._slow = r.counter(
            "taskmaster_db_slow_queries_total", "Statements slower than SLOW_QUERY_MS."
        )
        self._cache_entries = r.gauge(
            "taskmaster_key_cache_entries", "Key verdicts cached by this process."
        )
        self._cache_trusted = r.gauge(
            "taskmaster_key_cache_trusted",
            "1 while the key-change listener is connected and the verdict cache is used.",
        )
        self._cache_lookups = r.counter(
            "taskmaster_key_cache_lookups_total",
            "Key verdict look-ups by result (hit: no database round trip).",
            ("result",),
        )
        info = r.gauge(
            "taskmaster_process_info", "The worker process this scrape was answered by.", ("pid",)
        )
        info.set(1, (str(os.getpid()),))
        self._pools: Sequence[Any] = ()
        self._cache: Any = None
        r.add_collector(self._collect)

    def watch(self, pools: Sequence[Any], key_cache: Any = None) -> None:
        """Report these pools (``ConnectionPool``) and this ``VerdictCache`` at scrape time."""
        self._pools = tuple(pools)
        self._cache = key_cache

    def _collect(self) -> None:
        self._requests.values = {
            labels: float(sum(counts)) for labels, (counts, _) in self.latency.series.items()
        }
        for pool in self._pools:
            stats = pool.stats()
            self._pool_connections.set(stats.in_use, (stats.name, "in_use"))
            self._pool_connections.set(stats.idle, (stats.name, "idle"))
            self._pool_max.set(stats.max_size, (stats.name,))
            self._pool_waiting.set(stats.waiting, (stats.name,))
            self._pool_up.set(1 if pool.available() else 0, (stats.name,))
        self._db_errors.values = {(name,): float(n) for name, n in OBSERVER.errors.items()}
        self._slow.values = {(): float(OBSERVER.slow_queries)}
        cache = self._cache
        if cache is not None:
            self._cache_entries.set(len(cache))
            self._cache_trusted.set(1 if cache.trusted else 0)
            self._cache_lookups.values = {
                ("hit",): float(cache.hits),
                ("miss",): float(cache.misses),
            }

    def render(self) -> str:
        return self.registry.render()
