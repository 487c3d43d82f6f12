"""Optional Cloudflare Access JWT check (``Cf-Access-Jwt-Assertion``), on when ``CF_ACCESS_AUD`` is set.

Behind a Cloudflare Access application the tunnel adds a JWT signed with RS256 by the team's keys.
The origin verifies signature (keys from ``CF_ACCESS_JWKS``: a JWKS JSON document or a path to one,
as served at ``https://<team>.cloudflareaccess.com/cdn-cgi/access/certs``), audience
(``CF_ACCESS_AUD``), expiry/not-before (60 s leeway) and, when ``CF_ACCESS_ISSUER`` is set, the
issuer. Keys are loaded once at start-up; rotate them by restarting with the new JWKS.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from taskmaster.errors import ApiError

LEEWAY_SECONDS = 60


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int(text: str) -> int:
    return int.from_bytes(_b64(text), "big")


def load_jwks(source: str) -> dict[str, rsa.RSAPublicKey]:
    """``kid`` → public key from a JWKS document given inline or as a file path."""
    text = source if source.lstrip().startswith("{") else Path(source).read_text()
    keys: dict[str, rsa.RSAPublicKey] = {}
    for jwk in json.loads(text).get("keys", []):
        if jwk.get("kty") == "RSA" and "n" in jwk and "e" in jwk:
            keys[str(jwk.get("kid", ""))] = rsa.RSAPublicNumbers(
                _int(jwk["e"]), _int(jwk["n"])
            ).public_key()
    if not keys:
        raise ValueError("CF_ACCESS_JWKS holds no RSA key")
    return keys


def _refuse(detail: str) -> ApiError:
    return ApiError(401, "invalid-access-token", "Invalid Cloudflare Access token", detail)


class AccessVerifier:
    def __init__(self, audience: str, keys: dict[str, rsa.RSAPublicKey], issuer: str = "") -> None:
        self._audience = audience
        self._keys = keys
        self._issuer = issuer

    def verify(self, token: str | None, now: float | None = None) -> dict[str, Any]:
        if not token:
            raise _refuse("The Cf-Access-Jwt-Assertion header is missing.")
        try:
            header_b64, payload_b64, signature_b64 = token.split(".")
            header = json.loads(_b64(header_b64))
            claims = json.loads(_b64(payload_b64))
            signature = _b64(signature_b64)
        except (ValueError, binascii.Error) as exc:
            raise _refuse("The access token is malformed.") from exc
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise _refuse("The access token is malformed.")
        if header.get("alg") != "RS256":
            raise _refuse("The access token must be signed with RS256.")
        key = self._keys.get(str(header.get("kid", "")))
        if key is None:
            raise _refuse("The access token is signed by an unknown key.")
        try:
            key.verify(
                signature,
                f"{header_b64}.{payload_b64}".encode("ascii"),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, UnicodeEncodeError) as exc:
            raise _refuse("The access token signature does not verify.") from exc
        now = time.time() if now is None else now
        audiences = claims.get("aud")
        audiences = audiences if isinstance(audiences, list) else [audiences]
        if self._audience not in audiences:
            raise _refuse("The access token is for another application.")
        exp, nbf = claims.get("exp"), claims.get("nbf", 0)
        if not isinstance(exp, (int, float)) or exp + LEEWAY_SECONDS < now:
            raise _refuse("The access token has expired.")
        if isinstance(nbf, (int, float)) and nbf - LEEWAY_SECONDS > now:
            raise _refuse("The access token is not valid yet.")
        if self._issuer and claims.get("iss") != self._issuer:
            raise _refuse("The access token has another issuer.")
        return claims
