"""Lockout after repeated failed staff sign-ins, per account and per client address.

Every failed password or code adds one to two counters: the account's (``account:<username>``,
whether or not the account exists, so a lock tells nothing about which names are real) and the
client address's (``address:<ip>``). ``CIVICFLOW_SIGNIN_MAX_FAILURES`` failures within
``CIVICFLOW_SIGNIN_WINDOW`` seconds lock the key for ``CIVICFLOW_SIGNIN_LOCK`` seconds. A
successful sign-in clears the account's counter; the address's runs out with its window.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from civicflow.workbench.models import SignInThrottle

__all__ = ["clear_account", "is_locked", "record_failure"]

_MAX_KEY = 200


def _keys(request: HttpRequest, username: str) -> list[str]:
    address = str(request.META.get("REMOTE_ADDR") or "unknown")
    return [f"account:{username.strip().lower()}"[:_MAX_KEY], f"address:{address}"[:_MAX_KEY]]


def is_locked(request: HttpRequest, username: str) -> bool:
    """Whether sign-in attempts for ``username`` or from this client are refused now."""
    return SignInThrottle.objects.filter(key__in=_keys(request, username), locked_until__gt=timezone.now()).exists()


def record_failure(request: HttpRequest, username: str) -> None:
    """Count one failed password or code against the account and the client address."""
    now = timezone.now()
    window = timedelta(seconds=settings.CIVICFLOW_SIGNIN_WINDOW)
    with transaction.atomic():
        for key in _keys(request, username):
            row, _ = SignInThrottle.objects.select_for_update().get_or_create(key=key, defaults={"window_start": now})
            if row.window_start < now - window:
                row.failures, row.window_start = 0, now
            row.failures += 1
            if row.failures >= settings.CIVICFLOW_SIGNIN_MAX_FAILURES:
                row.locked_until = now + timedelta(seconds=settings.CIVICFLOW_SIGNIN_LOCK)
                row.failures, row.window_start = 0, now
            row.save()


def clear_account(username: str) -> None:
    """A successful sign-in: the account's failures are forgiven (the address's are not)."""
    SignInThrottle.objects.filter(key=f"account:{username.strip().lower()}"[:_MAX_KEY]).delete()
