"""The buffered per-request log line: same shape as every other JSON line, written in batches."""

from __future__ import annotations

import asyncio
import io
import json

from taskmaster.observability.logs import REQUEST_LOG_FLUSH_S, REQUEST_LOG_MAX_LINES, RequestLog

ROUTE = "/api/v1/tasks/{task_id}"


def _write(log: RequestLog, n: int = 1) -> None:
    for index in range(n):
        log.write(f"req-{index:08d}", "key-1", "GET", ROUTE, f"/api/v1/tasks/{index}", 200, 0.00125)


async def test_json_lines_are_written_within_the_flush_interval() -> None:
    stream = io.StringIO()
    log = RequestLog("json", stream)
    _write(log, 3)
    assert stream.getvalue() == ""  # buffered, not one write per request
    await asyncio.sleep(REQUEST_LOG_FLUSH_S + 0.1)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["request_id"] for line in lines] == [
        "req-00000000",
        "req-00000001",
        "req-00000002",
    ]
    first = lines[0]
    assert list(first)[:4] == ["ts", "level", "logger", "message"]
    assert (first["level"], first["logger"], first["message"]) == (
        "info",
        "taskmaster.request",
        "request",
    )
    assert first["ts"].endswith("+00:00") and first["duration_ms"] == 1.25
    assert (first["key_id"], first["route"], first["status"]) == ("key-1", ROUTE, 200)


async def test_a_full_buffer_is_written_at_once_and_shutdown_writes_the_rest() -> None:
    stream = io.StringIO()
    log = RequestLog("json", stream)
    _write(log, REQUEST_LOG_MAX_LINES + 1)
    assert len(stream.getvalue().splitlines()) == REQUEST_LOG_MAX_LINES
    log.flush()
    assert len(stream.getvalue().splitlines()) == REQUEST_LOG_MAX_LINES + 1


async def test_text_format() -> None:
    stream = io.StringIO()
    log = RequestLog("text", stream)
    _write(log)
    log.flush()
    line = stream.getvalue()
    assert " INFO taskmaster.request request request_id=req-00000000 key_id=key-1 " in line
    assert line.endswith(f"route={ROUTE} path=/api/v1/tasks/0 status=200 duration_ms=1.25\n")


def test_timestamps_match_datetime_across_seconds() -> None:
    from datetime import UTC, datetime

    from taskmaster.observability.logs import _Timestamps

    ts = _Timestamps()
    start = 1_764_620_000.0
    for step in range(0, 3_000_000, 9_973):  # three seconds, in uneven steps of ~10 ms
        at = start + step / 1_000_000
        assert ts(at) == datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")
