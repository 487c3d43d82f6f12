"""The lean path of the hottest read, ``GET /api/v1/tasks/{id}``: the same stages as through
Litestar, without Litestar's per-request machinery.

Through the app, this request pays for the router, its middleware stack (authentication, OPTIONS,
idempotency), a ``Request``, the ``before_request`` checks, handler signature parsing and response
conversion: about a fifth of the request's CPU, origin and database together (docs/benchmarks.md,
"Issue 20"). The front layer (``front.py``) hands this path only the plain form of the request:
``GET``, the canonical ``/api/v1/tasks/<uuid>``, no query string, a valid ``Host``, no body, no
read replica. Anything else (another spelling of the id, a query, a replica to route to) goes through the app
unchanged, so every rule still has one home.

What runs here is the route's own code: the route handler and its policy are Litestar's (looked up
once at start-up), authentication is :meth:`Authenticator.authenticate`, the read is
``TASKS.get_json`` on the request's :class:`Session` (tenancy included), the response
``single_json_of`` (ETag, ``If-None-Match``, Cache-Control), and every error leaves through the
app's one exception handler as ``application/problem+json``. The front layer around it adds the
request id, metrics and the access log as for every request.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from litestar import Litestar, Request
from litestar._asgi.utils import is_valid_host
from litestar.handlers import HTTPRouteHandler
from litestar.types import Receive, Scope, Send

from taskmaster.api.envelope import single_json_of
from taskmaster.db.session import Session
from taskmaster.errors import handle_exception
from taskmaster.tasks.service import TASKS

TASK_ROUTE = "/api/v1/tasks/{task_id:uuid}"
TASK_PATH = re.compile(
    r"/api/v1/tasks/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", re.ASCII
)
# A header that announces a body (or a host Litestar would refuse) sends the request the long way.
_LONG_WAY_HEADERS = frozenset({b"content-length", b"transfer-encoding", b"content-type"})


def route_handler(app: Litestar, path: str, method: str) -> tuple[HTTPRouteHandler, str]:
    """The handler of ``method`` on a route and its template (the metrics label)."""
    for route in app.routes:
        if route.path == path:
            for handler in route.route_handlers:
                if method in handler.http_methods:  # type: ignore[union-attr]
                    return handler, route.path_format  # type: ignore[return-value]
    raise LookupError(f"no {method} route {path}")


def enter_route(
    scope: Scope,
    app: Litestar,
    handler: HTTPRouteHandler,
    template: str,
    path_params: dict[str, Any],
) -> None:
    """Leave in the scope what Litestar's router would (the policy, the metrics label,
    ``request.app``), for a lean path that serves the route without it."""
    scope["app"] = scope["litestar_app"] = app  # type: ignore[typeddict-unknown-key]
    scope.setdefault("state", {})
    scope["route_handler"] = handler
    scope["path_template"] = template  # type: ignore[typeddict-unknown-key]
    scope["path_params"] = path_params


async def answer_error(
    app: Litestar, scope: Scope, receive: Receive, send: Send, exc: Exception
) -> None:
    """Answer a lean path's refusal or failure through the app's one exception handler."""
    request: Request[Any, Any, Any] = Request(scope, receive)
    await handle_exception(request, exc).to_asgi_response(app, request)(scope, receive, send)


class HotTaskRead:
    """``GET /api/v1/tasks/{id}`` without the router; :meth:`match` says whether a request is
    this path's, and the call serves it."""

    def __init__(self, app: Litestar) -> None:
        self._app = app
        self._handler, self._template = route_handler(app, TASK_ROUTE, "GET")
        state = app.state
        self._authenticator = state.authenticator
        self._pool = state.pool
        # A replica means read routing (db/replica.py), which lives in the app's middleware.
        self.enabled = state.replica is None

    def match(self, scope: Scope) -> str | None:
        """The task id of a request this path serves as the app would; None for any other."""
        if scope["method"] != "GET" or scope["query_string"] or scope.get("root_path"):
            return None
        found = TASK_PATH.fullmatch(scope["path"])
        if found is None:
            return None
        for name, value in scope["headers"]:
            if name in _LONG_WAY_HEADERS or (name == b"host" and not is_valid_host(value)):
                return None
        return found.group(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send, task_id: str) -> None:
        resource_id = UUID(task_id)
        enter_route(scope, self._app, self._handler, self._template, {"task_id": resource_id})
        try:
            await self._authenticator.authenticate(scope, receive)
            version, rendered = await TASKS.get_json(
                Session.of_scope(scope, self._pool), resource_id
            )
            response = single_json_of(scope, version, rendered)
        except Exception as exc:  # every refusal and failure: the app's one exception handler
            await answer_error(self._app, scope, receive, send, exc)
            return
        await response.send_to(send)
