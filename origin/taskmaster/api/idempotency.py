"""``Idempotency-Key`` on POST: the same key and body replay the first response; the same key with
another body is a 422; a key whose first request is still running is a 409. Records expire after
24 hours (``cleanup_old_logs`` removes them).

An ASGI middleware registered on the app, so every POST route gets it without a line of its own.
Keys are scoped per caller (the API key id once authenticated, else ``anonymous``). Only final
answers are stored: a 5xx releases the key so the client can retry.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send
from psycopg.types.json import Jsonb

from taskmaster.db.sql import load_queries
from taskmaster.errors import ApiError, bad_request

QUERIES = load_queries(Path(__file__).with_name("idempotency.sql"))
HEADER = b"idempotency-key"
MAX_KEY_LENGTH = 255
REPLAYED_HEADERS = (b"content-type", b"location", b"etag")


def caller_scope(scope: Scope) -> str:
    """Whose key namespace this is: set by the authentication layer as ``scope["api_key_id"]``, or
    ``scope["user_id"]`` for a person's token (people never share one namespace)."""
    key_id = scope.get("api_key_id")  # type: ignore[call-overload]
    if key_id:
        return str(key_id)
    user_id = scope.get("user_id")  # type: ignore[call-overload]
    return f"user:{user_id}" if user_id else "anonymous"


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks), messages


def idempotency_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await app(scope, receive, send)
            return
        raw_key = _header(scope, HEADER)
        if raw_key is None:
            await app(scope, receive, send)
            return
        key = raw_key.decode("latin-1").strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise bad_request(
                "invalid-idempotency-key", f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} characters."
            )
        body, messages = await _read_body(receive)
        digest = hashlib.sha256()
        for part in (scope["method"].encode(), scope["raw_path"], scope["query_string"], body):
            digest.update(len(part).to_bytes(8, "big") + part)
        params: dict[str, Any] = {
            "scope": caller_scope(scope),
            "key": key,
            "request_hash": digest.hexdigest(),
        }
        pool = scope["app"].state.pool
        async with pool.connection() as conn:
            claimed = await (await conn.execute(QUERIES["claim_key"], params)).fetchone()
            existing = None
            if claimed is None:
                existing = await (await conn.execute(QUERIES["get_key"], params)).fetchone()
        if claimed is None and existing is not None:
            await _replay(existing, params["request_hash"], send)
            return
        await _run_and_store(app, scope, messages, send, pool, params)

    return middleware


async def _replay(existing: tuple[Any, ...], request_hash: str, send: Send) -> None:
    stored_hash, status, body, headers = existing
    if stored_hash != request_hash:
        raise ApiError(
            422,
            "idempotency-key-reused",
            "Unprocessable content",
            "This Idempotency-Key was used with a different request.",
        )
    if status == 0:
        raise ApiError(
            409,
            "idempotency-key-in-progress",
            "Conflict",
            "A request with this Idempotency-Key is still being processed.",
        )
    raw_headers = [(name.encode(), value.encode()) for name, value in headers.items()]
    raw_headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": bytes(body), "more_body": False})


async def _run_and_store(
    app: ASGIApp,
    scope: Scope,
    messages: list[Message],
    send: Send,
    pool: Any,
    params: dict[str, Any],
) -> None:
    """Run the request and record its answer *before* its last byte leaves, so a client that
    retries the moment it has the response finds the record complete (not "in progress")."""
    replay = iter(messages)

    async def receive_again() -> Message:
        return next(replay, {"type": "http.disconnect"})

    status = 500
    headers: dict[str, str] = {}
    chunks: list[bytes] = []
    recorded = False

    async def record() -> None:
        nonlocal recorded
        recorded = True
        async with pool.connection() as conn:
            if status < 500:
                body = b"".join(chunks)
                stored = params | {"status": status, "body": body, "headers": Jsonb(headers)}
                await conn.execute(QUERIES["store_response"], stored)
            else:
                await conn.execute(QUERIES["release_key"], params)

    async def capture(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            for name, value in message.get("headers", []):
                if name.lower() in REPLAYED_HEADERS:
                    headers[name.decode().lower()] = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await record()
        await send(message)

    try:
        await app(scope, receive_again, capture)
    finally:
        if not recorded:  # the app raised before answering: free the key for a retry
            status = 500
            await record()
