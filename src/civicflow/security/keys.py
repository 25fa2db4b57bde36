"""Personal data sealed under per-subject keys; erasure by crypto-shredding (see docs/security.md).

``seal(subject, field, value)`` encrypts with the subject's data key (created on first use),
``open(subject, field, token)`` decrypts, ``shred(subject)`` deletes the wrapped key (refused under
a legal hold), ``rewrap()`` moves every key to the current KEK. Errors::

    SealingError (civicflow.security._sealing)
    ├── SubjectKeyShreddedError   the subject's key was shredded: the value is gone for good
    ├── SubjectKeyMissingError    no key was ever made for this subject
    └── LegalHoldError            shredding refused while a legal hold is set
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from civicflow.security import _sealing
from civicflow.security._keys_kek import kek_ring, subject_ref
from civicflow.security._sealing import (
    SealingError,
    field_aad,
    new_dek,
    open_token,
    token_key_id,
    unwrap_dek,
    wrap_dek,
)
from civicflow.security.models import SubjectKey

__all__ = [
    "KeyStatus",
    "LegalHoldError",
    "SealingError",
    "SubjectKeyMissingError",
    "SubjectKeyShreddedError",
    "is_shredded",
    "on_hold",
    "open",
    "reference",
    "rewrap",
    "seal",
    "set_legal_hold",
    "shred",
    "status",
]

_BATCH = 500


class SubjectKeyShreddedError(SealingError):
    """The subject's data key was shredded (erasure): what was sealed under it cannot be decrypted."""


class SubjectKeyMissingError(SealingError):
    """No data key exists for the subject, so nothing was ever sealed for them."""


class LegalHoldError(SealingError):
    """The subject's data is under a legal hold (GDPR Art. 17(3)): it may not be erased now."""


def _dek(row: SubjectKey) -> bytes:
    if row.shredded_at is not None:
        raise SubjectKeyShreddedError(
            f"the subject's data key was shredded on {row.shredded_at:%Y-%m-%d}: "
            "their personal data cannot be decrypted"
        )
    return unwrap_dek(row.wrapped_dek, kek_ring().get(row.kek_id), row.subject_ref)


def _key_for_sealing(ref: str) -> SubjectKey:
    row = SubjectKey.objects.filter(subject_ref=ref).first()
    if row is not None:
        return row
    kek = kek_ring().current
    with transaction.atomic():
        row, _created = SubjectKey.objects.get_or_create(
            subject_ref=ref,
            defaults={"wrapped_dek": wrap_dek(new_dek(), kek, ref), "kek_id": kek.kek_id, "created": timezone.now()},
        )
    return row


def seal(subject: str, field: str, value: bytes | str) -> str:
    """The sealed token of ``value`` for this subject and field (the subject's key is made on first use)."""
    ref = subject_ref(subject)
    row = _key_for_sealing(ref)
    return _sealing.seal(value, _dek(row), field_aad(ref, field), key_id=str(row.pk))


def open(subject: str, field: str, token: str) -> bytes:  # noqa: A001 - the API's verb, next to seal
    """Decrypt a token from :func:`seal` (bytes; decode text yourself)."""
    ref = subject_ref(subject)
    kid = token_key_id(token)
    row = SubjectKey.objects.filter(subject_ref=ref).first()
    if row is None:
        raise SubjectKeyMissingError("no data key exists for this subject: the value was not sealed for them")
    dek = _dek(row)
    if kid != str(row.pk):
        raise SealingError("the value was sealed under another subject's key")
    return open_token(token, dek, field_aad(ref, field))


def shred(subject: str) -> bool:
    """Delete the subject's data key for good; False when it was already shredded. Refused under a legal hold.

    A subject without a key gets a shredded row, so nothing can be sealed for them afterwards.
    """
    ref = subject_ref(subject)
    with transaction.atomic():
        row = SubjectKey.objects.select_for_update().filter(subject_ref=ref).first()
        if row is None:
            SubjectKey.objects.create(subject_ref=ref, created=timezone.now(), shredded_at=timezone.now())
            return True
        if row.legal_hold:
            raise LegalHoldError("the subject's data is under a legal hold: lift the hold before erasing it")
        if row.shredded_at is not None:
            return False
        row.wrapped_dek, row.kek_id, row.shredded_at = "", "", timezone.now()
        row.save(update_fields=["wrapped_dek", "kek_id", "shredded_at"])
    return True


def set_legal_hold(subject: str, *, hold: bool) -> None:
    """Set or lift the legal hold that blocks :func:`shred` (a key is made if the subject has none)."""
    row = _key_for_sealing(subject_ref(subject))
    SubjectKey.objects.filter(pk=row.pk).update(legal_hold=hold)


def reference(subject: str) -> str:
    """The keyed hash that stands for the subject in stored rows and audit entries (never the identifier)."""
    return subject_ref(subject)


def on_hold(subject: str) -> bool:
    """Whether a legal hold is set for the subject (read only: no key is made)."""
    return SubjectKey.objects.filter(subject_ref=subject_ref(subject), legal_hold=True).exists()


def is_shredded(subject: str) -> bool:
    """Whether the subject's key was shredded (read only: no key is made)."""
    return SubjectKey.objects.filter(subject_ref=subject_ref(subject), shredded_at__isnull=False).exists()


def rewrap(new_kek_id: str | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Rewrap every live data key under the current KEK (``new_kek_id`` must name it); returns how many moved.

    Idempotent: keys already under the current KEK are left alone, and a rerun after an interruption
    picks up the rest. Each update is conditional on the KEK id read, so a concurrent rewrap is harmless.
    """
    ring = kek_ring()
    target = ring.current
    if new_kek_id is not None and new_kek_id != target.kek_id:
        raise SealingError(f"KEK {new_kek_id} is not the current one ({target.kek_id}): set it as CIVICFLOW_KEK first")
    pending = SubjectKey.objects.filter(shredded_at__isnull=True).exclude(kek_id=target.kek_id).order_by("pk")
    done, last = 0, 0
    while batch := list(pending.filter(pk__gt=last)[:_BATCH]):
        for row in batch:
            dek = unwrap_dek(row.wrapped_dek, ring.get(row.kek_id), row.subject_ref)
            done += SubjectKey.objects.filter(pk=row.pk, kek_id=row.kek_id, shredded_at__isnull=True).update(
                wrapped_dek=wrap_dek(dek, target, row.subject_ref), kek_id=target.kek_id
            )
        last = batch[-1].pk
        if progress is not None:
            progress(done)
    return done


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyStatus:
    current_kek_id: str
    per_kek: dict[str, int]
    shredded: int
    legal_hold: int


def status() -> KeyStatus:
    live = SubjectKey.objects.filter(shredded_at__isnull=True)
    per_kek = dict(live.values_list("kek_id").annotate(n=Count("pk")).order_by("kek_id").values_list("kek_id", "n"))
    return KeyStatus(
        current_kek_id=kek_ring().current.kek_id,
        per_kek=per_kek,
        shredded=SubjectKey.objects.filter(shredded_at__isnull=False).count(),
        legal_hold=SubjectKey.objects.filter(legal_hold=True).count(),
    )
