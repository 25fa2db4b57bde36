"""The audit hash chain and its signed checkpoints: pure code, no Django, no clock, no I/O.

Canonical form (RFC 8785 JCS, restricted to the types audit entries use): objects with keys
sorted by code point, arrays, strings, integers, booleans and null; no insignificant whitespace;
UTF-8. Floats are refused (``AuditFormatError``): their JCS form depends on ECMAScript number
formatting, and an audit entry holds references, never measurements, so callers pass numbers
that are not integers as strings.

Entry hash = SHA-256(prev_hash bytes || canonical(entry fields)), hex; the first entry's
prev_hash is 64 zeros. A checkpoint signs ``canonical({"seq", "head", "at"})`` with Ed25519.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from civicflow.errors import CivicFlowError

__all__ = [
    "GENESIS",
    "AuditFormatError",
    "Checkpoint",
    "Entry",
    "Fault",
    "Problem",
    "canonical",
    "checkpoint_message",
    "entry_hash",
    "key_id",
    "sign_checkpoint",
    "verify_chain",
    "verify_checkpoints",
]

GENESIS: Final = "0" * 64
# hostile input bounded: nesting deeper than this is not a reference
_MAX_DEPTH: Final = 16


class AuditFormatError(CivicFlowError, ValueError):
    """A value cannot be put in canonical form (a float, NaN, a non-string key, too deep)."""


def _check(value: object, depth: int = 0) -> None:
    if depth > _MAX_DEPTH:
        raise AuditFormatError("audit value nested too deeply")
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        raise AuditFormatError("audit values may not be floats (pass them as strings)")
    if isinstance(value, list | tuple):
        for item in value:
            _check(item, depth + 1)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise AuditFormatError("audit object keys must be strings")
            _check(item, depth + 1)
        return
    raise AuditFormatError(f"audit values may not be {type(value).__name__}")


def canonical(value: object) -> bytes:
    """The JCS (RFC 8785) bytes of ``value``; refuses floats and anything but JSON types."""
    _check(value)
    # sort_keys sorts by code point, which equals JCS's UTF-16 order for the BMP keys we use
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One audit entry as stored: ``at`` is an ISO 8601 UTC string, ``details`` references only."""

    seq: int
    at: str
    actor: str
    action: str
    object_type: str
    object_ref: str
    details: Mapping[str, Any]
    prev_hash: str
    hash: str

    def fields(self) -> dict[str, Any]:
        """What the hash covers: everything but the hash itself."""
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_ref": self.object_ref,
            "details": dict(self.details),
        }


def entry_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(dict(fields))).hexdigest()


class Fault(StrEnum):
    CHANGED = "changed"  # the stored hash does not match the entry's fields
    MISSING = "missing"  # a gap in the sequence numbers
    MOVED = "inserted or moved"  # prev_hash does not link to the entry before it
    CHECKPOINT = "checkpoint"  # a checkpoint's signature or head does not match


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """The first bad entry (``seq``) and why."""

    seq: int
    fault: Fault
    detail: str = ""

    def message(self) -> str:
        if self.fault is Fault.CHANGED:
            return f"audit entry #{self.seq} was changed (hash mismatch)"
        if self.fault is Fault.MISSING:
            return f"audit entry #{self.seq} is missing"
        if self.fault is Fault.MOVED:
            return f"audit entry #{self.seq} was inserted or moved (it does not link to the entry before it)"
        return f"audit checkpoint at #{self.seq} does not verify ({self.detail})"


def verify_chain(entries: Iterable[Entry], *, start_seq: int = 1, start_hash: str = GENESIS) -> Problem | None:
    """Check ``entries`` in ``seq`` order; the first problem, or None when the chain holds.

    For each entry: a gap in the numbers names the first missing one (a deletion); a link to
    anything but the previous entry's hash names the entry out of place (an insertion or a
    swap); a hash that does not cover the entry's fields names the edited entry. A forged entry
    that links correctly is only caught at the entry after it, whose link it broke.
    """
    expected_seq, prev = start_seq, start_hash
    for entry in entries:
        if entry.seq > expected_seq:
            return Problem(seq=expected_seq, fault=Fault.MISSING)
        if entry.seq < expected_seq or entry.prev_hash != prev:
            return Problem(seq=entry.seq, fault=Fault.MOVED)
        if entry_hash(entry.prev_hash, entry.fields()) != entry.hash:
            return Problem(seq=entry.seq, fault=Fault.CHANGED)
        expected_seq, prev = entry.seq + 1, entry.hash
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkpoint:
    """A signed tree head: the chain's head hash at ``seq``, when, by which key."""

    seq: int
    head: str
    at: str
    signature: str  # hex
    key_id: str


def checkpoint_message(seq: int, head: str, at: str) -> bytes:
    return canonical({"seq": seq, "head": head, "at": at})


def key_id(public_key: Ed25519PublicKey) -> str:
    """The first 16 hex digits of SHA-256 of the raw public key."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign_checkpoint(private_key: Ed25519PrivateKey, *, seq: int, head: str, at: str) -> Checkpoint:
    signature = private_key.sign(checkpoint_message(seq, head, at)).hex()
    return Checkpoint(seq=seq, head=head, at=at, signature=signature, key_id=key_id(private_key.public_key()))


def verify_checkpoints(
    checkpoints: Iterable[Checkpoint], heads: Mapping[int, str], public_key: Ed25519PublicKey
) -> Iterator[Problem]:
    """Problems with ``checkpoints``: a bad signature, or a head that differs from the chain's at that seq.

    ``heads`` maps sequence numbers to the verified chain's hash there; a checkpoint beyond the
    chain's end means entries signed for were truncated.
    """
    for point in checkpoints:
        try:
            public_key.verify(bytes.fromhex(point.signature), checkpoint_message(point.seq, point.head, point.at))
        except (InvalidSignature, ValueError):
            yield Problem(seq=point.seq, fault=Fault.CHECKPOINT, detail="bad signature")
            continue
        actual = heads.get(point.seq)
        if actual is None:
            yield Problem(seq=point.seq, fault=Fault.MISSING, detail="signed by a checkpoint")
        elif actual != point.head:
            yield Problem(seq=point.seq, fault=Fault.CHECKPOINT, detail="head differs from the chain")
