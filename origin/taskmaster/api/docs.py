"""OpenAPI helpers: every route documents the problem+json responses it can give, and the
security schemes (``Authorization: Bearer`` / ``X-API-Key``; the edge's signature for /internal)."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from litestar import Litestar
from litestar.enums import ParamType
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import (
    Components,
    OpenAPIResponse,
    Operation,
    Parameter,
    Schema,
    SecurityScheme,
)
from litestar.openapi.spec.enums import OpenAPIType

from taskmaster.api.etags import IF_MATCH_PATTERN
from taskmaster.errors import PROBLEM_MEDIA_TYPE, Problem

_DESCRIPTIONS = {
    400: "Malformed request: bad JSON, unknown or invalid query parameter, sort or cursor",
    401: "Missing, malformed, unknown, expired or revoked API key (or a bad edge signature)",
    403: "The key lacks a scope, or the client IP or endpoint is not allowed",
    404: "No such resource",
    409: "Conflicts with related rows or a unique value",
    412: "If-Match names no current version (a stale, weak or unknown ETag)",
    413: "Body larger than the configured limit",
    415: "Body is not application/json",
    422: "Body does not match the schema or breaks a data rule",
    423: "Account locked after too many failed logins (see Retry-After)",
    429: "Rate limit exceeded (see Retry-After)",
    503: "Database unavailable (see Retry-After)",
}
# Every route behind authentication may answer 401/403 (auth/authenticate.py).
AUTH = (401, 403)
COMMON = (400, *AUTH, 404, 503)
WRITE = (*COMMON, 409, 413, 415, 422)


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """``responses=`` for a route: one problem+json entry per status it may answer."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_MEDIA_TYPE,
            description=_DESCRIPTIONS[status],
            generate_examples=False,
        )
        for status in sorted(set(statuses))
    }


@dataclass
class ReadWithIfNoneMatch(Operation):
    """``operation_class=`` of a read that honours ``If-None-Match`` (``envelope.single_json``)
    without declaring it as a handler parameter: Litestar's header-parameter extraction costs more
    than the whole check on the hottest read, so the document gets the parameter here instead."""

    def __post_init__(self) -> None:
        self.parameters = [
            *(self.parameters or []),
            Parameter(
                name="If-None-Match",
                param_in=ParamType.HEADER,
                required=False,
                schema=Schema(type=OpenAPIType.STRING, pattern=IF_MATCH_PATTERN),
                description="Answer 304 if one of the ETags (weak comparison) still matches",
            ),
        ]
        # The 304 it answers is part of the contract too (schemathesis checks every status).
        self.responses = {
            **(self.responses or {}),
            "304": OpenAPIResponse(description="Not modified: the ETag still matches (no body)"),
        }


def _struct_classes() -> dict[str, type[msgspec.Struct]]:
    found: dict[str, type[msgspec.Struct]] = {}
    pending = list(msgspec.Struct.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        found.setdefault(cls.__name__, cls)
        found.setdefault(f"{cls.__module__}.{cls.__qualname__}".replace(".", "_"), cls)
    return found


def forbid_unknown_fields_in_schema(app: Litestar) -> None:
    """Mark request bodies that refuse unknown fields with ``additionalProperties: false``.

    Litestar does not carry msgspec's ``forbid_unknown_fields`` into the OpenAPI document; without
    this, clients (and fuzzers) would read the schema as accepting extra properties.
    """
    components = app.openapi_schema.components
    structs = _struct_classes()
    for name, schema in (components.schemas or {}).items():
        cls = structs.get(name)
        if cls is not None and cls.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False


SECURITY_SCHEMES = {
    "bearerAuth": SecurityScheme(
        type="http",
        scheme="bearer",
        bearer_format="ctm_ API key",
        description="Authorization: Bearer ctm_…",
    ),
    "apiKeyHeader": SecurityScheme(
        type="apiKey",
        name="X-API-Key",
        security_scheme_in="header",
        description="X-API-Key: ctm_…",
    ),
    "edgeSignature": SecurityScheme(
        type="apiKey",
        name="X-Edge-Signature",
        security_scheme_in="header",
        description="HMAC-SHA256 over the canonical string (docs/edge-origin-contract.md)",
    ),
}
# Either header works; operations that need no key override this with PUBLIC_SECURITY.
SECURITY = [{"bearerAuth": []}, {"apiKeyHeader": []}]
PUBLIC_SECURITY: list[dict[str, list[str]]] = [{}]
COMPONENTS = Components(security_schemes=SECURITY_SCHEMES)  # type: ignore[arg-type]


def document_not_modified(app: Litestar) -> None:
    """Every read that honours ``If-None-Match`` documents its ``304 Not Modified`` answer (the
    parameter is declared on the handler or added by :class:`ReadWithIfNoneMatch`)."""
    for path_item in (app.openapi_schema.paths or {}).values():
        operation = path_item.get
        if operation is None or not any(
            getattr(p, "name", None) == "If-None-Match" for p in operation.parameters or []
        ):
            continue
        operation.responses = {
            **(operation.responses or {}),
            "304": OpenAPIResponse(description="Not modified: an ETag in If-None-Match matches"),
        }


def _fold_one_of(schema: Schema) -> None:
    """``oneOf`` with one member becomes that member; ``integer`` beside ``number`` is dropped
    (every integer is a number, so the two would overlap and ``oneOf`` would reject integers)."""
    members = schema.one_of
    if not members:
        return
    types = {getattr(m, "type", None) for m in members}
    if OpenAPIType.NUMBER in types and OpenAPIType.INTEGER in types:
        members = [m for m in members if getattr(m, "type", None) != OpenAPIType.INTEGER]
    if len(members) == 1 and isinstance(members[0], Schema):
        only = members[0]
        for name in only.__dataclass_fields__:
            value = getattr(only, name)
            if value is not None and getattr(schema, name) is None:
                setattr(schema, name, value)
        members = None
    schema.one_of = members


def _walk(value: object, seen: set[int]) -> None:
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, Schema):
        _fold_one_of(value)
    if isinstance(value, dict):
        children: list[object] = list(value.values())
    elif isinstance(value, (list, tuple)):
        children = list(value)
    elif hasattr(value, "__dataclass_fields__"):
        children = [getattr(value, name) for name in value.__dataclass_fields__]
    else:
        return
    for child in children:
        _walk(child, seen)


def tidy_composition(app: Litestar) -> None:
    """Litestar writes ``Thing | UnsetType`` (PATCH bodies) as a one-member ``oneOf`` and a JSON
    value as overlapping ``integer``/``number`` members; fold both so linters and generated
    clients read plain schemas (tests/contract/test_openapi_lint.py)."""
    _walk(app.openapi_schema, set())
