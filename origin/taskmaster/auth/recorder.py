"""Per-key usage and the access log, buffered in memory and written off the request path.

A request only appends to a list; a background task flushes every ``AUTH_FLUSH_INTERVAL_S`` (and
once more at shutdown) with one UPDATE for usage (``last_used_at``, ``last_used_ip``,
``usage_count``) and one INSERT into ``api_access_logs`` (RLS forbids COPY for non-owner roles),
in one transaction sent as one pipeline.
The access rows travel as one JSON document that msgspec encodes in C, because the flush runs on
the event loop: adapting thousands of values one by one in Python would stall every request for
milliseconds each second. Nothing secret is recorded: no header is stored, and query parameters
that look like credentials are redacted (:data:`SECRET_PARAMS`). If the database is down the buffers are kept up
to :data:`MAX_BUFFERED` entries, then the oldest are dropped (and counted).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import parse_qsl, quote

import msgspec
import psycopg

from taskmaster.db.pool import ConnectionPool
from taskmaster.keys.service import QUERIES

logger = logging.getLogger("taskmaster.auth.recorder")

MAX_BUFFERED = 50_000
SECRET_PARAMS = frozenset(
    {"api_key", "apikey", "key", "token", "access_token", "secret", "password", "signature"}
)
REDACTED = "REDACTED"


def redact_query(query_string: bytes) -> str:
    """The query string with credential-like parameter values replaced (and any ``ctm_`` value)."""
    if not query_string:
        return ""
    parts = []
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if name.lower() in SECRET_PARAMS or "ctm_" in value:
            value = REDACTED
        parts.append(f"{quote(name)}={quote(value)}")
    return "&".join(parts)


@lru_cache(maxsize=4096)
def normalized_ip(value: str | None) -> str | None:
    """The address in canonical form, or None when ``value`` is not one (callers repeat a few
    addresses, so the parse is cached)."""
    try:
        return str(ipaddress.ip_address(value or ""))
    except ValueError:
        return None


def storable_text(value: str) -> str:
    """``value`` without NUL characters, which PostgreSQL text cannot hold (a path may carry one)."""
    return value.replace("\x00", "\ufffd") if "\x00" in value else value


class AccessEntry(msgspec.Struct, gc=False):
    """One ``api_access_logs`` row; ``created_at`` is Unix time (converted in SQL)."""

    api_key_id: str | None
    request_id: str | None
    method: str
    path: str
    status_code: int
    duration_ms: int
    client_ip: str | None
    user_agent: str | None
    created_at: float


@dataclass(slots=True)
class Usage:
    count: int
    last_at: float  # Unix time
    last_ip: str | None


_encode_entries = msgspec.json.Encoder().encode


class Recorder:
    def __init__(self, pool: ConnectionPool, interval_s: float = 1.0) -> None:
        self._pool = pool
        self._interval_s = interval_s
        self._usage: dict[str, Usage] = {}
        self._access: list[AccessEntry] = []
        self._task: asyncio.Task[None] | None = None
        self.dropped = 0

    def record_use(self, key_id: str, client_ip: str | None) -> None:
        now = time.time()
        usage = self._usage.get(key_id)
        if usage is None:
            self._usage[key_id] = Usage(1, now, client_ip)
        else:
            usage.count += 1
            usage.last_at = now
            usage.last_ip = client_ip or usage.last_ip

    def record_access(self, entry: AccessEntry) -> None:
        if len(self._access) >= MAX_BUFFERED:
            del self._access[0]
            self.dropped += 1
        self._access.append(entry)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="auth-recorder")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):
            await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            try:
                await self.flush()
            except Exception as exc:
                logger.warning("flushing usage/access logs failed: %s", exc)

    async def flush(self) -> None:
        usage, self._usage = self._usage, {}
        access, self._access = self._access, []
        if not usage and not access:
            return
        try:
            # Pipelined: BEGIN, the statements and COMMIT leave in one round trip (a flush's fixed
            # cost halves, for PostgreSQL and for the loop); a refused one still raises here.
            async with self._pool.connection() as conn, conn.pipeline(), conn.transaction():
                if usage:
                    # Updating other keys' rows needs app.is_admin under RLS (a system write).
                    await conn.execute(
                        QUERIES["set_context"],
                        {"key_id": "", "is_admin": "on", "request_id": ""},
                    )
                    await conn.execute(
                        QUERIES["record_usage"],
                        {
                            "ids": list(usage),
                            "counts": [u.count for u in usage.values()],
                            "ats": [datetime.fromtimestamp(u.last_at, UTC) for u in usage.values()],
                            "ips": [u.last_ip for u in usage.values()],
                        },
                    )
                if access:
                    await conn.execute(
                        QUERIES["insert_access_logs"],
                        {"entries": _encode_entries(access).decode()},
                    )
        except (psycopg.errors.DataError, psycopg.errors.IntegrityError) as exc:
            # A batch the database refuses would be refused forever: drop it, keep serving.
            self.dropped += len(access)
            logger.warning("dropped a usage/access-log batch the database refused: %s", exc)
        except BaseException:
            self._restore(usage, access)
            raise

    def _restore(self, usage: dict[str, Usage], access: list[AccessEntry]) -> None:
        for key_id, old in usage.items():
            new = self._usage.get(key_id)
            if new is None:
                self._usage[key_id] = old
            else:
                new.count += old.count
        self._access[:0] = access
        overflow = len(self._access) - MAX_BUFFERED
        if overflow > 0:
            del self._access[:overflow]
            self.dropped += overflow
