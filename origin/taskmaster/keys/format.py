"""The API key format of docs/edge-origin-contract.md: ``ctm_`` + 30 base62 + 6 base62 CRC32.

Pure functions, no I/O: a key that fails :func:`well_formed` is refused before any lookup. The edge
keeps its own copy of these constants (edge/src/tm_edge/keys.py); the contract fixes both.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import zlib

PREFIX = "ctm_"
RANDOM_LEN = 30
CHECKSUM_LEN = 6
KEY_LEN = len(PREFIX) + RANDOM_LEN + CHECKSUM_LEN
DISPLAY_PREFIX_LEN = 12
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ALPHABET_SET = frozenset(ALPHABET)


def base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, rem = divmod(number, 62)
        digits.append(ALPHABET[rem])
    return "".join(reversed(digits)).rjust(width, "0")


def checksum(body: str) -> str:
    """The 6-character checksum of ``ctm_<random>``."""
    return base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LEN)


def generate_key() -> str:
    """A new plain key: 30 characters from the OS CSPRNG (~178 bits) plus the checksum."""
    body = PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LEN))
    return body + checksum(body)


def well_formed(key: str) -> bool:
    """Format and checksum only: no secret is involved, so no lookup is needed to refuse a typo."""
    if len(key) != KEY_LEN or not key.startswith(PREFIX):
        return False
    if not _ALPHABET_SET.issuperset(key[len(PREFIX) :]):
        return False
    return hmac.compare_digest(checksum(key[:-CHECKSUM_LEN]), key[-CHECKSUM_LEN:])


def key_hash(key: str) -> str:
    """What is stored and looked up: lower-case hex SHA-256 of the whole key."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def display_prefix(key: str) -> str:
    return key[:DISPLAY_PREFIX_LEN]
