"""Authentication of people and of keys' owners, for ``auth.authenticate.Authenticator``.

- ``Authorization: Bearer <JWT>``: the access token is verified here (signature, expiry), then the
  user's principal — active, session live, grants — comes from a per-worker cache that every
  people change empties (NOTIFY ``api_keys_changed`` "people", the key listener's channel), so a
  logout or a deactivation stops the token on its very next request.
- A key owned by a user: the key's grants are its owner's, narrowed by the key (auth/grants).
- An identity the edge vouched for: a user (``user:<id>:<session>`` in the signed key-id field)
  or a key id whose owner and project allow-list are looked up once and cached.
"""

from __future__ import annotations

import asyncio
from typing import Any

from taskmaster.auth.cache import VerdictCache
from taskmaster.auth.tokens import AccessTokens, invalid_token
from taskmaster.db.pool import ConnectionPool
from taskmaster.errors import ApiError
from taskmaster.people.grants import Grants
from taskmaster.people.service import QUERIES, Actor, Principal, Sessions, load_principal

USER_PREFIX = "user:"
_MISSING = object()


def inactive_user() -> ApiError:
    return ApiError(
        401,
        "inactive-user",
        "User inactive",
        "The user is deactivated or its session has ended.",
        headers={"WWW-Authenticate": 'Bearer realm="taskmaster", error="invalid_token"'},
    )


def unknown_access_user(detail: str) -> ApiError:
    return ApiError(403, "unknown-access-user", "Unknown Access user", detail)


class PrincipalCache:
    """Entries are believed while the key listener is connected and nothing changed since they
    were stored (the verdict cache's generation moves on every key or people notification)."""

    def __init__(self, verdicts: VerdictCache, max_entries: int = 10_000) -> None:
        self._verdicts = verdicts
        self._max_entries = max_entries
        self._entries: dict[tuple[str, ...], tuple[int, Any]] = {}

    def get(self, key: tuple[str, ...]) -> Any:
        found = self._entries.get(key)
        if found is None or not self._verdicts.trusted or found[0] != self._verdicts.generation:
            return _MISSING
        return found[1]

    def clear(self) -> None:
        self._entries.clear()

    def put(self, key: tuple[str, ...], value: Any, generation: int) -> None:
        if not self._verdicts.trusted or generation != self._verdicts.generation:
            return
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[key] = (generation, value)


class PeopleAuth:
    def __init__(
        self,
        pool: ConnectionPool,
        verdicts: VerdictCache,
        tokens: AccessTokens,
        sessions: Sessions | None = None,
    ) -> None:
        self._pool = pool
        self._verdicts = verdicts
        self._cache = PrincipalCache(verdicts)
        self.tokens = tokens
        self._sessions = sessions

    @property
    def generation(self) -> int:
        return self._verdicts.generation

    async def settled(self, since: int, timeout_s: float = 1.0) -> None:
        """Wait until this worker has seen a change notified after generation ``since``: a logout
        or deactivation made through the API answers only once no cached principal outlives it
        (the notification reaches every worker's listener at once)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self._verdicts.trusted and self._verdicts.generation <= since:
            if loop.time() >= deadline:
                self._cache.clear()
                return
            await asyncio.sleep(0.002)

    async def principal(self, user_id: str, session_id: str | None) -> Principal | None:
        key = (user_id, session_id or "")
        found = self._cache.get(key)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
        generation = self._verdicts.generation
        async with self._pool.connection() as conn:
            principal = await load_principal(conn, user_id, session_id)
        self._cache.put(key, principal, generation)
        return principal

    async def live_user(self, user_id: str, session_id: str | None) -> Principal:
        principal = await self.principal(user_id, session_id)
        if principal is None or not principal.active or not principal.session_live:
            raise inactive_user()
        return principal

    async def token_grants(self, token: str) -> tuple[str, str, Grants]:
        """``(user id, session id, grants)`` of a valid access token of a live session."""
        claims = self.tokens.verify(token)
        principal = await self.live_user(claims.user_id, claims.session_id)
        return claims.user_id, claims.session_id, principal.grants

    async def owned_key_grants(
        self, owner: str, scopes: tuple[str, ...], allowed: tuple[str, ...]
    ) -> Grants:
        principal = await self.live_user(owner, None)
        return principal.grants.narrowed(scopes, allowed)

    async def vouched(self, key_id: str, scopes: tuple[str, ...]) -> tuple[str | None, Grants]:
        """Grants of an identity the edge signed: ``(user id, grants)``."""
        if key_id.startswith(USER_PREFIX):
            _, user_id, session_id = [*key_id.split(":"), "", ""][:3]
            if not user_id or not session_id:
                raise invalid_token("The edge vouched for a malformed user identity.")
            principal = await self.live_user(user_id, session_id)
            return user_id, principal.grants
        owner, allowed = await self._key_grants(key_id)
        if owner is None:
            return None, Grants.of_key(scopes, allowed)
        return owner, await self.owned_key_grants(owner, scopes, allowed)

    async def access_grants(
        self, claims: dict[str, Any], client_ip: str | None
    ) -> tuple[str, Grants]:
        """The user a verified Cloudflare Access identity maps to, by its email (case-insensitive),
        created with the ACCESS_AUTO_PROVISION role when that is set."""
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email or self._sessions is None:
            raise unknown_access_user("The Access token names no email.")
        cache_key = ("email", email.lower())
        user_id = self._cache.get(cache_key)
        if user_id is _MISSING:
            generation = self._verdicts.generation
            user_id = await self._sessions.access_login(
                self._pool,  # authentication runs before the request's session exists
                email,
                client_ip=client_ip,
                user_agent="",
                actor=Actor(None, None, ""),
            )
            self._cache.put(cache_key, user_id, generation)
        if user_id is None:
            raise unknown_access_user(f"No active user has the email {email!r}.")
        principal = await self.live_user(str(user_id), None)
        return str(user_id), principal.grants

    async def _key_grants(self, key_id: str) -> tuple[str | None, tuple[str, ...]]:
        cache_key = ("key", key_id)
        found = self._cache.get(cache_key)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
        generation = self._verdicts.generation
        async with self._pool.connection() as conn:
            cur = await conn.execute(QUERIES["key_grants"], {"id": key_id})
            row = await cur.fetchone()
        value = (
            (str(row[0]) if row[0] else None, tuple(str(p) for p in row[1])) if row else (None, ())
        )
        self._cache.put(cache_key, value, generation)
        return value
