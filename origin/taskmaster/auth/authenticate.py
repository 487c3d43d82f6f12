"""The authentication stage: runs before every handler (app ``before_request``), in this order:

1. the scope the matched route's policy needs (``api.policy``); public routes stop here;
2. Cloudflare Access JWT, when ``CF_ACCESS_AUD`` is configured;
3. identity asserted by the edge, believed only with a valid, fresh signature (``auth.edge``);
4. otherwise the caller's own key: ``Authorization: Bearer`` or ``X-API-Key``, format and checksum
   first (no lookup for a malformed key), then the verdict cache / ``find_api_key_by_hash``;
5. expiry/revocation (401), client IP and endpoint allow-lists and the scope (403).

On success ``scope["auth"]`` holds the :class:`Identity` (``request.auth`` in handlers), usage is
queued for the batched recorder (the request's session stamps its transactions with the key).
Every refusal is an :class:`ApiError` with a stable code (the same codes as the edge).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

import msgspec
from litestar import Request
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from taskmaster.api.policy import policy_of
from taskmaster.auth import edge, nonces
from taskmaster.auth.cache import MISSING, VerdictCache
from taskmaster.auth.cf_access import AccessVerifier
from taskmaster.auth.recorder import Recorder, normalized_ip
from taskmaster.auth.scopes import AUTHENTICATED, EDGE_ONLY, PUBLIC
from taskmaster.auth.tokens import looks_like_jwt
from taskmaster.db.context import EVERY_PROJECT, NO_PROJECT, tenancy_value
from taskmaster.db.pool import ConnectionPool
from taskmaster.db.session import TENANCY_KEY
from taskmaster.errors import ApiError
from taskmaster.keys import format as keyformat
from taskmaster.keys.service import KeyRecord, lookup_by_hash
from taskmaster.people.authn import PeopleAuth
from taskmaster.people.grants import Grants

# What ``/api/v1/me`` may see of projects: those the caller can read tasks of.
READ_SCOPE = "tasks:read"
METRICS_PATH = "/metrics"
METRICS_SCOPE = "metrics:read"
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="taskmaster"'}


class Identity(msgspec.Struct, frozen=True, gc=False):
    """Who is calling (``request.auth``); a msgspec struct because one is built per request."""

    key_id: str | None
    scopes: tuple[str, ...]
    client_ip: str | None
    via_edge: bool = False
    user_id: str | None = None  # the user acting (a JWT, or the owner of the key)
    session_id: str | None = None  # the login session of a JWT
    grants: Grants | None = None  # None: ``scopes`` everywhere (a service key)

    def effective_grants(self) -> Grants:
        return self.grants if self.grants is not None else Grants.of_key(self.scopes)


def unauthorized(code: str, title: str, detail: str) -> ApiError:
    return ApiError(401, code, title, detail, headers=dict(BEARER_CHALLENGE))


def missing_api_key() -> ApiError:
    return unauthorized(
        "missing-api-key",
        "API key required",
        "Send the key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.",
    )


def invalid_api_key(detail: str = "The API key is not valid.") -> ApiError:
    return unauthorized("invalid-api-key", "Invalid API key", detail)


def malformed_api_key() -> ApiError:
    return invalid_api_key("The API key is malformed or its checksum does not match.")


_REFUSALS = {
    "revoked": ("revoked-api-key", "API key revoked", "The API key was revoked."),
    "expired": ("expired-api-key", "API key expired", "The API key has expired."),
    "inactive": ("inactive-api-key", "API key inactive", "The API key is inactive."),
}


def presented_key(headers: Any) -> str:
    """The key the caller sent, stripped; raises 401 when absent or not a Bearer credential."""
    auth = headers.get("authorization")
    if auth is not None:  # present but empty is malformed, never a fall-through to X-API-Key
        scheme, _, value = auth.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise invalid_api_key("Authorization must use the Bearer scheme.")
        return value.strip()
    key = (headers.get("x-api-key") or "").strip()
    if not key:
        raise missing_api_key()
    return key


@lru_cache(maxsize=4096)
def _networks(entries: tuple[str, ...]) -> tuple[Any, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue
    return tuple(networks)


def ip_allowed(client_ip: str | None, allowed: tuple[str, ...]) -> bool:
    if not allowed:
        return True
    try:
        address = ipaddress.ip_address(client_ip or "")
    except ValueError:
        return False
    return any(address.version == n.version and address in n for n in _networks(allowed))


def endpoint_allowed(path: str, patterns: tuple[str, ...]) -> bool:
    """Patterns are shell-style globs on the path without query (``/api/v1/tasks*``)."""
    return not patterns or any(fnmatchcase(path, pattern) for pattern in patterns)


def path_and_query(scope: Any) -> str:
    raw = scope.get("raw_path") or scope["path"].encode("utf-8")
    query = scope.get("query_string") or b""
    return (raw + b"?" + query if query else raw).decode("latin-1")


class Authenticator:
    def __init__(
        self,
        pool: ConnectionPool,
        cache: VerdictCache,
        recorder: Recorder,
        *,
        edge_secret: str = "",
        access: AccessVerifier | None = None,
        people: PeopleAuth | None = None,
        metrics_token_sha256: str = "",
    ) -> None:
        self._metrics_token = metrics_token_sha256.lower()
        self._pool = pool
        self._cache = cache
        self._recorder = recorder
        self._edge_secret = edge_secret
        self._access = access
        self._people = people

    def middleware(self, app: ASGIApp) -> ASGIApp:
        """The stage as the app's first middleware, so it runs before every other middleware
        (Idempotency-Key replay included) and every handler. When the edge's signature needed the
        body, the body read here is replayed to the layers below."""

        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            body = await self.authenticate(scope, receive)
            await app(scope, receive if body is None else _replay(body, receive), send)

        return middleware

    async def authenticate(self, scope: Scope, receive: Receive) -> bytes | None:
        """Authenticate and authorize one request; returns the body if it had to be read."""
        method = scope["method"]
        path = scope["path"]
        needed = policy_of(scope.get("route_handler")).scope_for(method)
        # Nothing project-owned is visible until the caller is known (fail closed).
        scope[TENANCY_KEY] = NO_PROJECT  # type: ignore[literal-required]
        if needed == PUBLIC:
            return None
        # Only the few headers this stage reads, in one pass over the raw list (the hot path
        # builds no Request or Headers object).
        headers = _auth_headers(scope["headers"])
        access_claims = None
        if self._access is not None:
            access_claims = self._access.verify(headers.get("cf-access-jwt-assertion"))
        body, asserted = None, None
        if self._edge_secret and edge.SIGNATURE_HEADER in headers:
            body, asserted = await self._edge_identity(scope, receive)
            if asserted is not None and not await nonces.claim(
                self._pool, asserted.nonce, asserted.expires_at
            ):
                raise unauthorized(
                    "edge-signature-replayed",
                    "Edge signature replayed",
                    "This edge signature was already used; each one is valid for one call.",
                )
        if needed == EDGE_ONLY:
            if asserted is None:
                raise unauthorized(
                    "edge-signature-required",
                    "Edge signature required",
                    "This endpoint only answers calls signed by the edge.",
                )
            identity = Identity(asserted.key_id, asserted.scopes, asserted.client_ip, True)
        elif asserted is not None and asserted.key_id is not None:
            identity = await self._vouched(asserted)
        else:
            client_ip = asserted.client_ip if asserted else (scope.get("client") or ("",))[0]
            scraper = self._scraper(headers, path, client_ip)
            if scraper is not None:
                identity = scraper
            elif (
                access_claims is not None and self._people is not None and not _credential(headers)
            ):
                # SSO: the verified Access identity is the caller (no key, no token of ours).
                user_id, grants = await self._people.access_grants(access_claims, client_ip)
                identity = Identity(None, grants.scopes(), client_ip, False, user_id, None, grants)
            else:
                identity = await self._own_key(headers, path, client_ip)
        # Known from here on (so a 403 is logged against its key).
        scope["auth"] = identity  # type: ignore[typeddict-unknown-key]
        scope["api_key_id"] = identity.key_id  # type: ignore[typeddict-unknown-key]
        scope["user_id"] = identity.user_id  # type: ignore[typeddict-unknown-key]
        grants = identity.effective_grants()
        if needed not in (EDGE_ONLY, AUTHENTICATED) and not grants.allows(needed, path):
            raise ApiError(
                403,
                "insufficient-scope",
                "Insufficient scope",
                f"This request needs the {needed!r} scope.",
            )
        if needed == EDGE_ONLY:
            # The edge's own calls (key verify, maintenance): system work.
            scope[TENANCY_KEY] = EVERY_PROJECT  # type: ignore[literal-required]
        else:
            projects = grants.projects_for(READ_SCOPE if needed == AUTHENTICATED else needed)
            scope[TENANCY_KEY] = tenancy_value(projects)  # type: ignore[literal-required]
        if identity.key_id is not None:
            self._recorder.record_use(identity.key_id, normalized_ip(identity.client_ip))
        return body

    async def _vouched(self, asserted: edge.EdgeIdentity) -> Identity:
        """The identity the edge signed, with the grants of its key's owner or its user."""
        key_id = asserted.key_id or ""
        if self._people is None:
            return Identity(key_id, asserted.scopes, asserted.client_ip, True)
        user_id, grants = await self._people.vouched(key_id, asserted.scopes)
        is_user = key_id.startswith("user:")
        return Identity(
            None if is_user else key_id,
            grants.scopes(),
            asserted.client_ip,
            True,
            user_id=user_id,
            session_id=key_id.rsplit(":", 1)[-1] if is_user else None,
            grants=grants,
        )

    async def _edge_identity(
        self, scope: Scope, receive: Receive
    ) -> tuple[bytes | None, edge.EdgeIdentity | None]:
        request: Request[Any, Any, Any] = Request(scope, receive)
        body = await request.body()  # enforces the body size limit (413)
        return body, edge.verify(
            self._edge_secret,
            request.headers,  # type: ignore[arg-type]
            request.method,
            path_and_query(scope),
            body,
            time.time(),
        )

    def _scraper(self, headers: Any, path: str, client_ip: str | None) -> Identity | None:
        """Prometheus with METRICS_TOKEN_SHA256's token on /metrics: checked without the database,
        so that an outage (the very thing to alert on) does not make the scrape fail."""
        if not self._metrics_token or path != METRICS_PATH:
            return None
        digest = hashlib.sha256(presented_key(headers).encode()).hexdigest()
        if not hmac.compare_digest(digest, self._metrics_token):
            return None
        return Identity(None, (METRICS_SCOPE,), client_ip)

    @property
    def cache(self) -> VerdictCache:
        return self._cache

    async def lookup(self, digest: str) -> KeyRecord | None:
        """The key row for a hash: from the verdict cache, else one database lookup (cached)."""
        record = self._cache.get(digest)
        return await self._fetch(digest) if record is MISSING else record  # type: ignore[return-value]

    async def owner_active(self, record: KeyRecord | None) -> bool:
        """False when the key acts for a user who is deactivated (or erased)."""
        if record is None or record.owner_user_id is None or self._people is None:
            return True
        principal = await self._people.principal(str(record.owner_user_id), None)
        return principal is not None and principal.active

    async def _fetch(self, digest: str) -> KeyRecord | None:
        generation = self._cache.generation
        record = await lookup_by_hash(self._pool, digest)
        self._cache.put(digest, record, generation)
        return record

    async def _own_key(self, headers: Any, path: str, client_ip: str | None) -> Identity:
        key = presented_key(headers)
        if self._people is not None and looks_like_jwt(key):
            user_id, session_id, grants = await self._people.token_grants(key)
            return Identity(None, grants.scopes(), client_ip, False, user_id, session_id, grants)
        if len(key) != keyformat.KEY_LEN or not key.isascii():
            raise malformed_api_key()
        digest = keyformat.key_hash(key)
        record = self._cache.get(digest)
        if record is MISSING:
            # Only a key never seen (or not cached) pays for the checksum: a cached verdict is
            # keyed by the hash of a key that was well formed.
            if not keyformat.well_formed(key):
                raise malformed_api_key()
            record = await self._fetch(digest)
        if record is None or not hmac.compare_digest(record.key_hash, digest):
            raise invalid_api_key()
        reason = record.refusal(datetime.now(UTC))
        if reason is not None:
            raise unauthorized(*_REFUSALS[reason])
        if not ip_allowed(client_ip, record.allowed_ips):
            raise ApiError(
                403,
                "ip-not-allowed",
                "Client IP not allowed",
                f"The key may not be used from {client_ip}.",
            )
        if not endpoint_allowed(path, record.allowed_endpoints):
            raise ApiError(
                403,
                "endpoint-not-allowed",
                "Endpoint not allowed",
                f"The key may not call {path!r}.",
            )
        owner = record.owner_user_id
        if owner is None or self._people is None:
            return Identity(record.key_id, record.scopes, client_ip, grants=record.grants)
        grants = await self._people.owned_key_grants(
            str(owner), record.scopes, record.allowed_projects
        )
        return Identity(record.key_id, grants.scopes(), client_ip, False, str(owner), None, grants)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


_AUTH_HEADERS = frozenset(
    {b"authorization", b"x-api-key", b"cf-access-jwt-assertion", edge.SIGNATURE_HEADER.encode()}
)


def _credential(headers: dict[str, str]) -> bool:
    return "authorization" in headers or "x-api-key" in headers


def _auth_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """The headers authentication reads (the first of each name), decoded."""
    found: dict[str, str] = {}
    for name, value in raw:
        if name in _AUTH_HEADERS:
            found.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return found
