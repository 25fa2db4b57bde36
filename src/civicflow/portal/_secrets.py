"""Reference numbers, status secrets and magic-link tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# no 0/O, 1/I/L: a citizen types the secret from a letter or a screen
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_token() -> str:
    """A magic-link token (URL-safe, 256 bits)."""
    return secrets.token_urlsafe(32)


def new_secret() -> str:
    """A status secret a person can type: 12 characters in groups of four (about 59 bits)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def normalise_secret(text: str) -> str:
    """The secret as typed, without spaces or dashes and in capitals, regrouped."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())[:64]
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def matches(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)


def new_reference(prefix: str, year: int) -> str:
    """A reference number such as ``BP-2026-004711`` (random: it must not reveal how many there are)."""
    return f"{prefix}-{year}-{secrets.randbelow(1_000_000):06d}"
