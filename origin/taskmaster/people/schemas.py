"""Request and response bodies of people's endpoints (msgspec). No body ever holds a password
hash; the plain refresh token appears only in :class:`TokenPair`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from taskmaster.api.envelope import Meta

Login = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
RefreshToken = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    login: Login
    """Username or email (case-insensitive)."""
    password: Password


class RefreshRequest(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: RefreshToken


class LogoutRequest(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: RefreshToken | None = None


class TokenPair(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


class TokenEnvelope(msgspec.Struct):
    data: TokenPair
    meta: Meta


class User(msgspec.Struct):
    id: UUID
    username: str
    email: str
    is_active: bool
    global_role: str | None
    last_login_at: datetime | None
    failed_login_count: int
    locked_until: datetime | None
    metadata: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime


class Membership(msgspec.Struct):
    project_id: UUID
    project_slug: str
    role: str


class Me(msgspec.Struct):
    user: User | None
    """None for a service key (no owner)."""
    key_id: UUID | None
    memberships: list[Membership]
    scopes: list[str]
    """Scopes held somewhere (globally or in some project)."""
    global_scopes: list[str]
    """Scopes held on every project and on installation-wide resources."""
    projects: list[UUID] | None
    """Projects the caller may read; None: every project."""


class MeEnvelope(msgspec.Struct):
    data: Me
    meta: Meta


class UserEnvelope(msgspec.Struct):
    data: User
    meta: Meta


class BrowserSession(msgspec.Struct):
    """Answer of ``POST /api/v1/auth/session``: the tokens went into HttpOnly cookies; the page
    gets only what it must send back on writes."""

    user_id: UUID
    csrf_token: str
    expires_in: int
    """Seconds until the access token in the cookie expires (renew with ``…/session/refresh``)."""


class BrowserSessionEnvelope(msgspec.Struct):
    data: BrowserSession
    meta: Meta
