"""Structured logs: one JSON object per line on stderr, through the standard ``logging`` module.

``configure_logging`` installs the handler on the ``taskmaster`` logger (every logger of the origin
is below it) when the app is built. A record's ``extra={...}`` fields become top-level keys, so a
line reads ``{"ts": …, "level": "info", "logger": "taskmaster.request", "message": "request",
"request_id": …, "key_id": …, "route": …, "status": 200, "duration_ms": 1.2}``. What is logged is
chosen at each call site; no call site logs a header, a key or a query parameter value.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

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
