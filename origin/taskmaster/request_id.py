"""``X-Request-Id``: accepted from the caller when well-formed, generated otherwise, echoed on every
response (errors included) and stored in the ASGI scope as ``scope["request_id"]`` for logs and bodies.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_WELL_FORMED = re.compile(rb"^[A-Za-z0-9._:-]{8,128}$")


def request_id_from_headers(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == b"x-request-id" and _WELL_FORMED.match(value):
            return value.decode("ascii")
    return uuid.uuid4().hex


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = request_id_from_headers(scope["headers"])
        scope["request_id"] = request_id  # type: ignore[typeddict-unknown-key]
        encoded = request_id.encode("ascii")

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                headers.append((b"x-request-id", encoded))
                message["headers"] = headers  # type: ignore[typeddict-item]
            await send(message)

        await app(scope, receive, send_with_request_id)

    return middleware
