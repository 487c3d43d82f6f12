"""People's access tokens, verified at the edge itself (no origin round trip per request).

The origin issues HS256 JWTs (origin/taskmaster/auth/tokens.py) signed with one of
`JWT_SIGNING_KEYS` (`kid:secret,…`, the same secret list the origin holds); the edge checks them
with the standard library only: `hmac` + `hashlib` (constant-time comparison), `base64`, `json`.
Checked: `alg` HS256, a known `kid`, the signature, `iss`, `aud`, `exp` (no leeway: the edge and
the origin share Cloudflare's clock) and the shape of `sub`/`sid`/`scp`. The session itself is not
checked here: every request of a token reaches the origin (the edge cache is bypassed for
people), which refuses a logged-out or deactivated session on its very next request.

The web console's browsers send the same token in the `tm_session` cookie (HttpOnly, SameSite=
Strict; origin/taskmaster/auth/browser.py) instead of a header: accepted alike when the request
has no `Authorization`/`X-API-Key`. The cookie and the `X-CSRF-Token` header reach the origin,
which checks the CSRF token of a cookie session's writes (the edge holds no CSRF secret).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

from . import problems

ISSUER = "taskmaster"
AUDIENCE = "taskmaster-api"
USER_PREFIX = "user:"  # the signed key-id field names a user: `user:<id>:<session>`
SESSION_COOKIE = "tm_session"


@dataclass(frozen=True)
class UserToken:
    user_id: str
    session_id: str
    scopes: list[str]

    @property
    def identity(self) -> str:
        return f"{USER_PREFIX}{self.user_id}:{self.session_id}"


def looks_like_jwt(credential: str) -> bool:
    return credential.count(".") == 2


def session_cookie(header: str | None) -> str | None:
    """The console's token in a `Cookie` header (the first `tm_session`), or None."""
    for part in (header or "").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name == SESSION_COOKIE and value:
            return value.strip('"')
    return None


def parse_keys(raw: str) -> dict[str, str]:
    keys = {}
    for entry in raw.split(","):
        kid, sep, secret = entry.strip().partition(":")
        if sep and kid and secret:
            keys[kid] = secret
    return keys


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _refuse(detail: str) -> problems.Problem:
    return problems.Problem(
        "invalid-access-token", 401, "Invalid access token", detail, problems.bearer_challenge()
    )


def verify(token: str, keys: dict[str, str], now: float) -> UserToken:
    """The token's user, or a 401 Problem."""
    try:
        head_b64, body_b64, sig_b64 = token.split(".")
        header = json.loads(_b64(head_b64))
        signature = _b64(sig_b64)
    except (ValueError, binascii.Error) as exc:
        raise _refuse("The access token is malformed.") from exc
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise _refuse("The access token is not valid.")
    secret = keys.get(str(header.get("kid", "")))
    if secret is None:
        raise _refuse("The access token is signed by an unknown key.")
    expected = hmac.new(secret.encode(), f"{head_b64}.{body_b64}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        raise _refuse("The access token is not valid.")
    try:
        claims = json.loads(_b64(body_b64))
    except (ValueError, binascii.Error) as exc:
        raise _refuse("The access token is malformed.") from exc
    return _checked(claims, now)


def _checked(claims: object, now: float) -> UserToken:
    if not isinstance(claims, dict):
        raise _refuse("The access token is not valid.")
    audiences = claims.get("aud")
    audiences = audiences if isinstance(audiences, list) else [audiences]
    if claims.get("iss") != ISSUER or AUDIENCE not in audiences:
        raise _refuse("The access token is not valid.")
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or exp <= now:
        raise _refuse("The access token has expired.")
    sub, sid, scp = claims.get("sub"), claims.get("sid"), claims.get("scp")
    if not (isinstance(sub, str) and sub and isinstance(sid, str) and sid and ":" not in sub + sid):
        raise _refuse("The access token is not valid.")
    if not isinstance(scp, list) or not all(isinstance(s, str) for s in scp):
        raise _refuse("The access token is not valid.")
    return UserToken(sub, sid, list(scp))
