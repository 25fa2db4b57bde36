"""The audit trail: append entries (one chain, serialised on the head row), sign checkpoints, verify.

Staff actions call :func:`record` inside their own transaction; the worker copies runtime history
in with :func:`append`. Entries hold references (ids, element ids, variable names), never values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from civicflow.security._chain import (
    GENESIS,
    Checkpoint,
    Entry,
    Fault,
    Problem,
    entry_hash,
    sign_checkpoint,
    verify_chain,
    verify_checkpoints,
)
from civicflow.security._keys import signing_key
from civicflow.security.models import AuditCheckpoint, AuditEntry, AuditHead

__all__ = ["NewEntry", "Report", "append", "checkpoint", "history_cursor", "record", "verify"]

_HEAD = "head"


def iso(at: datetime) -> str:
    """The hashed form of a time: UTC, microseconds, as the database gives it back."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True, kw_only=True)
class NewEntry:
    actor: str
    action: str
    object_type: str
    object_ref: str
    details: Mapping[str, Any] = field(default_factory=dict)
    at: datetime | None = None


def _locked_head() -> AuditHead:
    """The head row, locked; recreated if a test's flush (or an operator) removed the migration's row."""
    head, _created = AuditHead.objects.select_for_update().get_or_create(name=_HEAD, defaults={"hash": GENESIS})
    return head


def append(items: Sequence[NewEntry], *, history_id: int | None = None) -> int:
    """Append ``items`` to the chain in the caller's transaction; the new head's seq.

    The head row is locked (``SELECT ... FOR UPDATE``; SQLite serialises writers), so concurrent
    appends queue and the chain stays one. ``history_id`` moves the history copy's cursor with them.
    """
    now = timezone.now()
    with transaction.atomic():
        head = _locked_head()
        seq, prev = head.seq, head.hash
        rows = []
        for item in items:
            seq += 1
            at = (item.at or now).astimezone(UTC)
            fields = {
                "seq": seq,
                "at": iso(at),
                "actor": item.actor,
                "action": item.action,
                "object_type": item.object_type,
                "object_ref": item.object_ref,
                "details": dict(item.details),
            }
            digest = entry_hash(prev, fields)  # refuses floats before anything is written
            rows.append(AuditEntry(**{**fields, "at": at}, prev_hash=prev, hash=digest))
            prev = digest
        AuditEntry.objects.bulk_create(rows, batch_size=1000)
        head.seq, head.hash = seq, prev
        if history_id is not None:
            head.history_id = history_id
        head.save(update_fields=["seq", "hash", "history_id"])
    return seq


def history_cursor() -> int:
    """The last runtime history id copied into the chain (locks the head: call inside a transaction)."""
    return _locked_head().history_id


def record(*, actor: str, action: str, obj: tuple[str, str], details: Mapping[str, Any] | None = None) -> int:
    """Append one entry for a staff or citizen action: ``obj`` is (object type, reference)."""
    object_type, object_ref = obj
    return append(
        [NewEntry(actor=actor, action=action, object_type=object_type, object_ref=object_ref, details=details or {})]
    )


def checkpoint(*, min_entries: int = 1) -> AuditCheckpoint | None:
    """Sign the current head if at least ``min_entries`` entries follow the last checkpoint; else None."""
    key = signing_key()
    with transaction.atomic():
        head = _locked_head()
        signed_seq = AuditCheckpoint.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        if head.seq - signed_seq < max(min_entries, 1):
            return None
        at = timezone.now().astimezone(UTC)
        signed = sign_checkpoint(key, seq=head.seq, head=head.hash, at=iso(at))
        return AuditCheckpoint.objects.create(
            seq=signed.seq, head=signed.head, at=at, signature=signed.signature, key_id=signed.key_id
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    entries: int
    checkpoints: int
    head: str
    problem: Problem | None

    def message(self) -> str:
        if self.problem is not None:
            return self.problem.message()
        return f"audit trail intact: {self.entries} entries, {self.checkpoints} checkpoints, head {self.head}"


@dataclass(slots=True)
class _Tally:
    """What the streaming read saw: entries, the last seq and hash, the hashes at checkpointed seqs."""

    wanted: set[int]
    entries: int = 0
    last_seq: int = 0
    last_hash: str = ""
    heads: dict[int, str] = field(default_factory=dict)


_COLUMNS = ("seq", "at", "actor", "action", "object_type", "object_ref", "details", "prev_hash", "hash")


def _stored(tally: _Tally, on_progress: Callable[[int], None] | None) -> Iterator[Entry]:
    for row in AuditEntry.objects.order_by("seq").values_list(*_COLUMNS).iterator(chunk_size=5000):
        entry = Entry(**dict(zip(_COLUMNS, (row[0], iso(row[1]), *row[2:]), strict=True)))
        tally.entries += 1
        if on_progress is not None and tally.entries % 5000 == 0:
            on_progress(tally.entries)
        yield entry
        if entry.seq in tally.wanted:
            tally.heads[entry.seq] = entry.hash
        tally.last_seq, tally.last_hash = entry.seq, entry.hash


def verify(on_progress: Callable[[int], None] | None = None) -> Report:
    """Check the whole chain and every checkpoint; the first bad entry (lowest seq) if any."""
    points = [
        Checkpoint(seq=p.seq, head=p.head, at=iso(p.at), signature=p.signature, key_id=p.key_id)
        for p in AuditCheckpoint.objects.order_by("seq")
    ]
    tally = _Tally(wanted={p.seq for p in points})
    chain = verify_chain(_stored(tally, on_progress))
    problems = [] if chain is None else [chain]
    # past a broken chain the checkpoints cannot be compared: the chain's problem comes first anyway
    if points:  # no key is read (or generated) to verify nothing
        key = signing_key().public_key()
        for problem in verify_checkpoints(points, tally.heads, key):
            if problem.fault is Fault.MISSING:  # signed for, then cut off: name the first entry gone
                problem = Problem(seq=tally.last_seq + 1, fault=Fault.MISSING)
            if chain is None or problem.seq < chain.seq:
                problems.append(problem)
    stored_head = AuditHead.objects.filter(name=_HEAD).values_list("seq", flat=True).first() or 0
    if chain is None and stored_head > tally.last_seq:
        problems.append(Problem(seq=tally.last_seq + 1, fault=Fault.MISSING))  # the tail was cut off
    first = min(problems, key=lambda p: p.seq, default=None)
    return Report(entries=tally.entries, checkpoints=len(points), head=tally.last_hash, problem=first)
