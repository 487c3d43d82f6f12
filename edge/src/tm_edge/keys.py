"""API key format, checksum and hash (docs/edge-origin-contract.md, "API key format").

`ctm_` + 30 base62 random characters + 6 base62 characters of crc32("ctm_" + random), 42 in all.
A key failing format or checksum is refused before any lookup. The origin keeps its own copy of
these constants; tests/contract/ checks they agree.
"""

from __future__ import annotations

import hashlib
import zlib

from . import problems
from .ports import Headers

PREFIX = "ctm_"
RANDOM_LEN = 30
CHECKSUM_LEN = 6
KEY_LEN = len(PREFIX) + RANDOM_LEN + CHECKSUM_LEN
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ALPHABET_SET = frozenset(ALPHABET)


def base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, rem = divmod(number, 62)
        digits.append(ALPHABET[rem])
    return "".join(reversed(digits)).rjust(width, "0")


def checksum(body: str) -> str:
    """The 6-character checksum of `ctm_<random>`."""
    return base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LEN)


def well_formed(key: str) -> bool:
    if len(key) != KEY_LEN or not key.startswith(PREFIX):
        return False
    rest = key[len(PREFIX) :]
    if not _ALPHABET_SET.issuperset(rest):
        return False
    body, check = key[:-CHECKSUM_LEN], key[-CHECKSUM_LEN:]
    return checksum(body) == check


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def display_prefix(key: str) -> str:
    return key[:12]


def make_key(random_part: str) -> str:
    """Build a key from 30 base62 characters (used by tests and tools; the origin mints keys)."""
    if len(random_part) != RANDOM_LEN or not _ALPHABET_SET.issuperset(random_part):
        raise ValueError("random part must be 30 base62 characters")
    body = PREFIX + random_part
    return body + checksum(body)


def extract(headers: Headers) -> str:
    """The presented key, checked for format and checksum; raises a 401 Problem otherwise."""
    presented = None
    auth = headers.get("authorization")
    if auth:
        scheme, _, value = auth.strip().partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            presented = value.strip()
        else:
            raise problems.invalid_api_key("Authorization must use the Bearer scheme.")
    if presented is None:
        header_key = headers.get("x-api-key")
        if header_key:
            presented = header_key.strip()
    if not presented:
        raise problems.missing_api_key()
    if not well_formed(presented):
        raise problems.invalid_api_key("The API key is malformed or its checksum does not match.")
    return presented
