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
# A flush holds the event loop while it formats its lines, so it stays small: every 0.1 s, or at
# once past 256 lines (about 0.3 ms of CPU). At 0.25 s / 1,000 lines, a flush of ~600 lines held
# every request in flight for ~2 ms four times a second (docs/benchmarks.md, "Tail latency").
REQUEST_LOG_FLUSH_S = 0.1
REQUEST_LOG_MAX_LINES = 256


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


class _Timestamps:
    """``datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")``, with the part up
    to the second built once per second: the datetime costs more than the rest of a line."""

    __slots__ = ("_prefix", "_second")

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(self, at: float) -> str:
        second, micros = divmod(round(at * 1_000_000), 1_000_000)
        if second != self._second:
            self._second = second
            self._prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._prefix}.{micros // 1000:03d}+00:00"


class RequestLog:
    """One line per request on ``stream`` (stderr), JSON or text as ``LOG_FORMAT`` says, buffered:
    written within :data:`REQUEST_LOG_FLUSH_S`, or at once past :data:`REQUEST_LOG_MAX_LINES`;
    :meth:`flush` at shutdown writes the rest."""

    def __init__(self, fmt: str = "json", stream: TextIO | None = None) -> None:
        self._json = fmt == "json"
        self._stream = stream or sys.stderr
        self._pending: list[_Pending] = []
        self._timer: asyncio.TimerHandle | None = None
        self._ts = _Timestamps()

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
        self._stream.write(self._json_lines(pending) if self._json else self._text_lines(pending))
        self._stream.flush()

    def _json_lines(self, pending: list[_Pending]) -> str:
        ts = self._ts
        lines = [
            RequestLine(
                ts(at), "info", REQUEST_LOGGER, "request", *request, round(seconds * 1000, 3)
            )
            for at, *request, seconds in pending
        ]
        return _encoder.encode_lines(lines).decode()  # one C call for the batch

    def _text_lines(self, pending: list[_Pending]) -> str:
        ts = self._ts
        return "".join(
            f"{ts(at)} INFO {REQUEST_LOGGER} request request_id={request_id} key_id={key_id} "
            f"method={method} route={route} path={path} status={status} "
            f"duration_ms={round(duration_s * 1000, 3)}\n"
            for at, request_id, key_id, method, route, path, status, duration_s in pending
        )
