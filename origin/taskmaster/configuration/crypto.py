"""Encryption of sensitive configuration values: Fernet (AES-128-CBC + HMAC-SHA256, from the
``cryptography`` package) under ``TASKMASTER_CONFIG_KEY``.

The setting may list several keys separated by commas: the first encrypts, every one decrypts, so
a key is rotated by prepending a new one, re-saving the sensitive settings, then dropping the old.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import msgspec
from cryptography.fernet import Fernet, MultiFernet


@lru_cache(maxsize=4)
def cipher(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(key.strip().encode()) for key in keys.split(",") if key.strip()])


def encrypt(keys: str, value: Any) -> bytes:
    return cipher(keys).encrypt(msgspec.json.encode(value))


def decrypt(keys: str, token: bytes) -> Any:
    return msgspec.json.decode(cipher(keys).decrypt(bytes(token)))
