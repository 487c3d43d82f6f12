"""The lean path of the hottest write, ``POST /api/v1/tasks/next/claim`` (issue 14): the same stages
as through Litestar, without Litestar's per-request machinery, as ``api/hot.py`` does for
``GET /api/v1/tasks/{id}``.

Through the app, a claim paid about as much origin CPU for the router, the middleware stack, a
``Request``, the ``before_request`` checks, signature parsing, dependency injection and response
conversion as for its one statement (docs/task-graph.md, "Fourth pass"). The front layer
(``front.py``) hands this path only the plain form of the request: ``POST``, exactly
``/api/v1/tasks/next/claim``, no query string, a valid ``Host``, a JSON media type, a
``Content-Length`` between 1 and the route's body limit, no read replica. Anything else (a query
string, another media type, no or a chunked body, a spelling the router normalises) goes through
the app unchanged, so each refusal keeps its one home there.

What runs here is the app's own code, in the app's order: the route handler and its policy are
Litestar's (looked up once at start-up); authentication is the app's first middleware
(:meth:`Authenticator.middleware`, which replays a body the edge's signature needed), then
``Idempotency-Key`` handling (:func:`idempotency_middleware`, the same records and replays); the
body is read by Litestar's ``Request.body`` (its size limit) and decoded strictly into the route's
struct (:func:`~taskmaster.api.strict.decode_strictly`, the app's ``check_body``; a body that is
not JSON raises Litestar's own 400); the claim is ``graph.service.claim_next`` on the request's
:class:`Session` (one statement, ``write_one``), answered as the route answers it
(``written_json_of``); every error leaves through the app's one exception handler. The front
layer around it adds the request id, metrics and the access log as for every request.
"""

from __future__ import annotations

from typing import NoReturn

import msgspec
from litestar import Litestar
from litestar._asgi.utils import is_valid_host
from litestar.exceptions import ClientException, InternalServerException, SerializationException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.serialization import decode_json
from litestar.types import Message, Receive, Scope, Send

from taskmaster.api.checks import JSON_MEDIA_TYPES
from taskmaster.api.envelope import written_json_of
from taskmaster.api.hot import answer_error, enter_route, route_handler
from taskmaster.api.idempotency import idempotency_middleware
from taskmaster.api.strict import body_decoder, decode_strictly
from taskmaster.db.session import Session
from taskmaster.graph import service

CLAIM_ROUTE = "/api/v1/tasks/next/claim"


class HotClaim:
    """``POST /api/v1/tasks/next/claim`` without the router; :meth:`match` says whether a request
    is this path's, and the call serves it."""

    def __init__(self, app: Litestar) -> None:
        self._app = app
        self._handler, self._template = route_handler(app, CLAIM_ROUTE, "POST")
        self._max_body = self._handler.resolve_request_max_body_size() or 0
        decoder = body_decoder(self._handler)
        assert decoder is not None, "the claim route decodes its body with msgspec"
        self._decoder = decoder
        state = app.state
        self._pool = state.pool
        # The app's middleware, in its order (app.py): authentication, then idempotency; OPTIONS
        # never comes here. A replica means read routing and write marks, which live in the app.
        self._stages = state.authenticator.middleware(idempotency_middleware(self._claim))
        self.enabled = state.replica is None

    def match(self, scope: Scope) -> bool:
        """Whether the app would serve this request as this path serves it."""
        if scope["method"] != "POST" or scope["path"] != CLAIM_ROUTE:
            return False
        if scope["query_string"] or scope.get("root_path"):
            return False
        length = media_type = None
        for name, value in scope["headers"]:
            if name == b"content-length" and length is None:
                length = value
            elif name == b"content-type" and media_type is None:
                media_type = value.split(b";", 1)[0].strip().lower().decode("latin-1")
            elif name == b"transfer-encoding" or (name == b"host" and not is_valid_host(value)):
                return False
        if media_type not in JSON_MEDIA_TYPES or length is None or not length.isdigit():
            return False
        return 0 < int(length) <= self._max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        enter_route(scope, self._app, self._handler, self._template, {})
        started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._stages(scope, receive, send_noting_start)
        except Exception as exc:  # every refusal and failure: the app's one exception handler
            if started:  # as Litestar's exception middleware: no second answer can follow
                raise
            await answer_error(self._app, scope, receive, send, exc)

    async def _claim(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The handler's work, below authentication and idempotency; errors raise."""
        body = await self._body(receive)
        try:
            data = decode_strictly(self._decoder, body)
        except msgspec.DecodeError:
            _raise_as_litestar(body)
        version, rendered = await service.claim_next(Session.of_scope(scope, self._pool), data)
        await written_json_of(scope, version, rendered).send_to(send)

    async def _body(self, receive: Receive) -> bytes:
        """The body as Litestar's ``Request.stream`` reads it, with its errors: 413 past the
        route's limit (counted on the bytes received), 500 when the client went away. Without a
        ``Request``, whose construction cost a tenth of the lean claim."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise InternalServerException("client disconnected prematurely")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body:
                raise RequestEntityTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _raise_as_litestar(body: bytes) -> NoReturn:
    """The 400 Litestar answers a body that is not JSON (``HTTPRoute`` wraps ``decode_json``'s
    error as a ``ClientException``)."""
    try:
        decode_json(body)
    except SerializationException as exc:
        raise ClientException(str(exc)) from exc
    raise ClientException("the request body is not JSON")  # msgspec's strict decoder refused it
