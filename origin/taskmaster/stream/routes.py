"""``GET /api/v1/stream``: the event log live, as Server-Sent Events or over a WebSocket.

Both take the same filters and resume the same way (docs/stream.md); the scope is the read
scope of tasks, and only events of the caller's projects arrive (tenancy). The SSE route is an
ordinary HTTP route (authentication, request checks, problem+json errors before the stream
starts); the WebSocket route authenticates the upgrade request with the same stage.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, WebSocket, get, websocket
from litestar.datastructures import State
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromQuery, HeaderParameter, QueryParameter
from litestar.response import Stream
from taskmaster.api.docs import COMMON, problems
from taskmaster.api.policy import policy
from taskmaster.db.session import TENANCY_KEY, Session
from taskmaster.errors import ApiError, FieldError, Problem, problem_type_uri
from taskmaster.stream.hub import EventHub, StreamFilter, parse_types, tenancy_filter
from taskmaster.stream.service import Frame, frames, live_start

Req = Request[Any, Any, Any]
PATH = "/api/v1/stream"
STREAM_POLICY = policy("tasks:read", edge_ttl=None, replica=False)
SUBSCRIBE_TIMEOUT_S = 10.0

LastEventIdHeader = Annotated[
    str | None,
    HeaderParameter(
        name="Last-Event-ID", required=False, max_length=20,
        description="Resume after this event id (what EventSource sends on reconnect)",
    ),
]  # fmt: skip
LastEventIdQuery = Annotated[
    int | None,
    QueryParameter(ge=0, le=2**63 - 1, description="Resume after this event id (the header wins)"),
]
Types = Annotated[
    str | None,
    QueryParameter(max_length=2000, description="Comma-separated: task.created, task.*, *"),
]


def _last_event_id(header: str | None, query: int | None) -> int | None:
    if header is None or not header.strip():
        return query
    value = header.strip()
    if not value.isdigit() or len(value) > 19:
        raise ApiError(
            400,
            "invalid-parameter",
            "Bad request",
            "Last-Event-ID must be an event id (a non-negative integer).",
            errors=[FieldError(field="Last-Event-ID", message="not an event id")],
        )
    return int(value)


def _principal(identity: Any) -> tuple[str, str | None, str | None]:
    """Who the concurrent-stream cap counts (a key, else a user) and what revocation checks."""
    key_id = getattr(identity, "key_id", None)
    user_id = getattr(identity, "user_id", None)
    session_id = getattr(identity, "session_id", None)
    principal = f"key:{key_id}" if key_id else f"user:{user_id or ''}"
    return principal, key_id, session_id


def _filter(
    tenancy: str, project_id: list[UUID] | None, types: str | None, task_id: UUID | None
) -> StreamFilter:
    return StreamFilter(
        tenancy=tenancy_filter(tenancy),
        projects=frozenset(str(p) for p in project_id or ()),
        types=parse_types(types),
        task_id=str(task_id) if task_id else None,
    )


def sse_bytes(batch: list[Frame]) -> bytes:
    out = []
    for frame in batch:
        if frame.event == "heartbeat":
            out.append(": heartbeat\n\n")
            continue
        head = "" if frame.event is None else f"event: {frame.event}\n"
        if frame.id is not None:
            head += f"id: {frame.id}\n"
        out.append(f"{head}data: {frame.data}\n\n")
    return "".join(out).encode()


@get(
    PATH,
    opt=STREAM_POLICY,
    responses=problems(*COMMON, 429),
    summary="The event log live as Server-Sent Events (resumable with Last-Event-ID)",
    media_type="text/event-stream",
)
async def stream_events(
    request: Req,
    state: State,
    project_id: FromQuery[list[UUID] | None] = None,
    types: Types = None,
    task_id: FromQuery[UUID | None] = None,
    last_event_id: LastEventIdQuery = None,
    last_event_id_header: LastEventIdHeader = None,
) -> Stream:
    hub: EventHub = state.stream_hub
    settings = state.settings.stream
    db = Session.of(request)
    after = _last_event_id(last_event_id_header, last_event_id)
    flt = _filter(db.tenancy, project_id, types, task_id)
    live_from = await live_start(db, after)
    await hub.live()  # no await from here to subscribe: the hub must not idle in between
    sub = hub.subscribe(flt, *_principal(request.scope.get("auth")), live_from)

    async def body() -> AsyncIterator[bytes]:
        try:
            yield f"retry: {settings.retry_ms}\n\n".encode()
            async for batch in frames(db, hub, sub, after, settings.heartbeat_s):
                yield sse_bytes(batch)
        finally:
            hub.unsubscribe(sub)

    stream = body()
    # A body the server never starts (the client left first) still gives its slot back.
    weakref.finalize(stream, hub.unsubscribe, sub)
    return Stream(
        stream,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


# ---- WebSocket ----------------------------------------------------------------------------------


class Subscribe(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The client's first message: ``{"type": "subscribe", …filters…, "last_event_id": n}``."""

    type: str
    project_id: list[UUID] | None = None
    types: str | None = None
    task_id: UUID | None = None
    last_event_id: Annotated[int, msgspec.Meta(ge=0)] | None = None


_SUBSCRIBE = msgspec.json.Decoder(Subscribe)


def ws_message(frame: Frame) -> str:
    """``{"event": "message"|control, "id": n|null, "data": {…}}`` (data sent as encoded)."""
    id_ = "null" if frame.id is None else str(frame.id)
    return f'{{"event":"{frame.event or "message"}","id":{id_},"data":{frame.data}}}'


async def _no_body() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _refuse(socket: WebSocket[Any, Any, Any], error: ApiError) -> None:
    """Tell the client why (a problem object) and close with 4000 + the HTTP status."""
    problem = Problem(
        type=problem_type_uri(error.code), title=error.title, status=error.status,
        detail=error.detail, request_id=socket.scope.get("request_id", ""), errors=error.errors,
    )  # fmt: skip
    body = msgspec.json.encode(problem).decode()
    with contextlib.suppress(Exception):
        await socket.send_text(f'{{"event":"error","id":null,"data":{body}}}')
        await socket.close(code=4000 + error.status, reason=error.title[:120])


async def _subscribe(socket: WebSocket[Any, Any, Any]) -> Subscribe:
    try:
        raw = await asyncio.wait_for(socket.receive_text(), SUBSCRIBE_TIMEOUT_S)
        message = _SUBSCRIBE.decode(raw)
    except (TimeoutError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ApiError(
            400, "malformed-body", "Bad request",
            f"The first message must be a subscribe object ({exc or 'timed out'}).",
        ) from exc  # fmt: skip
    if message.type != "subscribe":
        raise ApiError(
            400, "malformed-body", "Bad request", 'The first message needs "type": "subscribe".'
        )
    return message


@websocket(PATH, opt=STREAM_POLICY)
async def stream_socket(socket: WebSocket[Any, Any, Any]) -> None:
    """The same stream over a WebSocket: subscribe, then event messages (docs/stream.md)."""
    state = socket.app.state
    hub: EventHub = state.stream_hub
    settings = state.settings.stream
    # The authentication stage runs on HTTP requests; the upgrade request is one.
    scope: Any = {**socket.scope, "type": "http", "method": "GET"}
    await socket.accept()
    try:
        await state.authenticator.authenticate(scope, _no_body)
        message = await _subscribe(socket)
        db = Session.of_scope(scope, state.pool)
        flt = _filter(scope[TENANCY_KEY], message.project_id, message.types, message.task_id)
        live_from = await live_start(db, message.last_event_id)
        await hub.live()  # no await from here to subscribe
        sub = hub.subscribe(flt, *_principal(scope.get("auth")), live_from)
    except ApiError as error:
        await _refuse(socket, error)
        return

    async def send_all() -> None:
        async for batch in frames(db, hub, sub, message.last_event_id, settings.heartbeat_s):
            for frame in batch:
                await socket.send_text(ws_message(frame))
        await socket.close()

    async def until_closed() -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                await socket.receive_data("text")  # nothing more is expected; wait for close

    sender = asyncio.create_task(send_all())
    watcher = asyncio.create_task(until_closed())
    try:
        await asyncio.wait({sender, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        hub.unsubscribe(sub)
        for task in (sender, watcher):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
