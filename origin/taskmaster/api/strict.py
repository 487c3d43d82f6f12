"""Strict decoding of request bodies and query parameters, for every route (one ``before_request``).

Litestar converts a handler's arguments with msgspec in *lax* mode (``strict=False`` is fixed in its
signature model): ``"7"`` becomes 7, a number becomes a date-time (a Unix timestamp), ``"1"``
becomes ``True``. Query strings need some conversion (every value arrives as text), bodies need
none. So, before Litestar's conversion runs:

- the JSON body is decoded *strictly* into the handler's ``data`` type (one typed decode from the
  bytes); a mismatch is a 422 naming the field and the rule. The decoded value is handed on to
  Litestar as the request's parsed JSON, whose lax conversion then passes it through unchanged;
- a NUL character anywhere in the body (PostgreSQL text and JSONB cannot hold one) is a 422 naming
  the field, rather than a driver error without a field;
- each typed query parameter must be written the way its schema says: integers as digits,
  numbers as JSON numbers, booleans as ``true``/``false``, date-times as RFC 3339 text (never a
  bare number); anything else is a 400 naming the parameter.

To make a new type strict in query strings, add it to :func:`_query_kind`.
"""

from __future__ import annotations

import re
import types
from datetime import date, datetime
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec
from litestar import Request
from litestar.enums import ParamType
from litestar.handlers import HTTPRouteHandler
from litestar.params import ParameterKwarg

from taskmaster.api.types import RULES
from taskmaster.errors import FieldError, bad_request, invalid_body

_PATH = re.compile(r" - at `\$(.*)`$")
_NAMED_FIELD = re.compile(r"field `([^`]+)`")
_NUL = b"\\u0000"

_decoders: dict[int, msgspec.json.Decoder[Any] | None] = {}
_query_kinds: dict[int, dict[str, str]] = {}


# ---- bodies ------------------------------------------------------------------------------------


def body_decoder(handler: HTTPRouteHandler) -> msgspec.json.Decoder[Any] | None:
    """A strict decoder for the handler's ``data`` type (None: no body, or a type msgspec cannot
    decode by itself, left to Litestar); built once per handler."""
    key = id(handler)
    if key not in _decoders:
        field = handler.parsed_fn_signature.parameters.get("data")
        decoder = None
        if field is not None:
            try:
                decoder = msgspec.json.Decoder(field.raw, strict=True)
            except TypeError:
                decoder = None
        _decoders[key] = decoder
    return _decoders[key]


def _field_error(message: str, raw: Any) -> FieldError:
    """msgspec's ``Expected … - at `$.a[0].b``` as a field and a readable rule."""
    match = _PATH.search(message)
    path = match.group(1).lstrip(".") if match else ""
    rule = _PATH.sub("", message)
    named = _NAMED_FIELD.search(rule)
    if named and ("missing required" in rule or "unknown field" in rule):
        path = f"{path}.{named.group(1)}" if path else named.group(1)
    for pattern, text in RULES.items():
        if repr(pattern) in rule:  # msgspec quotes the pattern as repr() does
            rule = _text_rule(_value_at(raw, path), text)
    return FieldError(field=path or "body", message=rule)


def _text_rule(value: Any, default: str) -> str:
    if isinstance(value, str):
        bad = next((c for c in value if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F), None)
        if bad is not None and not (bad in "\t\n\r" and "newlines" in default):
            return f"must not contain control characters (found U+{ord(bad):04X})"
        if not value.strip():
            return "must not be blank"
    return f"must be {default}"


def _value_at(raw: Any, path: str) -> Any:
    """The value at a msgspec path such as ``tasks[3].title`` in the untyped body (or None)."""
    value = raw
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        try:
            value = value[int(index)] if index else value[name]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _nul_path(value: Any, path: str = "") -> str | None:
    """The path of the first string (or key) holding NUL in a decoded JSON value."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if "\x00" in key:
                return child
            found = _nul_path(item, child)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


async def check_body(request: Request[Any, Any, Any]) -> None:
    """Decode the body strictly into the handler's ``data`` type (see the module docstring)."""
    decoder = body_decoder(request.route_handler)
    if decoder is None:
        return
    body = await request.body()
    if not body:
        return  # Litestar refuses a missing body itself
    try:
        value = decode_strictly(decoder, body)
    except msgspec.DecodeError:
        return  # not JSON at all: Litestar's own 400
    # Litestar's lax conversion passes an already-typed value through unchanged.
    request._connection_state.json = value


def decode_strictly(decoder: msgspec.json.Decoder[Any], body: bytes) -> Any:
    """A non-empty body as the handler's ``data`` (``body_decoder``); a 422 naming the field
    when it does not match or holds NUL. ``msgspec.DecodeError`` (not JSON) is the caller's."""
    try:
        value = decoder.decode(body)
    except msgspec.ValidationError as exc:
        raw = _untyped(body)
        raise invalid_body([_field_error(str(exc), raw)]) from None
    if _NUL in body:
        path = _nul_path(_untyped(body))
        if path is not None:
            rule = "must not contain NUL (U+0000): the database cannot store it"
            raise invalid_body([FieldError(field=path or "body", message=rule)])
    return value


def _untyped(body: bytes) -> Any:
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None


# ---- query parameters --------------------------------------------------------------------------

_QUERY_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "int": (re.compile(r"-?[0-9]+"), "must be an integer"),
    "number": (
        re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?"),
        "must be a number",
    ),
    "bool": (re.compile(r"true|false"), "must be true or false"),
    "datetime": (
        re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?.*"),
        "must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z",
    ),
    "date": (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), "must be a date such as 2026-01-31"),
}


def _query_kind(annotation: Any) -> str | None:
    """The strictness rule of a query parameter's type: ``int | None``, ``list[int]``,
    ``Annotated[datetime, …]`` … all reduce to their scalar."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _query_kind(get_args(annotation)[0])
    if origin in (Union, types.UnionType, list, tuple, set, frozenset):
        kinds = {_query_kind(arg) for arg in get_args(annotation) if arg is not type(None)}
        kinds.discard(None)
        return kinds.pop() if len(kinds) == 1 else None
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is float:
        return "number"
    if annotation is datetime:
        return "datetime"
    if annotation is date:
        return "date"
    return None


def _kinds(handler: HTTPRouteHandler) -> dict[str, str]:
    key = id(handler)
    kinds = _query_kinds.get(key)
    if kinds is None:
        kinds = {}
        for name, field in handler.parsed_fn_signature.parameters.items():
            kwarg = getattr(field, "kwarg_definition", None)
            if isinstance(kwarg, ParameterKwarg) and kwarg.param_type is not ParamType.QUERY:
                continue  # a header, cookie or path parameter
            kind = _query_kind(field.raw)
            if kind is not None:
                # QueryParameter(name="from") on ``from_``: the query string's own name.
                kinds[getattr(kwarg, "name", None) or name] = kind
        _query_kinds[key] = kinds
    return kinds


def check_query(request: Request[Any, Any, Any]) -> None:
    """Refuse a typed query parameter not written the way its schema says (400)."""
    kinds = _kinds(request.route_handler)
    if not kinds:
        return
    errors = []
    for name, kind in kinds.items():
        pattern, rule = _QUERY_RULES[kind]
        for value in request.query_params.getall(name, []):
            if pattern.fullmatch(value) is None:
                errors.append(FieldError(field=name, message=rule))
                break
    if errors:
        raise bad_request("invalid-parameter", "A request parameter is invalid.", errors)
