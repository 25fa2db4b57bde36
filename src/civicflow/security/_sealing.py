"""Sealing personal values: AES-256-GCM under a per-subject data key (DEK), the DEK wrapped by a KEK.

No Django here. A sealed value is a token, base64url text (no padding) of::

    version (1 byte) | key id length (1 byte) | key id (ASCII) | nonce (12 random bytes) | ciphertext + tag

The version and key id are authenticated too (they are part of the GCM associated data), and the
caller's associated data binds the subject and field (:func:`field_aad`), so a token copied to
another subject or field fails to open. A wrapped DEK is the same layout without the key id; its
associated data names the KEK id and the subject, so a wrapped DEK moved to another row, or opened
with another KEK, fails. KEK ids are derived from the key material, so several KEKs can coexist
during a rotation and the id stored next to a wrapped DEK says which one opens it.

Errors::

    CivicFlowError
    └── SealingError
        ├── TokenFormatError       not a token of a version we read
        └── TokenRejectedError     authentication failed: tampered, wrong key, wrong subject/field
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from civicflow.errors import CivicFlowError

__all__ = [
    "KEY_BYTES",
    "Kek",
    "SealingError",
    "TokenFormatError",
    "TokenRejectedError",
    "field_aad",
    "new_dek",
    "open_token",
    "seal",
    "token_key_id",
    "unwrap_dek",
    "wrap_dek",
]

VERSION: Final = 1
KEY_BYTES: Final = 32
NONCE_BYTES: Final = 12
_TAG_BYTES: Final = 16
MAX_TOKEN_CHARS: Final = 1_400_000  # about 1 MB sealed; anything longer is refused before decoding


class SealingError(CivicFlowError):
    """A sealed value or wrapped key could not be opened."""


class TokenFormatError(SealingError):
    """The text is not a sealed token (or one of a version this code does not read)."""


class TokenRejectedError(SealingError):
    """Authentication failed: the token was altered, or the key, subject or field is not the one it was sealed for."""


@dataclass(frozen=True, slots=True)
class Kek:
    """A key-encryption key; ``kek_id`` is derived from the key, so it names it without revealing it."""

    key: bytes

    def __post_init__(self) -> None:
        if len(self.key) != KEY_BYTES:
            raise ValueError(f"a KEK is {KEY_BYTES} bytes, not {len(self.key)}")

    @property
    def kek_id(self) -> str:
        return hashlib.sha256(b"civicflow-kek\x00" + self.key).hexdigest()[:16]

    def __repr__(self) -> str:  # never print the key
        return f"Kek({self.kek_id})"


def new_dek() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def _framed(*parts: bytes) -> bytes:
    # length prefixes, so ("ab", "c") and ("a", "bc") never give the same associated data
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


def field_aad(subject_ref: str, field: str) -> bytes:
    """The associated data binding a sealed value to its subject (the hashed reference) and field."""
    return _framed(b"civicflow-field", subject_ref.encode(), field.encode())


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if len(text) > MAX_TOKEN_CHARS:
        raise TokenFormatError(f"a sealed token is at most {MAX_TOKEN_CHARS} characters")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise TokenFormatError("not a sealed token (bad base64url)") from exc


def seal(plaintext: bytes | str, dek: bytes, aad: bytes, *, key_id: str) -> str:
    """Encrypt ``plaintext`` (str as UTF-8) under ``dek`` with a fresh random 96-bit nonce."""
    data = plaintext.encode("utf-8") if isinstance(plaintext, str) else plaintext
    kid = key_id.encode("ascii")
    if not 0 < len(kid) < 256:
        raise ValueError("a key id is 1 to 255 ASCII characters")
    header = bytes([VERSION, len(kid)]) + kid
    nonce = os.urandom(NONCE_BYTES)
    return _b64encode(header + nonce + AESGCM(dek).encrypt(nonce, data, _framed(header, aad)))


def _split(token: str) -> tuple[bytes, str, bytes, bytes]:
    raw = _b64decode(token)
    if len(raw) < 2 or raw[0] != VERSION:
        raise TokenFormatError(f"not a sealed token of version {VERSION}")
    end = 2 + raw[1]
    if raw[1] == 0 or len(raw) < end + NONCE_BYTES + _TAG_BYTES:
        raise TokenFormatError("a sealed token is truncated")
    try:
        kid = raw[2:end].decode("ascii")
    except UnicodeDecodeError as exc:
        raise TokenFormatError("a sealed token's key id is not ASCII") from exc
    return raw[:end], kid, raw[end : end + NONCE_BYTES], raw[end + NONCE_BYTES :]


def token_key_id(token: str) -> str:
    """The key id a token names (unauthenticated until it opens)."""
    return _split(token)[1]


def open_token(token: str, dek: bytes, aad: bytes) -> bytes:
    """Decrypt a token from :func:`seal`; :class:`TokenRejectedError` when anything does not match."""
    header, _kid, nonce, sealed = _split(token)
    try:
        return AESGCM(dek).decrypt(nonce, sealed, _framed(header, aad))
    except InvalidTag as exc:
        raise TokenRejectedError(
            "the sealed value does not open: altered, or sealed for another key, subject or field"
        ) from exc


def _wrap_aad(kek: Kek, subject_ref: str) -> bytes:
    return _framed(b"civicflow-dek", kek.kek_id.encode(), subject_ref.encode())


def wrap_dek(dek: bytes, kek: Kek, subject_ref: str) -> str:
    """AES-256-GCM wrap of a DEK, bound to the KEK id and the subject reference."""
    if len(dek) != KEY_BYTES:
        raise ValueError(f"a DEK is {KEY_BYTES} bytes")
    nonce = os.urandom(NONCE_BYTES)
    return _b64encode(bytes([VERSION]) + nonce + AESGCM(kek.key).encrypt(nonce, dek, _wrap_aad(kek, subject_ref)))


def unwrap_dek(wrapped: str, kek: Kek, subject_ref: str) -> bytes:
    raw = _b64decode(wrapped)
    if len(raw) != 1 + NONCE_BYTES + KEY_BYTES + _TAG_BYTES or raw[0] != VERSION:
        raise TokenFormatError(f"not a wrapped data key of version {VERSION}")
    nonce, sealed = raw[1 : 1 + NONCE_BYTES], raw[1 + NONCE_BYTES :]
    try:
        return AESGCM(kek.key).decrypt(nonce, sealed, _wrap_aad(kek, subject_ref))
    except InvalidTag as exc:
        raise TokenRejectedError(f"the data key does not unwrap with KEK {kek.kek_id}") from exc
