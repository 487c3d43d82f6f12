"""Streaming authenticated encryption of backup files (AES-256-GCM in 1 MiB chunks).

File layout: ``MAGIC`` (6 bytes) + an 8-byte random nonce prefix, then chunks of ``length (4 bytes,
big-endian) + ciphertext-with-tag``. Chunk *i* uses the nonce ``prefix + i`` (4 bytes) and the
associated data ``MAGIC + prefix + final flag``: chunks cannot be reordered, dropped or the file
cut short without decryption failing. The key is ``BACKUP_ENCRYPTION_KEY``: 32 bytes, urlsafe
base64 (``Fernet.generate_key()`` output works). Fernet itself is not used because it needs the
whole message in memory.
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
from collections.abc import Iterable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"TMBK\x01\n"
CHUNK = 1 << 20
TAG = 16


class BackupCryptoError(ValueError):
    """Wrong key, or a damaged or truncated encrypted backup."""


def load_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError) as exc:
        raise BackupCryptoError("BACKUP_ENCRYPTION_KEY is not urlsafe base64") from exc
    if len(key) != 32:
        raise BackupCryptoError("BACKUP_ENCRYPTION_KEY must decode to 32 bytes")
    return key


def _aad(prefix: bytes, final: bool) -> bytes:
    return MAGIC + prefix + (b"\x01" if final else b"\x00")


def encrypt(chunks: Iterable[bytes], key: bytes) -> Iterator[bytes]:
    """Encrypt a stream of byte chunks (any sizes) into the file format above."""
    aead = AESGCM(key)
    prefix = os.urandom(8)
    yield MAGIC + prefix
    buffer = b""
    pending: bytes | None = None
    index = 0

    def seal(data: bytes, final: bool) -> bytes:
        nonce = prefix + struct.pack(">I", index)
        sealed = aead.encrypt(nonce, data, _aad(prefix, final))
        return struct.pack(">I", len(sealed)) + sealed

    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= CHUNK:
            if pending is not None:
                yield seal(pending, False)
                index += 1
            pending, buffer = buffer[:CHUNK], buffer[CHUNK:]
    if pending is not None and buffer:
        yield seal(pending, False)
        index += 1
        pending = buffer
    elif pending is None:
        pending = buffer
    yield seal(pending, True)


def decrypt(read: Iterable[bytes], key: bytes) -> Iterator[bytes]:
    """Decrypt a stream produced by :func:`encrypt`; raises :class:`BackupCryptoError`."""
    aead = AESGCM(key)
    stream = _Reader(read)
    header = stream.take(len(MAGIC) + 8)
    if header[: len(MAGIC)] != MAGIC:
        raise BackupCryptoError("not an encrypted TaskMaster backup")
    prefix = header[len(MAGIC) :]
    index = 0
    while True:
        size_bytes = stream.take(4)
        if len(size_bytes) < 4:
            raise BackupCryptoError("the encrypted backup is truncated")
        (size,) = struct.unpack(">I", size_bytes)
        if size < TAG or size > CHUNK + TAG:
            raise BackupCryptoError("the encrypted backup is damaged")
        sealed = stream.take(size)
        if len(sealed) < size:
            raise BackupCryptoError("the encrypted backup is truncated")
        nonce = prefix + struct.pack(">I", index)
        final = stream.at_end()
        try:
            yield aead.decrypt(nonce, sealed, _aad(prefix, final))
        except InvalidTag as exc:
            raise BackupCryptoError(
                "decryption failed: wrong BACKUP_ENCRYPTION_KEY, or a damaged or truncated file"
            ) from exc
        if final:
            return
        index += 1


class _Reader:
    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""

    def _fill(self, size: int) -> None:
        while len(self._buffer) < size:
            chunk = next(self._chunks, b"")
            if not chunk:
                return
            self._buffer += chunk

    def take(self, size: int) -> bytes:
        self._fill(size)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def at_end(self) -> bool:
        self._fill(1)
        return not self._buffer
