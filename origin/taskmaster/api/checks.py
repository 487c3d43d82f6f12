"""Request checks that apply to every route, run as one ``before_request`` hook.

- Unknown query parameters are a 400 naming them (README.md, "API conventions"), derived from each handler's own
  declared parameters, so a route never lists them twice.
- A body sent to a JSON route must be ``application/json`` (415 otherwise).
- A NUL character (``%00``) in the query string is a 400 (PostgreSQL text cannot hold one).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.enums import ParamType
from litestar.handlers import HTTPRouteHandler

from taskmaster.errors import ApiError, FieldError, bad_request

JSON_MEDIA_TYPES = frozenset({"application/json", "application/merge-patch+json"})
_allowed_cache: dict[int, frozenset[str]] = {}


def allowed_query_names(handler: HTTPRouteHandler) -> frozenset[str]:
    """The query parameter names a handler declares (aliases included); computed once per handler."""
    cached = _allowed_cache.get(id(handler))
    if cached is not None:
        return cached
    names: set[str] = set()
    for name, field in handler.parsed_fn_signature.parameters.items():
        kwarg = getattr(field, "kwarg_definition", None)
        # HeaderParameter/CookieParameter (or the deprecated Parameter(header=…/cookie=…)), whose
        # ``name`` is the header's; a query parameter's ``name`` is its alias (``from``).
        if getattr(kwarg, "param_type", None) in (ParamType.HEADER, ParamType.COOKIE):
            continue
        names.add(getattr(kwarg, "name", None) or name)
    names -= {"request", "data", "state", "scope", "headers"}
    names -= set(handler.resolve_dependencies())  # injected (``db``), never sent
    allowed = frozenset(names)
    _allowed_cache[id(handler)] = allowed
    return allowed


async def check_request(request: Request[Any, Any, Any]) -> None:
    handler = request.route_handler
    if request.scope["query_string"]:
        # PostgreSQL text cannot hold NUL; refuse it here as a bad parameter (400) rather than
        # let the driver refuse it later (which would read as a 422 on a GET).
        if b"%00" in request.scope["query_string"]:
            raise bad_request(
                "invalid-parameter", "Query parameters cannot contain NUL (%00) characters."
            )
        unknown = sorted(set(request.query_params) - allowed_query_names(handler))  # type: ignore[arg-type]
        if unknown:
            raise bad_request(
                "unknown-parameter",
                f"Unknown query parameter(s): {', '.join(unknown)}",
                [
                    FieldError(field=name, message="not accepted by this endpoint")
                    for name in unknown
                ],
            )
    if (
        request.method in ("POST", "PUT", "PATCH")
        and "data" in handler.parsed_fn_signature.parameters
    ):
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type not in JSON_MEDIA_TYPES:
            raise ApiError(
                415,
                "unsupported-media-type",
                "Unsupported media type",
                f"Send the body as application/json (got {media_type or 'no content type'}).",
            )
