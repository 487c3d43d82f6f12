"""What every statement reports: its duration (the slow-query log) and its failures (DB errors by
class, for ``/metrics``). Installed as the pool's ``cursor_factory``, so every ``conn.execute`` and
``conn.cursor()`` of the origin goes through :class:`ObservedCursor` without any call site knowing.

The cost on the hot path is two ``perf_counter`` calls and a comparison per statement. The state is
per process (one event loop per granian worker), like the metrics it feeds.
"""

from __future__ import annotations

import logging
import re
import time
from contextvars import ContextVar
from typing import Any

import psycopg
from psycopg import AsyncCursor

slow_logger = logging.getLogger("taskmaster.db.slow")

# The request being served, for log lines written below the HTTP layer (set by the observe middleware).
CURRENT_REQUEST_ID: ContextVar[str] = ContextVar("taskmaster_request_id", default="")
_SPACE = re.compile(r"\s+")
STATEMENT_LOG_CHARS = 1000


class QueryObserver:
    """Per-process statement statistics: the slow-query threshold and errors by class."""

    def __init__(self, slow_query_ms: float = 500.0) -> None:
        self.slow_query_s = slow_query_ms / 1000
        self.errors: dict[str, int] = {}
        self.slow_queries = 0
        # Statements by (pool, outcome) and seconds by pool, for /metrics (copied once a second).
        self.queries: dict[tuple[str, str], int] = {}
        self.query_seconds: dict[str, float] = {}

    def configure(self, slow_query_ms: float) -> None:
        """``slow_query_ms <= 0`` turns the slow-query log off."""
        self.slow_query_s = slow_query_ms / 1000 if slow_query_ms > 0 else float("inf")

    def record_error(self, error_class: str) -> None:
        self.errors[error_class] = self.errors.get(error_class, 0) + 1

    def finished(self, pool: str, outcome: str, query: Any, elapsed_s: float) -> None:
        """One statement done (``outcome`` "ok" or "error"): counted, timed, logged when slow."""
        if elapsed_s >= self.slow_query_s:
            self.slow(query, elapsed_s)
        # Two dict updates, no lock: one event loop per process.
        key = (pool, outcome)
        queries = self.queries
        queries[key] = queries.get(key, 0) + 1
        seconds = self.query_seconds
        seconds[pool] = seconds.get(pool, 0.0) + elapsed_s

    def slow(self, query: Any, elapsed_s: float) -> None:
        self.slow_queries += 1
        text = query if isinstance(query, str) else _statement_text(query)
        # The statement text only: parameters are never logged (they may hold secrets).
        slow_logger.warning(
            "slow query",
            extra={
                "duration_ms": round(elapsed_s * 1000, 3),
                "threshold_ms": round(self.slow_query_s * 1000, 3),
                "statement": _SPACE.sub(" ", text).strip()[:STATEMENT_LOG_CHARS],
                "request_id": CURRENT_REQUEST_ID.get() or None,
            },
        )


def _statement_text(query: Any) -> str:
    if isinstance(query, bytes):
        return query.decode("utf-8", "replace")
    try:
        return str(query.as_string(None))
    except Exception:
        return repr(query)


OBSERVER = QueryObserver()


class ObservedCursor(AsyncCursor[Any]):
    async def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await super().execute(query, params, **kwargs)
            outcome = "ok"
            return result
        except psycopg.Error as exc:
            OBSERVER.record_error(type(exc).__name__)
            raise
        finally:
            # The pool's name is set on its connections (db/pool.py).
            pool = getattr(self._conn, "pool_name", "other")
            OBSERVER.finished(pool, outcome, query, time.perf_counter() - started)
