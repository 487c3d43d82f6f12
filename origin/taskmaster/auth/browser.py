"""Browser sessions (the web console, docs/console.md): cookies instead of bearer headers.

- ``tm_session`` holds the person's access token (the same JWT ``/api/v1/auth/login`` answers),
  ``tm_refresh`` its refresh token (sent only to ``/api/v1/auth/session``); both HttpOnly,
  SameSite=Strict, Secure when the request came over https (or in production). No token is ever
  in a URL, in a page or in script-readable storage.
- A cookie is sent by the browser on its own, so every state-changing request it authenticates
  must also carry ``X-CSRF-Token``: an HMAC of the login session (or of the Cloudflare Access user)
  under ``TASKMASTER_SECRET_KEY``. A page of another site can neither read it nor forge it; the
  console reads it from ``GET /api/v1/me`` (response header) or the login answer.
"""

from __future__ import annotations

import hashlib
import hmac

from litestar.datastructures import Cookie

from taskmaster.errors import ApiError

SESSION_COOKIE = "tm_session"
REFRESH_COOKIE = "tm_refresh"
SESSION_PATH = "/api/v1/auth/session"
CSRF_HEADER = "x-csrf-token"
CSRF_RESPONSE_HEADER = "X-CSRF-Token"
ACCESS_SUBJECT = "access:"  # CSRF subject of a browser signed in by Cloudflare Access


def cookie_value(header: str | None, name: str) -> str | None:
    """The value of cookie ``name`` in a ``Cookie`` header (the first one), or None."""
    if not header:
        return None
    for part in header.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name and value:
            return value.strip('"')
    return None


def csrf_token(secret: str, subject: str) -> str:
    return hmac.new(secret.encode(), b"csrf:" + subject.encode(), hashlib.sha256).hexdigest()


def csrf_refused() -> ApiError:
    return ApiError(
        403,
        "csrf-token-invalid",
        "CSRF token missing or invalid",
        "A request signed in by a cookie must send the X-CSRF-Token the console was given.",
    )


def check_csrf(secret: str, subject: str, presented: str | None) -> None:
    if not presented or not hmac.compare_digest(presented, csrf_token(secret, subject)):
        raise csrf_refused()


def session_cookies(
    access: str, refresh: str, refresh_max_age: int, *, secure: bool
) -> list[Cookie]:
    """Both cookies live as long as the refresh token: an expired access token in ``tm_session``
    still names the session that ``POST /api/v1/auth/session/refresh`` renews."""
    common = {"httponly": True, "samesite": "strict", "secure": secure, "max_age": refresh_max_age}
    return [
        Cookie(key=SESSION_COOKIE, value=access, path="/", **common),  # type: ignore[arg-type]
        Cookie(key=REFRESH_COOKIE, value=refresh, path=SESSION_PATH, **common),  # type: ignore[arg-type]
    ]


def cleared_cookies(*, secure: bool) -> list[Cookie]:
    common = {"httponly": True, "samesite": "strict", "secure": secure, "max_age": 0}
    return [
        Cookie(key=SESSION_COOKIE, value="", path="/", **common),  # type: ignore[arg-type]
        Cookie(key=REFRESH_COOKIE, value="", path=SESSION_PATH, **common),  # type: ignore[arg-type]
    ]
