"""GET /api/v1/stream with Upgrade: websocket, against the real origin (granian with WebSockets):
subscribe, receive, resume by id; refusals are an error message and a 4xxx close."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.conftest import OriginProcess, issue_key
from tests.integration.people.support import make_project
from tests.integration.stream.support import post_task


def _socket(origin: OriginProcess, headers: dict[str, str]) -> ClientConnection:
    return connect(origin.url.replace("http://", "ws://") + "/api/v1/stream",
                   additional_headers=headers, open_timeout=10)  # fmt: skip


def _receive(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    return json.loads(ws.recv(timeout=timeout))


def _events(ws: ClientConnection, count: int, within_s: float = 30) -> list[dict[str, Any]]:
    """The next ``count`` events, heartbeats skipped; fails (rather than waiting on heartbeats
    forever) when they have not all come within ``within_s``."""
    got = []
    deadline = time.monotonic() + within_s
    while len(got) < count:
        assert time.monotonic() < deadline, f"{len(got)} of {count} events in {within_s} s"
        message = _receive(ws)
        if message["event"] != "heartbeat":
            assert message["event"] == "message", message
            got.append(message)
    return got


def _live(ws: ClientConnection) -> None:
    """Wait for the stream's first heartbeat. A stream without a last id starts at the log's
    "now" as the server reads it on the subscribe message, and nothing acknowledges that
    message; the heartbeat comes from the stream once it is subscribed (1 s here)."""
    while _receive(ws)["event"] != "heartbeat":
        pass


def test_subscribe_receive_and_resume_by_id(
    stream_origin: OriginProcess, admin_http: httpx.Client, admin_headers: dict[str, str]
) -> None:
    project = make_project(admin_http)
    with _socket(stream_origin, admin_headers) as ws:
        ws.send(json.dumps({"type": "subscribe", "project_id": [project], "types": "task.*"}))
        _live(ws)
        created = post_task(admin_http, project, title="over a websocket")
        (first,) = _events(ws, 1)
    assert first["data"]["type"] == "task.created" and first["id"] == first["data"]["id"]
    assert first["data"]["resource"] == {"kind": "task", "id": created["id"]}
    missed = [post_task(admin_http, project, title=f"missed {n}")["id"] for n in range(5)]
    with _socket(stream_origin, admin_headers) as ws:
        ws.send(json.dumps({"type": "subscribe", "project_id": [project],
                            "last_event_id": first["id"]}))  # fmt: skip
        replayed = _events(ws, 5)
        live = post_task(admin_http, project, title="live again")["id"]
        (after,) = _events(ws, 1)
    assert [m["data"]["resource"]["id"] for m in replayed] == missed
    assert after["data"]["resource"]["id"] == live and after["id"] > replayed[-1]["id"]


def test_other_projects_stay_out_of_a_websocket(
    stream_origin: OriginProcess, stream_db: str, admin_http: httpx.Client
) -> None:
    mine, theirs = make_project(admin_http), make_project(admin_http)
    _, key = issue_key(stream_db, ["tasks:read"], allowed_projects=[mine])
    with _socket(stream_origin, {"X-API-Key": key}) as ws:
        ws.send(json.dumps({"type": "subscribe", "last_event_id": 0}))
        post_task(admin_http, theirs, title="theirs")
        own = post_task(admin_http, mine, title="mine")["id"]
        (first,) = _events(ws, 1)
    assert first["data"]["resource"]["id"] == own


@pytest.mark.parametrize(
    ("headers", "message", "code"),
    [
        ({}, None, 4401),  # refused on the upgrade's credentials, before any message
        (None, {"type": "subscribe", "types": "bogus"}, 4400),
        (None, {"type": "listen"}, 4400),
        (None, {"type": "subscribe", "unknown": 1}, 4400),
    ],
)
def test_refusals_are_an_error_message_and_a_close_code(
    stream_origin: OriginProcess, admin_headers: dict[str, str],
    headers: dict[str, str] | None, message: dict[str, Any] | None, code: int,
) -> None:  # fmt: skip
    with _socket(stream_origin, admin_headers if headers is None else headers) as ws:
        if message is not None:
            ws.send(json.dumps(message))
        error = _receive(ws)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert error["event"] == "error" and error["data"]["status"] == code - 4000
    assert error["data"]["type"].startswith("/problems/")
    assert closed.value.rcvd is not None and closed.value.rcvd.code == code
