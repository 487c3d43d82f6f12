"""People's access tokens: short-lived JWTs (HS256, PyJWT) with ``kid``-based key rotation.

Claims: ``iss`` ``taskmaster``, ``aud`` ``taskmaster-api``, ``sub`` the user id, ``sid`` the login
session (the refresh-token family; revoking it ends the token at once at the origin and within the
edge's session TTL), ``scp`` the user's scopes (for the edge's route check and cache partition; the
origin re-derives them from the database), ``iat``/``exp``. The header's ``kid`` names the key of
``JWT_SIGNING_KEYS`` that signed it: the first key signs, every listed key verifies.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt

from taskmaster.errors import ApiError

ISSUER = "taskmaster"
AUDIENCE = "taskmaster-api"
ALGORITHM = "HS256"
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="taskmaster", error="invalid_token"'}


def invalid_token(detail: str) -> ApiError:
    return ApiError(
        401, "invalid-access-token", "Invalid access token", detail, headers=dict(BEARER_CHALLENGE)
    )


def looks_like_jwt(credential: str) -> bool:
    """An API key (``ctm_…``) has no dot; a JWT has exactly two."""
    return credential.count(".") == 2


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: str
    session_id: str
    scopes: tuple[str, ...]
    expires_at: int


class AccessTokens:
    def __init__(self, keys: tuple[tuple[str, str], ...], ttl_s: int) -> None:
        if not keys:
            raise ValueError("at least one JWT signing key is needed")
        self._signing_kid, self._signing_secret = keys[0]
        self._secrets = dict(keys)
        self.ttl_s = ttl_s

    def issue(
        self, user_id: str, session_id: str, scopes: tuple[str, ...], now: float | None = None
    ) -> tuple[str, int]:
        """A signed token and its expiry (epoch seconds)."""
        issued = int(time.time() if now is None else now)
        expires = issued + self.ttl_s
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": user_id,
            "sid": session_id,
            "scp": list(scopes),
            "iat": issued,
            "exp": expires,
        }
        token = jwt.encode(
            claims, self._signing_secret, algorithm=ALGORITHM, headers={"kid": self._signing_kid}
        )
        return token, expires

    def verify(self, token: str, *, expired_ok: bool = False) -> AccessClaims:
        """The token's claims; 401 problem when it is malformed, forged, expired or foreign.
        ``expired_ok``: an expired token still names its session (a browser renewing its cookie
        session, auth/browser.py), never a grant by itself."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as exc:
            raise invalid_token("The access token is malformed.") from exc
        secret = self._secrets.get(kid) if isinstance(kid, str) else None
        if secret is None:
            raise invalid_token("The access token is signed by an unknown key.")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={
                    "require": ["exp", "iat", "sub", "sid", "iss", "aud"],
                    "verify_exp": not expired_ok,
                },
            )
        except jwt.ExpiredSignatureError as exc:
            raise invalid_token("The access token has expired.") from exc
        except jwt.InvalidTokenError as exc:
            raise invalid_token("The access token is not valid.") from exc
        scopes = claims.get("scp")
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise invalid_token("The access token is not valid.")
        return AccessClaims(str(claims["sub"]), str(claims["sid"]), tuple(scopes), claims["exp"])
