"""HTTP adapters for people: ``/api/v1/auth/*`` (login, refresh, logout; ``/auth/session`` the
same for browsers, in cookies), ``GET /api/v1/me`` and the admin-only ``/api/v1/users`` (route
policies: public login/refresh/logout, any caller on ``/me``, administrators on users; none is
cached at the edge or read from the replica)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.response import Stream

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import meta_for
from taskmaster.api.policy import policy
from taskmaster.auth import browser
from taskmaster.auth.authenticate import CSRF_TOKEN_KEY, presented_key
from taskmaster.auth.scopes import ADMIN, AUTHENTICATED, PUBLIC
from taskmaster.db.session import Session
from taskmaster.people import service
from taskmaster.people.schemas import (
    BrowserSession,
    BrowserSessionEnvelope,
    LoginRequest,
    LogoutRequest,
    MeEnvelope,
    RefreshRequest,
    TokenEnvelope,
    UserEnvelope,
)

Req = Request[Any, Any, Any]
Db = NamedDependency[Session]
NO_STORE = {"Cache-Control": "no-store"}


def actor_of(request: Req) -> service.Actor:
    identity = request.scope.get("auth")  # type: ignore[call-overload]
    return service.Actor(
        key_id=getattr(identity, "key_id", None),
        user_id=getattr(identity, "user_id", None),
        request_id=request.scope.get("request_id", ""),
    )


def _line(item: tuple[str, Any]) -> bytes:
    return msgspec.json.encode({"table": item[0], "row": item[1]}) + b"\n"


def _tokens(request: Req, pair: Any) -> Response[TokenEnvelope]:
    return Response(TokenEnvelope(data=pair, meta=meta_for(request)), headers=NO_STORE)


async def _login(request: Req, state: State, db: Db, data: LoginRequest) -> Any:
    """The password login both sign-ins share (tokens in the body, or in the console's cookies)."""
    return await state.sessions.login(
        db,
        data.login,
        data.password,
        client_ip=(request.scope.get("client") or ("",))[0] or None,
        user_agent=request.headers.get("user-agent", ""),
        actor=actor_of(request),
    )


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["people"]
    # Credentials travel in the body (or the bearer token being ended).
    opt = policy(PUBLIC, edge_ttl=None, replica=False)

    @post("/login", status_code=200, responses=problems(*WRITE, 423), summary="Log in")
    async def login(
        self, request: Req, state: State, db: Db, data: JSONBody[LoginRequest]
    ) -> Response[Any]:
        pair = await _login(request, state, db, data)
        return _tokens(request, pair)

    @post("/refresh", status_code=200, responses=problems(*WRITE), summary="Rotate tokens")
    async def refresh(
        self, request: Req, state: State, db: Db, data: JSONBody[RefreshRequest]
    ) -> Response[Any]:
        since = state.people.generation
        try:
            pair = await state.sessions.refresh(db, data.refresh_token, actor_of(request))
        except service.FamilyRevoked:
            # A reused token revoked its family: no cached principal may outlive the answer.
            await state.people.settled(since)
            raise
        return _tokens(request, pair)

    @post(
        "/logout",
        status_code=204,
        responses=problems(*WRITE),
        summary="End the session of the bearer access token (or of a refresh token)",
    )
    async def logout(
        self, request: Req, state: State, db: Db, data: JSONBody[LogoutRequest | None] = None
    ) -> None:
        session_id = None
        if request.headers.get("authorization"):
            _, session_id, _ = await state.people.token_grants(presented_key(request.headers))
        refresh = data.refresh_token if data else None
        if session_id is None and refresh is None:
            raise service.invalid_refresh("Send the access token or the refresh token to end.")
        since = state.people.generation
        await state.sessions.logout(db, session_id, refresh, actor_of(request))
        await state.people.settled(since)


def _secure(request: Req, state: State) -> bool:
    """Secure cookies over https (also as the edge or a proxy saw it) and always in production."""
    forwarded = request.headers.get("x-forwarded-proto", "").lower()
    return (
        request.url.scheme == "https"
        or forwarded == "https"
        or state.settings.environment == "production"
    )


def _browser_session(request: Req, state: State, pair: Any, status: int) -> Response[Any]:
    claims = state.people.tokens.verify(pair.access_token)
    found = BrowserSession(
        user_id=UUID(claims.user_id),
        csrf_token=browser.csrf_token(state.settings.secret_key, claims.session_id),
        expires_in=pair.expires_in,
    )
    cookies = browser.session_cookies(
        pair.access_token,
        pair.refresh_token,
        pair.refresh_expires_in,
        secure=_secure(request, state),
    )
    body = BrowserSessionEnvelope(data=found, meta=meta_for(request))
    return Response(body, status_code=status, headers=NO_STORE, cookies=cookies)


def _cookie_session_id(request: Req, state: State) -> str | None:
    """The session named by the request's (possibly expired) session cookie, once the request
    proved it comes from the console: its CSRF token matches that session."""
    token = request.cookies.get(browser.SESSION_COOKIE)
    if not token:
        return None
    claims = state.people.tokens.verify(token, expired_ok=True)
    presented = request.headers.get(browser.CSRF_HEADER)
    browser.check_csrf(state.settings.secret_key, claims.session_id, presented)
    return claims.session_id


class BrowserSessionController(Controller):
    """The console's sign-in (docs/console.md): the login of ``/auth/login`` with its tokens in
    HttpOnly cookies (auth/browser.py). Public like the login; renewal and logout check the
    session cookie and its CSRF token themselves."""

    path = browser.SESSION_PATH
    tags = ["people"]
    opt = policy(PUBLIC, edge_ttl=None, replica=False)

    @post("/", status_code=201, responses=problems(*WRITE, 423), summary="Log in (cookies)")
    async def start(
        self, request: Req, state: State, db: Db, data: JSONBody[LoginRequest]
    ) -> Response[Any]:
        pair = await _login(request, state, db, data)
        return _browser_session(request, state, pair, 201)

    @post("/refresh", status_code=200, responses=problems(*WRITE), summary="Renew (cookies)")
    async def renew(self, request: Req, state: State, db: Db) -> Response[Any]:
        refresh = request.cookies.get(browser.REFRESH_COOKIE)
        if _cookie_session_id(request, state) is None or not refresh:
            raise service.invalid_refresh("No browser session to renew; log in again.")
        since = state.people.generation
        try:
            pair = await state.sessions.refresh(db, refresh, actor_of(request))
        except service.FamilyRevoked:
            await state.people.settled(since)
            raise
        return _browser_session(request, state, pair, 200)

    @delete("/", status_code=204, responses=problems(*WRITE), summary="Log out (cookies)")
    async def end(self, request: Req, state: State, db: Db) -> Response[None]:
        session_id = _cookie_session_id(request, state)
        refresh = request.cookies.get(browser.REFRESH_COOKIE)
        if session_id is not None or refresh:
            since = state.people.generation
            await state.sessions.logout(db, session_id, refresh, actor_of(request))
            await state.people.settled(since)
        cleared = browser.cleared_cookies(secure=_secure(request, state))
        return Response(None, status_code=204, headers=NO_STORE, cookies=cleared)


@get(
    "/api/v1/me",
    responses=problems(*COMMON),
    summary="Who am I",
    tags=["people"],
    opt=policy(AUTHENTICATED, edge_ttl=None, replica=False),
)
async def me(request: Req, state: State) -> Response[MeEnvelope]:
    identity = request.scope["auth"]  # type: ignore[typeddict-item]
    grants = identity.effective_grants()
    found = await service.me(
        # Not the request's Session: its tenancy is the projects the caller may read tasks of,
        # and a membership whose role cannot is still the caller's own (row-level security on
        # projects would hide it). The query reads the caller's rows alone.
        state.pool,
        identity.user_id,
        identity.key_id,
        grants,
        grants.projects_for("tasks:read"),
    )
    headers = dict(NO_STORE)
    csrf = request.scope.get(CSRF_TOKEN_KEY)  # type: ignore[call-overload]
    if csrf is not None:  # signed in by a cookie: the page needs the token for its writes
        headers[browser.CSRF_RESPONSE_HEADER] = csrf
    return Response(MeEnvelope(data=found, meta=meta_for(request)), headers=headers)


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["people"]
    opt = policy(ADMIN, edge_ttl=None, replica=False)

    @get("/{user_id:uuid}", responses=problems(*COMMON), summary="Get a user")
    async def get_user(self, request: Req, db: Db, user_id: FromPath[UUID]) -> Response[Any]:
        user = await service.get_user(db, str(user_id))
        return Response(UserEnvelope(data=user, meta=meta_for(request)), headers=NO_STORE)

    @post("/{user_id:uuid}/unlock", status_code=204, responses=problems(*WRITE))
    async def unlock(self, request: Req, db: Db, user_id: FromPath[UUID]) -> None:
        await service.unlock(db, actor_of(request), str(user_id))

    @get(
        "/{user_id:uuid}/export",
        responses=problems(*COMMON),
        summary="Every row that references the user (NDJSON, streamed)",
        media_type="application/x-ndjson",
    )
    async def export(self, request: Req, db: Db, user_id: FromPath[UUID]) -> Stream:
        rows = service.export_rows(db, str(user_id))
        first = await anext(rows, None)  # a 404 surfaces before the 200 starts streaming
        await service.audit_export(db, actor_of(request), str(user_id))

        async def lines() -> AsyncIterator[bytes]:
            if first is None:
                return
            yield _line(first)
            async for item in rows:
                yield _line(item)

        return Stream(lines(), media_type="application/x-ndjson", headers=NO_STORE)

    @post("/{user_id:uuid}/erase", status_code=200, responses=problems(*WRITE))
    async def erase(
        self, request: Req, state: State, db: Db, user_id: FromPath[UUID]
    ) -> Response[Any]:
        since = state.people.generation
        rewritten = await service.erase(db, actor_of(request), str(user_id))
        await state.people.settled(since)
        body = {"user_id": str(user_id), "pseudonym": service.pseudonym(str(user_id)),
                "rows_rewritten": rewritten}  # fmt: skip
        return Response({"data": body, "meta": meta_for(request)}, headers=NO_STORE)

    @post("/{user_id:uuid}/deactivate", status_code=204, responses=problems(*WRITE))
    async def deactivate(self, request: Req, state: State, db: Db, user_id: FromPath[UUID]) -> None:
        since = state.people.generation
        await service.set_active(db, actor_of(request), str(user_id), False)
        await state.people.settled(since)
