"""``OPTIONS`` answers with the exact ``Allow`` list of the path.

Litestar builds one implicit OPTIONS handler per handler group and, when GET and POST share a path
through separate handlers, its ``Allow`` names only one of them. This middleware answers OPTIONS
itself from the merged route table (computed once), so ``Allow`` always matches the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Receive, Scope, Send


def _allow_by_handler(app: Litestar) -> dict[int, bytes]:
    table: dict[int, bytes] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute) and "OPTIONS" in route.route_handler_map:
            handler = route.route_handler_map["OPTIONS"][0]  # type: ignore[index]
            table[id(handler)] = ", ".join(sorted(route.methods)).encode()
    return table


def options_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await app(scope, receive, send)
            return
        litestar_app: Any = scope["app"]
        table = litestar_app.state.get("allow_by_handler")
        if table is None:
            table = litestar_app.state["allow_by_handler"] = _allow_by_handler(litestar_app)
        allow = table.get(id(scope["route_handler"]))  # type: ignore[typeddict-item]
        if allow is None:
            await app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 204, "headers": [(b"allow", allow)]})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    return middleware
