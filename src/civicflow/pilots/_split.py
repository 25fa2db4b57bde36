"""Which version a new instance gets: a pure function of the pilot's salt and the business key."""

from __future__ import annotations

import hashlib
from decimal import Decimal

__all__ = ["in_candidate_share"]

_SCALE = 2**64


def in_candidate_share(salt: str, business_key: str, share: Decimal) -> bool:
    """Whether ``business_key`` falls in the candidate's ``share`` of this pilot.

    SHA-256 of salt and key, read as a number in [0, 1): uniform, the same answer every time for
    the same key (a retried start lands on the same version), and unrelated across pilots.
    """
    digest = hashlib.sha256(f"{salt}\x00{business_key}".encode()).digest()
    position = Decimal(int.from_bytes(digest[:8], "big")) / _SCALE
    return position < share
