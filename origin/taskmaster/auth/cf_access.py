"""Optional Cloudflare Access JWT check (``Cf-Access-Jwt-Assertion``), on when ``CF_ACCESS_AUD`` is set.

Behind a Cloudflare Access application the tunnel adds a JWT signed with RS256 by the team's keys.
The origin verifies it with PyJWT: signature (keys from ``CF_ACCESS_JWKS``), audience
(``CF_ACCESS_AUD``), expiry/not-before (60 s leeway) and, when ``CF_ACCESS_ISSUER`` is set, the
issuer.

Access rotates its signing keys, so the key set is not loaded once: ``CF_ACCESS_JWKS`` is the
certs URL (``https://<team>.cloudflareaccess.com/cdn-cgi/access/certs``), fetched again every
:data:`REFRESH_SECONDS` and whenever a token names a ``kid`` not seen yet (at most once per
:data:`MIN_REFETCH_SECONDS`, so forged kids cannot make the origin hammer Access); or a file path,
read again when it changes; or an inline JWKS document (fixed, for tests and air-gapped setups).

The token's ``email`` claim is the SSO identity: ``people/authn.py`` maps it to a user.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from taskmaster.errors import ApiError

LEEWAY_SECONDS = 60
REFRESH_SECONDS = 300.0
MIN_REFETCH_SECONDS = 10.0
FETCH_TIMEOUT_SECONDS = 3.0
logger = logging.getLogger("taskmaster.auth.cf_access")
Keys = dict[str, rsa.RSAPublicKey]


def parse_jwks(text: str) -> Keys:
    """``kid`` → RSA public key of a JWKS document (other key types are skipped)."""
    keys: Keys = {}
    for jwk in json.loads(text).get("keys", []):
        if jwk.get("kty") != "RSA":
            continue
        key = jwt.PyJWK.from_dict(jwk, algorithm="RS256").key
        if isinstance(key, rsa.RSAPublicKey):
            keys[str(jwk.get("kid", ""))] = key
    if not keys:
        raise ValueError("CF_ACCESS_JWKS holds no RSA key")
    return keys


def _fetch_url(url: str) -> str:
    response = httpx.get(url, timeout=FETCH_TIMEOUT_SECONDS, headers={"Accept": "application/json"})
    response.raise_for_status()
    return response.text


class JwksSource:
    """The current Access key set, refreshed from where ``CF_ACCESS_JWKS`` points."""

    def __init__(
        self,
        source: str,
        *,
        fetch: Callable[[str], str] = _fetch_url,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source.strip()
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._inline = self._source.startswith("{")
        self._url = self._source.startswith(("https://", "http://"))
        self._keys: Keys = {}
        self._loaded_at = -1e18
        self._stamp: float | None = None
        self._reload()  # a bad source fails at start-up, not on the first request

    def _read(self) -> str:
        if self._inline:
            return self._source
        if self._url:
            return self._fetch(self._source)
        with open(self._source) as handle:
            return handle.read()

    def _reload(self) -> None:
        self._loaded_at = self._clock()
        try:
            self._keys = parse_jwks(self._read())
            if not (self._inline or self._url):
                self._stamp = os.stat(self._source).st_mtime
        except (OSError, ValueError, httpx.HTTPError) as exc:
            if not self._keys:
                raise
            logger.warning("Access keys not refreshed (%s); keeping the previous set", exc)

    def _stale(self, kid: str) -> bool:
        if self._inline:
            return False
        age = self._clock() - self._loaded_at
        if not self._url:
            try:
                return os.stat(self._source).st_mtime != self._stamp
            except OSError:
                return False
        return age >= REFRESH_SECONDS or (kid not in self._keys and age >= MIN_REFETCH_SECONDS)

    def key(self, kid: str) -> rsa.RSAPublicKey | None:
        if self._stale(kid):
            with self._lock:
                if self._stale(kid):
                    self._reload()
        return self._keys.get(kid)


def load_jwks(source: str) -> JwksSource:
    return JwksSource(source)


def _refuse(detail: str) -> ApiError:
    return ApiError(401, "invalid-access-token", "Invalid Cloudflare Access token", detail)


class AccessVerifier:
    def __init__(self, audience: str, keys: Keys | JwksSource, issuer: str = "") -> None:
        self._audience = audience
        self._keys = keys
        self._issuer = issuer

    def _key(self, kid: str) -> rsa.RSAPublicKey | None:
        if isinstance(self._keys, JwksSource):
            return self._keys.key(kid)
        return self._keys.get(kid)

    def verify(self, token: str | None) -> dict[str, Any]:
        if not token:
            raise _refuse("The Cf-Access-Jwt-Assertion header is missing.")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise _refuse("The access token is malformed.") from exc
        if header.get("alg") != "RS256":
            raise _refuse("The access token must be signed with RS256.")
        key = self._key(str(header.get("kid", "")))
        if key is None:
            raise _refuse("The access token is signed by an unknown key.")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self._audience,
                issuer=self._issuer or None,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise _refuse("The access token has expired.") from exc
        except jwt.ImmatureSignatureError as exc:
            raise _refuse("The access token is not valid yet.") from exc
        except jwt.InvalidAudienceError as exc:
            raise _refuse("The access token is for another application.") from exc
        except jwt.InvalidIssuerError as exc:
            raise _refuse("The access token has another issuer.") from exc
        except jwt.InvalidTokenError as exc:
            raise _refuse("The access token signature does not verify.") from exc
        return claims
