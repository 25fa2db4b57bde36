"""HMAC-SHA256 webhook signatures over ``timestamp.body`` (the scheme Stripe and Svix use).

The sender adds two headers::

    X-CivicFlow-Timestamp: 1718000000                 (Unix seconds)
    X-CivicFlow-Signature: v1=<hex HMAC-SHA256(secret, "1718000000." + body)>

Signing the timestamp with the body lets a receiver refuse replays older than its tolerance;
``v1=`` leaves room for a second scheme during a secret rotation (several ``v1=`` values,
separated by spaces, each checked).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "sign", "signature_headers", "verify"]

TIMESTAMP_HEADER = "X-CivicFlow-Timestamp"
SIGNATURE_HEADER = "X-CivicFlow-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>." + body`` under ``secret``."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: f"v1={sign(secret, timestamp, body)}"}


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """Whether ``headers`` carry a valid signature of ``body`` made within ``tolerance`` seconds of ``now``."""
    lower = {k.lower(): v for k, v in headers.items()}
    try:
        timestamp = int(lower.get(TIMESTAMP_HEADER.lower(), ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    offered = [part[3:] for part in lower.get(SIGNATURE_HEADER.lower(), "").split() if part.startswith("v1=")]
    return any(hmac.compare_digest(expected, value) for value in offered)
