"""Structured logs: one JSON object per line on stderr, through the standard ``logging`` module.

``configure_logging`` installs the handler on the ``taskmaster`` logger (every logger of the origin
is below it) when the app is built. A record's ``extra={...}`` fields become top-level keys, so a
line reads ``{"ts": …, "level": "info", "logger": "taskmaster.request", "message": "request",
"request_id": …, "key_id": …, "route": …, "status": 200, "duration_ms": 1.2}``. What is logged is
chosen at each call site; no call site logs a header, a key or a query parameter value.

The per-request line is the exception to "through ``logging``": :class:`RequestLog` encodes it with
msgspec into a buffer flushed every :data:`REQUEST_LOG_FLUSH_S` (and at shutdown), in the same
shape as every other line. Going through ``logging`` (a record, a formatter, a locked write and
flush per request) cost more CPU than the request's own query.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any, TextIO

import msgspec

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_HANDLER_NAME = "taskmaster-structured"
_encoder = msgspec.json.Encoder(enc_hook=str)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in record.__dict__.items():
            if name not in _STANDARD and not name.startswith("_"):
                payload[name] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return _encoder.encode(payload).decode()


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Install (once; a rebuild replaces it) the stderr handler of the ``taskmaster`` loggers."""
    logger = logging.getLogger("taskmaster")
    for handler in list(logger.handlers):
        if handler.get_name() == _HANDLER_NAME:
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False


REQUEST_LOGGER = "taskmaster.request"
REQUEST_LOG_FLUSH_S = 0.25
REQUEST_LOG_MAX_LINES = 1000


class RequestLine(msgspec.Struct):
    """The per-request line: the keys of :class:`JsonFormatter` lines, then the request's."""

    ts: str
    level: str
    logger: str
    message: str
    request_id: str
    key_id: str | None
    method: str
    route: str
    path: str
    status: int
    duration_ms: float


# What a request leaves for its line: (unix time, request id, key id, method, route, path, status,
# duration in seconds). Formatted at flush time, in one batch, off each request's own path.
_Pending = tuple[float, str, str | None, str, str, str, int, float]


class RequestLog:
    """One line per request on ``stream`` (stderr), JSON or text as ``LOG_FORMAT`` says, buffered:
    written within :data:`REQUEST_LOG_FLUSH_S`, or at once past :data:`REQUEST_LOG_MAX_LINES`;
    :meth:`flush` at shutdown writes the rest."""

    def __init__(self, fmt: str = "json", stream: TextIO | None = None) -> None:
        self._json = fmt == "json"
        self._stream = stream or sys.stderr
        self._pending: list[_Pending] = []
        self._timer: asyncio.TimerHandle | None = None

    def write(
        self,
        request_id: str,
        key_id: str | None,
        method: str,
        route: str,
        path: str,
        status: int,
        duration_s: float,
    ) -> None:
        pending = self._pending
        pending.append((time.time(), request_id, key_id, method, route, path, status, duration_s))
        if len(pending) >= REQUEST_LOG_MAX_LINES:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(REQUEST_LOG_FLUSH_S, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        self._stream.write("".join(map(self._format, pending)))
        self._stream.flush()

    def _format(self, entry: _Pending) -> str:
        at, request_id, key_id, method, route, path, status, duration_s = entry
        ts = datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")
        duration_ms = round(duration_s * 1000, 3)
        if self._json:
            fields = RequestLine(
                ts, "info", REQUEST_LOGGER, "request", request_id, key_id, method, route, path,
                status, duration_ms,
            )  # fmt: skip
            return _encoder.encode(fields).decode() + "\n"
        return (
            f"{ts} INFO {REQUEST_LOGGER} request request_id={request_id} key_id={key_id} "
            f"method={method} route={route} path={path} status={status} duration_ms={duration_ms}\n"
        )
