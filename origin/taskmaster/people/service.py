"""People: login, refresh-token rotation, logout, principals, and the user/role/member operations
of the HTTP routes and the ``taskmaster users|roles|members`` CLI alike.

Each operation takes a ``Db``: a route passes the request's ``Session`` (``db.read()``, audited
``db.transaction()``, the request's tenancy), the CLI its short-lived pool (``db/cli_pool.py``), and
authentication, which runs before any session exists, the app's pool.

Passwords are hashed with argon2id (argon2-cffi, RFC 9106 low-memory parameters). An unknown
login name is checked against a dummy hash, so it costs the same time and answers the same 401 as
a wrong password. Refresh tokens (``ctr_…``) are random, stored as SHA-256, spent once: presenting
a spent one revokes its whole session (family), which ends every access token of it.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

from taskmaster.auth.tokens import AccessTokens
from taskmaster.db.sql import load_queries
from taskmaster.db.table import Db, reading, writing
from taskmaster.db.table import transaction as db_transaction
from taskmaster.errors import ApiError, not_found
from taskmaster.people.grants import Grants
from taskmaster.people.schemas import Me, Membership, TokenPair, User
from taskmaster.people.settings import PeopleSettings

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))
HASHER = PasswordHasher()  # argon2id
REFRESH_PREFIX = "ctr_"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs a people operation (None/None from the CLI) and the request id."""

    key_id: str | None
    user_id: str | None
    request_id: str


@dataclass(frozen=True, slots=True)
class Principal:
    """A user as authentication sees it (cached per worker, dropped on any people change)."""

    user_id: str
    active: bool
    session_live: bool
    grants: Grants


@cache
def _dummy_hash() -> str:
    return HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def refresh_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invalid_credentials() -> ApiError:
    return ApiError(
        401, "invalid-credentials", "Invalid credentials", "The login or password is wrong."
    )


def account_locked(until: datetime) -> ApiError:
    retry = max(1, int((until - datetime.now(UTC)).total_seconds()) + 1)
    return ApiError(
        423,
        "account-locked",
        "Account locked",
        "Too many failed logins: the account is locked for a while (or until an admin unlocks it).",
        headers={"Retry-After": str(retry)},
    )


def invalid_refresh(detail: str = "The refresh token is not valid.") -> ApiError:
    return ApiError(401, "invalid-refresh-token", "Invalid refresh token", detail)


class FamilyRevoked(ApiError):
    """A spent refresh token came back: its session (family) is revoked (401 to the caller)."""

    def __init__(self) -> None:
        super().__init__(
            401,
            "invalid-refresh-token",
            "Invalid refresh token",
            "The refresh token was already used: its session is revoked.",
        )


@asynccontextmanager
async def transaction(db: Db, actor: Actor) -> AsyncIterator[AsyncConnection]:
    """One transaction with the actor's identity for RLS on api_keys and the audit trigger."""
    async with db_transaction(db) as conn:
        await conn.execute(
            QUERIES["set_context"],
            {
                "key_id": actor.key_id or "",
                "user_id": actor.user_id or "",
                "is_admin": "on",
                "request_id": actor.request_id,
            },
        )
        yield conn


async def _one(conn: AsyncConnection, name: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
    cur = await conn.execute(QUERIES[name], params)
    return await cur.fetchone()


class Sessions:
    """Login, refresh and logout (the ``/api/v1/auth`` routes)."""

    def __init__(self, settings: PeopleSettings, tokens: AccessTokens):
        self._settings = settings
        self._tokens = tokens

    async def login(
        self,
        db: Db,
        login: str,
        password: str,
        *,
        client_ip: str | None,
        user_agent: str,
        actor: Actor,
    ) -> TokenPair:
        query = "find_login_by_email" if "@" in login else "find_login_by_username"
        async with reading(db) as conn:
            row = await _one(conn, query, {"login": login})
        user_id, stored, active, locked_until = row if row else (None, None, False, None)
        if locked_until is not None and locked_until > datetime.now(UTC):
            raise account_locked(locked_until)
        ok = await asyncio.to_thread(_verify, stored, password)
        if user_id is None:
            raise invalid_credentials()
        user_actor = Actor(actor.key_id, str(user_id), actor.request_id)
        if not ok or not active:
            async with transaction(db, user_actor) as conn:
                locked = await _one(
                    conn,
                    "record_failure",
                    {
                        "id": user_id,
                        "max_attempts": self._settings.login_max_attempts,
                        "lockout_s": self._settings.login_lockout_s,
                    },
                )
            if locked and locked[0] is not None and locked[0] > datetime.now(UTC):
                raise account_locked(locked[0])
            raise invalid_credentials()
        rehash = hash_password(password) if HASHER.check_needs_rehash(stored) else None
        async with transaction(db, user_actor) as conn:
            await conn.execute(QUERIES["record_success"], {"id": user_id, "rehash": rehash})
            return await self._open_session(conn, str(user_id), "password", client_ip, user_agent)

    async def _open_session(
        self,
        conn: AsyncConnection,
        user_id: str,
        method: str,
        client_ip: str | None,
        user_agent: str,
    ) -> TokenPair:
        row = await _one(
            conn,
            "insert_session",
            {
                "user_id": user_id,
                "method": method,
                "client_ip": client_ip or None,
                "user_agent": user_agent[:1000] or None,
                "ttl_s": self._settings.refresh_token_ttl_s,
            },
        )
        assert row is not None
        return await self._tokens_for(conn, user_id, str(row[0]))

    async def _tokens_for(self, conn: AsyncConnection, user_id: str, session_id: str) -> TokenPair:
        refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
        await conn.execute(
            QUERIES["insert_refresh_token"],
            {"session_id": session_id, "token_hash": refresh_hash(refresh)},
        )
        principal = await load_principal(conn, user_id, None)
        scopes = principal.grants.scopes() if principal else ()
        access, _ = self._tokens.issue(user_id, session_id, scopes)
        return TokenPair(
            access_token=access,
            token_type="Bearer",  # noqa: S106 - the OAuth token type, not a secret
            expires_in=self._tokens.ttl_s,
            refresh_token=refresh,
            refresh_expires_in=self._settings.refresh_token_ttl_s,
        )

    async def refresh(self, db: Db, token: str, actor: Actor) -> TokenPair:
        """Spend a refresh token for a new pair; a spent one revokes its family (401)."""
        reused = False
        async with transaction(db, actor) as conn:
            row = await _one(conn, "find_refresh_token", {"token_hash": refresh_hash(token)})
            if row is None:
                raise invalid_refresh()
            token_id, session_id, used_at, expired, user_id, session_dead, active = row
            if used_at is not None:
                await conn.execute(
                    QUERIES["revoke_session"], {"id": session_id, "reason": "refresh-token-reuse"}
                )
                reused = True
            elif expired or session_dead or not active:
                raise invalid_refresh("The refresh token or its session has ended.")
            else:
                await conn.execute(QUERIES["spend_refresh_token"], {"id": token_id})
                return await self._tokens_for(conn, str(user_id), str(session_id))
        assert reused  # the revocation is committed before the refusal
        raise FamilyRevoked()

    async def logout(
        self, db: Db, session_id: str | None, refresh: str | None, actor: Actor
    ) -> None:
        async with transaction(db, actor) as conn:
            if refresh:
                row = await _one(conn, "find_refresh_token", {"token_hash": refresh_hash(refresh)})
                session_id = str(row[1]) if row else session_id
            if session_id:
                await conn.execute(
                    QUERIES["revoke_session"], {"id": session_id, "reason": "logout"}
                )

    async def access_login(
        self, db: Db, email: str, *, client_ip: str | None, user_agent: str, actor: Actor
    ) -> str | None:
        """The user id a verified Cloudflare Access email maps to (provisioned when configured)."""
        async with reading(db) as conn:
            row = await _one(conn, "find_user_by_email", {"email": email})
        if row is not None:
            return str(row[0]) if row[1] else None
        role = self._settings.access_auto_provision
        if not role:
            return None
        async with transaction(db, actor) as conn:
            created = await _one(
                conn,
                "insert_user",
                {
                    "username": _username_from(email),
                    "email": email,
                    "password_hash": None,
                    "role": role,
                    "metadata": Jsonb({"provisioned_by": "cloudflare-access"}),
                },
            )
        return str(created[0]) if created else None


def _username_from(email: str) -> str:
    """Access-provisioned users are named after their email, '@' replaced (usernames have none)."""
    return email.replace("@", "+at+")[:100]


async def load_principal(
    conn: AsyncConnection, user_id: str, session_id: str | None
) -> Principal | None:
    row = await _one(conn, "principal", {"user_id": user_id, "session_id": session_id})
    if row is None:
        return None
    active, global_permissions, memberships, session_live = row
    grants = Grants(
        frozenset(global_permissions),
        {str(project): frozenset(permissions) for project, permissions in memberships},
    )
    return Principal(user_id, bool(active), bool(session_live), grants)


def _user(row: tuple[Any, ...]) -> User:
    return User(*row[:12])


async def me(
    db: Db,
    user_id: str | None,
    key_id: str | None,
    grants: Grants,
    projects: tuple[str, ...] | None,
) -> Me:
    user, memberships = None, []
    if user_id is not None:
        async with reading(db) as conn:
            row = await _one(conn, "me", {"id": user_id})
        if row is not None:
            user = _user(row)
            memberships = [Membership(**m) for m in row[12]]
    return Me(
        user=user,
        key_id=key_id,  # type: ignore[arg-type]
        memberships=memberships,
        scopes=list(grants.scopes()),
        global_scopes=sorted(grants.everywhere),
        projects=None if projects is None else list(projects),  # type: ignore[arg-type]
    )


# --- user, role and member management (admin routes and the CLI) -------------------------------


async def create_user(
    db: Db,
    actor: Actor,
    *,
    username: str,
    email: str,
    password: str | None,
    role: str | None,
) -> User:
    password_hash = await asyncio.to_thread(hash_password, password) if password else None
    async with transaction(db, actor) as conn:
        if role is not None and await _one(conn, "role_exists", {"name": role}) is None:
            raise ApiError(422, "unknown-role", "Unknown role", f"There is no role {role!r}.")
        row = await _one(
            conn,
            "insert_user",
            {
                "username": username,
                "email": email,
                "password_hash": password_hash,
                "role": role,
                "metadata": Jsonb({}),
            },
        )
        assert row is not None
        created = await _one(conn, "get_user", {"id": row[0]})
    assert created is not None
    return _user(created)


async def list_users(db: Db) -> list[User]:
    async with reading(db) as conn:
        cur = await conn.execute(QUERIES["list_users"])
        return [_user(row) for row in await cur.fetchall()]


async def get_user(db: Db, user_id: str) -> User:
    async with reading(db) as conn:
        row = await _one(conn, "get_user", {"id": user_id})
    if row is None:
        raise not_found("user", user_id)
    return _user(row)


async def find_user_id(db: Db, ref: str) -> str:
    async with reading(db) as conn:
        row = await _one(conn, "find_user_id", {"ref": ref})
    if row is None:
        raise not_found("user", ref)
    return str(row[0])


async def _update(db: Db, actor: Actor, name: str, params: dict[str, Any]) -> None:
    async with transaction(db, actor) as conn:
        if await _one(conn, name, params) is None:
            raise not_found("user", params["id"])
        if name == "set_active" and not params["active"]:
            await conn.execute(
                QUERIES["revoke_user_sessions"], {"user_id": params["id"], "reason": "deactivated"}
            )


async def set_password(db: Db, actor: Actor, user_id: str, password: str) -> None:
    password_hash = await asyncio.to_thread(hash_password, password)
    await _update(db, actor, "set_password", {"id": user_id, "password_hash": password_hash})


async def unlock(db: Db, actor: Actor, user_id: str) -> None:
    await _update(db, actor, "unlock_user", {"id": user_id})


async def set_active(db: Db, actor: Actor, user_id: str, active: bool) -> None:
    """Deactivation also revokes every session of the user (its tokens stop at once)."""
    await _update(db, actor, "set_active", {"id": user_id, "active": active})


async def set_global_role(db: Db, actor: Actor, user_id: str, role: str | None) -> None:
    await _update(db, actor, "set_global_role", {"id": user_id, "role": role})


async def list_roles(db: Db) -> list[tuple[str, str | None, list[str], bool]]:
    async with reading(db) as conn:
        cur = await conn.execute(QUERIES["list_roles"])
        return [tuple(row) for row in await cur.fetchall()]  # type: ignore[misc]


async def upsert_role(
    db: Db, actor: Actor, name: str, description: str | None, permissions: list[str]
) -> None:
    async with transaction(db, actor) as conn:
        params = {"name": name, "description": description, "permissions": permissions}
        if await _one(conn, "upsert_role", params) is None:
            raise ApiError(409, "builtin-role", "Built-in role", f"{name!r} cannot be changed.")


async def delete_role(db: Db, actor: Actor, name: str) -> None:
    async with transaction(db, actor) as conn:
        if await _one(conn, "delete_role", {"name": name}) is None:
            raise ApiError(
                409, "role-not-deletable", "Role not deletable", f"{name!r} is built in or absent."
            )


async def add_member(db: Db, actor: Actor, project: str, user_id: str, role: str) -> None:
    async with transaction(db, actor) as conn:
        params = {"project": project, "user_id": user_id, "role": role}
        if await _one(conn, "add_member", params) is None:
            raise ApiError(
                404, "not-found", "Not found", f"No project {project!r} or no role {role!r}."
            )


async def remove_member(db: Db, actor: Actor, project: str, user_id: str) -> None:
    async with transaction(db, actor) as conn:
        params = {"project": project, "user_id": user_id}
        if await _one(conn, "remove_member", params) is None:
            raise not_found("membership", f"{project}/{user_id}")


# --- privacy: export and erasure (admin routes) ------------------------------------------------


async def export_rows(db: Db, user_id: str) -> AsyncIterator[tuple[str, Any]]:
    """Every row referencing the user, as ``(table, row)``, read in one snapshot (a server-side
    cursor: the rows are streamed, never all held at once)."""
    await get_user(db, user_id)  # 404 for an unknown user
    async with db_transaction(db) as conn:
        cursor = conn.cursor(name=f"export_{secrets.token_hex(4)}")
        async with cursor:
            await cursor.execute(QUERIES["export_user"], {"id": user_id})
            async for source, row in cursor:
                yield source, row


def pseudonym(user_id: str) -> str:
    """Stable for a user (the same on every erasure), and not reversible to the names."""
    return "erased-" + hashlib.sha256(f"taskmaster-user:{user_id}".encode()).hexdigest()[:16]


async def erase(db: Db, actor: Actor, user_id: str) -> int:
    """Erase the user (credentials, sessions, personal fields everywhere); the count of rows
    rewritten. Audited by one row of its own."""
    name = pseudonym(user_id)
    async with transaction(db, actor) as conn:
        row = await _one(conn, "erase_user", {"id": user_id, "pseudonym": name})
        assert row is not None
        if row[1] < 0:
            raise not_found("user", user_id)
        await conn.execute(
            QUERIES["record_erasure"],
            {
                "id": user_id,
                "event": Jsonb({"erased": True, "pseudonym": name, "rows_rewritten": row[1]}),
                "key_id": actor.key_id or "",
                "user_id": actor.user_id or "",
                "request_id": actor.request_id,
            },
        )
    return int(row[1])


async def audit_export(db: Db, actor: Actor, user_id: str) -> None:
    async with writing(db) as conn:
        await conn.execute(
            QUERIES["record_export"],
            {
                "id": user_id,
                "key_id": actor.key_id or "",
                "user_id": actor.user_id or "",
                "request_id": actor.request_id,
            },
        )
