"""TOTP second factor for staff (RFC 6238 through pyotp): enrolment and single-use verification."""

from __future__ import annotations

import hmac

import pyotp
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone

from civicflow.workbench.models import StaffTOTP

__all__ = ["ISSUER", "enrolment", "has_totp", "provisioning_uri", "verify"]

ISSUER = "CivicFlow"
_CODE_DIGITS = 6
_MAX_CODE_CHARS = 20  # spaces a user may type between the digit groups


def has_totp(user: AbstractBaseUser) -> bool:
    return StaffTOTP.objects.filter(user_id=user.pk, confirmed__isnull=False).exists()


def enrolment(user: AbstractBaseUser) -> StaffTOTP:
    """The user's TOTP record: a fresh secret when none exists yet."""
    record, _ = StaffTOTP.objects.get_or_create(user_id=user.pk, defaults={"secret": pyotp.random_base32()})
    return record


def provisioning_uri(record: StaffTOTP, username: str) -> str:
    """The otpauth:// URI authenticator apps read."""
    return pyotp.TOTP(record.secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _normalise(code: str) -> str | None:
    code = code[:_MAX_CODE_CHARS].replace(" ", "").replace("-", "")
    return code if len(code) == _CODE_DIGITS and code.isascii() and code.isdigit() else None


def verify(record: StaffTOTP, code: str) -> bool:
    """Whether ``code`` is right now (one step of clock drift either way) and not used before.

    The accepted step is written with a conditional update, so two requests racing with the same
    code cannot both succeed.
    """
    digits = _normalise(code)
    if digits is None:
        return False
    totp = pyotp.TOTP(record.secret)
    now_step = totp.timecode(timezone.now())
    for step in (now_step - 1, now_step, now_step + 1):
        if step <= record.last_step or not hmac.compare_digest(totp.generate_otp(step), digits):
            continue
        changes: dict[str, object] = {"last_step": step}
        if record.confirmed is None:
            changes["confirmed"] = timezone.now()
        won = StaffTOTP.objects.filter(Q(last_step__lt=step), pk=record.pk).update(**changes)
        if won:
            record.refresh_from_db()
        return bool(won)
    return False
