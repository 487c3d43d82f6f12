"""HTTP adapters for API keys (scope ``keys:admin``) and the edge's ``POST /internal/keys/verify``."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Annotated, TypeVar
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.params import JSONBody, QueryParameter

from taskmaster.api.docs import AUTH, COMMON, WRITE, problems
from taskmaster.api.envelope import Pagination, meta_for
from taskmaster.api.etags import etag
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, parse_sort
from taskmaster.api.params import Db, PathId, Req
from taskmaster.api.policy import policy
from taskmaster.auth.scopes import AUTHENTICATED, EDGE_ONLY, KEY_ADMIN_SCOPES
from taskmaster.errors import ApiError
from taskmaster.keys import service
from taskmaster.keys.schemas import (
    ApiKey,
    KeyCreate,
    KeyCreated,
    KeyCreatedEnvelope,
    KeyEnvelope,
    KeyPage,
    KeyRevoke,
    KeyRotate,
    OwnKeyCreate,
    OwnKeysEnvelope,
    VerdictEnvelope,
    VerifyRequest,
)

T = TypeVar("T")

NO_STORE = "no-store"
EDGE_SECURITY = [{"edgeSignature": []}]


def actor_of(request: Req) -> service.Actor:
    identity = request.scope["auth"]  # type: ignore[typeddict-item]
    return service.Actor(
        key_id=identity.key_id,
        request_id=request.scope.get("request_id", ""),
        is_admin=bool(KEY_ADMIN_SCOPES.intersection(identity.scopes)),
    )


def _single(request: Req, key: ApiKey) -> Response[KeyEnvelope]:
    return Response(
        KeyEnvelope(data=key, meta=meta_for(request)),
        headers={"ETag": etag(key.version), "Cache-Control": NO_STORE},
    )


def _created(request: Req, key: KeyCreated, path: str) -> Response[KeyCreatedEnvelope]:
    return Response(
        KeyCreatedEnvelope(data=key, meta=meta_for(request)),
        status_code=201,
        headers={
            "ETag": etag(key.version),
            "Cache-Control": NO_STORE,  # the body holds the plain key
            "Location": f"{path}/{key.id}",
        },
    )


class KeyController(Controller):
    path = "/api/v1/keys"
    # Key rows are under row-level security by key: never shared, always from the primary.
    opt = policy("keys:admin", edge_ttl=None, replica=False)
    tags = ["keys"]

    @post(
        "/",
        responses=problems(*WRITE),
        summary="Create an API key (the plain key is in this response only)",
    )
    async def create_key(
        self, request: Req, db: Db, data: JSONBody[KeyCreate]
    ) -> Response[KeyCreatedEnvelope]:
        key = await service.create_key(db, actor_of(request), data)
        return _created(request, key, self.path)

    @get("/", responses=problems(*COMMON), summary="List API keys (prefix and metadata only)")
    async def list_keys(
        self,
        request: Req,
        state: State,
        db: Db,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
        cursor: Annotated[str | None, QueryParameter(max_length=2048)] = None,
        sort: Annotated[
            str | None,
            QueryParameter(
                max_length=100,
                description="Comma-separated fields, '-' for descending: "
                + ", ".join(service.SORT_FIELDS),
            ),
        ] = None,
    ) -> KeyPage:
        keys = parse_sort(sort, service.SORT_FIELDS, service.DEFAULT_SORT)
        page = await service.list_keys(db, actor_of(request), state.cursors, keys, cursor, limit)
        return KeyPage(
            data=page.keys,
            pagination=Pagination(
                limit=limit, next_cursor=page.next_cursor, has_more=page.has_more
            ),
            meta=meta_for(request),
        )

    @get("/{key_id:uuid}", responses=problems(*COMMON), summary="Get an API key")
    async def get_key(self, request: Req, db: Db, key_id: PathId) -> Response[KeyEnvelope]:
        return _single(request, await service.get_key(db, actor_of(request), key_id))

    @post(
        "/{key_id:uuid}/revoke",
        status_code=200,
        responses=problems(*WRITE),
        summary="Revoke an API key (effective on the next request)",
    )
    async def revoke_key(
        self, request: Req, state: State, db: Db, key_id: PathId, data: JSONBody[KeyRevoke]
    ) -> Response[KeyEnvelope]:
        revoked = service.revoke_key(db, actor_of(request), key_id, data.reason)
        return _single(request, await _settled(state, key_id, revoked))

    @post(
        "/{key_id:uuid}/rotate",
        responses=problems(*WRITE),
        summary="Rotate an API key: a successor with the same settings; the old key lives on "
        "for grace_seconds",
    )
    async def rotate_key(
        self, request: Req, state: State, db: Db, key_id: PathId, data: JSONBody[KeyRotate]
    ) -> Response[KeyCreatedEnvelope]:
        rotated = service.rotate_key(db, actor_of(request), key_id, data.grace_seconds)
        return _created(request, await _settled(state, key_id, rotated), self.path)


async def _settled(state: State, key_id: UUID, change: Awaitable[T]) -> T:
    """Run a change of a key, then wait until no worker's verdict cache still holds the key."""
    since = state.authenticator.cache.generation  # before the change runs
    changed = await change
    await state.authenticator.cache.settled(str(key_id), since)
    return changed


def owner_of(request: Req) -> service.Owner:
    """The signed-in person (token, console cookie or Access); a key cannot mint keys here."""
    identity = request.scope["auth"]  # type: ignore[typeddict-item]
    if identity.user_id is None or identity.key_id is not None:
        raise ApiError(
            403,
            "person-required",
            "A person must sign in",
            "Only a signed-in person manages their own keys, not an API key.",
        )
    return service.Owner(identity.user_id, identity.scopes, request.scope.get("request_id", ""))


class OwnKeyController(Controller):
    """The signed-in person's own keys (the console's key page): never more than their scopes,
    never another's key (row-level security by owner, migration add_api_key_owner_policy)."""

    path = "/api/v1/me/keys"
    opt = policy(AUTHENTICATED, edge_ttl=None, replica=False)
    tags = ["keys"]

    @post("/", responses=problems(*WRITE), summary="Create a key of my own (shown once)")
    async def create_own_key(
        self, request: Req, db: Db, data: JSONBody[OwnKeyCreate]
    ) -> Response[KeyCreatedEnvelope]:
        key = await service.create_owned_key(db, owner_of(request), data)
        return _created(request, key, self.path)

    @get("/", responses=problems(*COMMON), summary="List my keys (newest first, prefix only)")
    async def list_own_keys(self, request: Req, db: Db) -> Response[OwnKeysEnvelope]:
        keys = await service.list_owned_keys(db, owner_of(request))
        body = OwnKeysEnvelope(data=keys, meta=meta_for(request))
        return Response(body, headers={"Cache-Control": NO_STORE})

    @post(
        "/{key_id:uuid}/revoke",
        status_code=200,
        responses=problems(*WRITE),
        summary="Revoke my key",
    )
    async def revoke_own_key(
        self, request: Req, state: State, db: Db, key_id: PathId
    ) -> Response[KeyEnvelope]:
        revoked = service.revoke_owned_key(db, owner_of(request), key_id)
        return _single(request, await _settled(state, key_id, revoked))


@post(
    "/internal/keys/verify",
    status_code=200,
    tags=["internal"],
    summary="Key verdict for the edge's cache (signed edge calls only)",
    responses=problems(*AUTH, 400, 413, 415, 422, 503),
    security=EDGE_SECURITY,
    opt=policy(EDGE_ONLY, replica=False),
)
async def verify_key(request: Req, state: State, data: JSONBody[VerifyRequest]) -> VerdictEnvelope:
    authenticator = state.authenticator
    record = await authenticator.lookup(data.key_hash)
    verdict = service.verdict_for(
        record, datetime.now(UTC), owner_active=await authenticator.owner_active(record)
    )
    return VerdictEnvelope(data=verdict, meta=meta_for(request))
