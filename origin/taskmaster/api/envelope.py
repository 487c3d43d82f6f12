"""The success envelope (README.md, "API conventions"): ``{"data", "pagination"?, "meta": {"request_id"}}``.

Routes return ``Envelope[Thing]`` (one resource) or ``Page[Thing]`` (a list); the OpenAPI document
names them ``Envelope[Thing]`` / ``Page[Thing]``. :func:`single` and :func:`paged` build them, so a
route never assembles headers or pagination by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import msgspec
from litestar import Request, Response
from litestar.types import ASGIApp, Receive, Scope, Send

from taskmaster.api.etags import etag, matches_if_none_match
from taskmaster.api.policy import policy_of

T = TypeVar("T")


def cache_control_of(request: Request[Any, Any, Any]) -> str:
    """The route's ``Cache-Control`` (its policy's edge TTL, or ``no-store``)."""
    return policy_of(request.scope.get("route_handler")).cache_control


class Meta(msgspec.Struct):
    request_id: str


_encode = msgspec.json.Encoder().encode


class Pagination(msgspec.Struct):
    limit: int
    next_cursor: str | None
    has_more: bool


class Envelope(msgspec.Struct, Generic[T]):
    data: T
    meta: Meta


class Page(msgspec.Struct, Generic[T]):
    data: list[T]
    pagination: Pagination
    meta: Meta


class _Listed(Protocol[T]):  # taskmaster.db.table.Listed, without the import cycle
    items: list[T]
    next_cursor: str | None
    has_more: bool


def meta_for(request: Request[Any, Any, Any]) -> Meta:
    return Meta(request_id=request.scope.get("request_id", ""))


def single(
    request: Request[Any, Any, Any],
    item: T,
    status_code: int = 200,
    location: str | None = None,
    if_none_match: str | None = None,
) -> Response[Envelope[T]]:
    """One resource in the envelope, with an ``ETag`` when it has a row version; 304 (no body)
    when ``If-None-Match`` names that version."""
    headers = {"Cache-Control": cache_control_of(request)}
    version = getattr(item, "version", None)
    if isinstance(version, int):
        headers["ETag"] = etag(version)
        if matches_if_none_match(if_none_match, version):
            return Response(None, status_code=304, headers=headers)  # type: ignore[arg-type]
    if location is not None:
        headers["Location"] = location
    return Response(
        Envelope(data=item, meta=meta_for(request)), status_code=status_code, headers=headers
    )


@dataclass(slots=True)
class Encoded:
    """A response as final bytes: status, raw headers and body, sent as two ASGI messages."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    async def send_to(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


class EncodedResponse(Response[bytes]):
    """An :class:`Encoded` returned by a handler: skips Litestar's header merging and encoder (on
    the hottest read they cost more than the splice)."""

    __slots__ = ("encoded",)

    def __init__(self, encoded: Encoded):
        super().__init__(encoded.body, status_code=encoded.status)
        self.encoded = encoded

    def to_asgi_response(self, app: Any, request: Any, **_: Any) -> ASGIApp:  # type: ignore[override]
        encoded = self.encoded

        async def send_response(scope: Scope, receive: Receive, send: Send) -> None:
            await encoded.send_to(send)

        return send_response


def _raw_header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    """Every value of a header, comma-joined as RFC 9110 folds repeated fields; None if absent."""
    values = [value.decode("latin-1") for key, value in headers if key == name]
    return ", ".join(values) if values else None


def single_json(request: Request[Any, Any, Any], version: int, data_json: bytes) -> Response[Any]:
    """:func:`single` for a resource already rendered as JSON (``Table.get_json``): the same
    envelope, headers and 304, with the resource's bytes spliced in rather than re-encoded. Its
    route reads ``If-None-Match`` here (declare ``operation_class=docs.ReadWithIfNoneMatch``)."""
    return EncodedResponse(single_json_of(request.scope, version, data_json))


def single_json_of(scope: Scope, version: int, data_json: bytes) -> Encoded:
    """:func:`single_json` from the ASGI scope alone (the lean path of ``api/hot.py`` builds no
    ``Request`` and no ``Response``)."""
    if_none_match = _raw_header(scope["headers"], b"if-none-match")
    if if_none_match is not None and matches_if_none_match(if_none_match, version):
        return Encoded(304, _cache_headers(scope, version), b"")
    return written_json_of(scope, version, data_json)


def written_json_of(scope: Scope, version: int | None, data_json: bytes) -> Encoded:
    """:func:`single` for data already rendered as JSON (a write's answer, e.g. a claim: no
    ``If-None-Match``), from the ASGI scope: the same envelope and headers, the ``ETag`` when the
    data has one version (a list has none)."""
    body = b"".join(
        (
            b'{"data":',
            data_json,
            b',"meta":',
            _encode(Meta(scope.get("request_id", ""))),
            b"}",
        )
    )
    headers = _cache_headers(scope, version)
    headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    return Encoded(200, headers, body)


def _cache_headers(scope: Scope, version: int | None) -> list[tuple[bytes, bytes]]:
    """``Cache-Control`` (the route's policy) and, for one resource, its ``ETag``, in the order
    :func:`single`'s Litestar response sends them."""
    headers = [(b"cache-control", policy_of(scope.get("route_handler")).cache_control.encode())]
    if version is not None:
        headers.append((b"etag", etag(version).encode()))
    return headers


def paged(request: Request[Any, Any, Any], listed: _Listed[T], limit: int) -> Page[T]:
    return Page(
        data=listed.items,
        pagination=Pagination(
            limit=limit, next_cursor=listed.next_cursor, has_more=listed.has_more
        ),
        meta=meta_for(request),
    )
