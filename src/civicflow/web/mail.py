"""The mail queue: queue a message in the caller's transaction, let the worker send it.

``civicflow worker`` runs :func:`send_due` between batches. A pass claims due messages by
pushing ``next_attempt_at`` a lease ahead (a second worker skips them), sends each through
Django's mail (the ``CIVICFLOW_SMTP_HOST`` server), and records the outcome: attempt *n* failing is tried
again ``2**(n-1)`` seconds later (at most an hour); after ``max_attempts`` the row is ``dead``.

The address is stored sealed (``QueuedMail``): under the recipient's data subject (``owner``) when
the caller knows it, else under ``mail:<key>``, shredded as soon as the message is sent. A message
whose recipient was erased (key shredded) before it went is dropped: ``dead``, never sent.

Not re-exported from :mod:`civicflow.web`: the package is imported before Django's models are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from civicflow.security import keys
from civicflow.security.addresses import index, seal_address
from civicflow.web.models import MailStatus, QueuedMail

__all__ = ["MailOptions", "every", "queue_mail", "send_due"]

log = logging.getLogger("civicflow.mail")


@dataclass(frozen=True, slots=True, kw_only=True)
class MailOptions:
    max_attempts: int = 12  # about 1.5 hours of mail server downtime with the defaults
    base: float = 1.0
    cap: float = 3600.0
    lease: float = 120.0  # a claimed message is not taken by another worker for this long
    batch_size: int = 50


def queue_mail(
    *, key: str, to: str, subject: str, body: str, language: str, now: datetime, owner: str | None = None
) -> bool:
    """Queue one message unless ``key`` was queued before; True when it is new.

    ``owner``: the data subject the address belongs to (``citizen:<id>``, ``guest:<reference>``);
    without one the address is sealed under the message's own subject.
    """
    key = key[:200]
    if QueuedMail.objects.filter(key=key).exists():  # seal nothing (and make no key) for a repeat
        return False
    _, created = QueuedMail.objects.get_or_create(
        key=key,
        defaults={
            "to_sealed": seal_address(owner or _own_subject(key), to),
            "to_index": index(to),
            "own_key": owner is None,
            "subject": " ".join(subject.split())[:255],  # a header: no line breaks
            "body": body,
            "language": language,
            "created": now,
            "next_attempt_at": now,
        },
    )
    return created


def _own_subject(key: str) -> str:
    return f"mail:{key}"


def _claim(now: datetime, options: MailOptions) -> list[QueuedMail]:
    with transaction.atomic():
        due = list(
            QueuedMail.objects.select_for_update(skip_locked=True)
            .filter(status=MailStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[: options.batch_size]
        )
        if due:
            QueuedMail.objects.filter(pk__in=[m.pk for m in due]).update(
                next_attempt_at=now + timedelta(seconds=options.lease)
            )
    return due


def send_due(options: MailOptions | None = None, *, now: Callable[[], datetime] = timezone.now) -> int:
    """Send the due messages once; the number sent."""
    opts = options or MailOptions()
    sent = 0
    for mail in _claim(now(), opts):
        attempts = mail.attempts + 1
        to = mail.to
        if to is None:  # the recipient was erased: nobody to send it to, ever
            QueuedMail.objects.filter(pk=mail.pk).update(
                attempts=attempts, status=MailStatus.DEAD, next_attempt_at=None, last_error="recipient erased"
            )
            log.info("mail dropped: recipient erased", extra={"mail": mail.key})
            continue
        message = EmailMessage(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [to])
        message.extra_headers = {"Content-Language": mail.language, "Auto-Submitted": "auto-generated"}
        try:
            message.send()
        except OSError as exc:  # smtplib's errors are OSErrors, as is a refused connection
            dead = attempts >= opts.max_attempts
            delay = timedelta(seconds=min(opts.base * 2 ** (attempts - 1), opts.cap))
            QueuedMail.objects.filter(pk=mail.pk).update(
                attempts=attempts,
                status=MailStatus.DEAD if dead else MailStatus.PENDING,
                next_attempt_at=None if dead else now() + delay,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            log.warning("mail not sent", extra={"mail": mail.key, "attempts": attempts, "dead": dead})
            continue
        QueuedMail.objects.filter(pk=mail.pk).update(
            attempts=attempts, status=MailStatus.SENT, next_attempt_at=None, sent_at=now(), last_error=""
        )
        if mail.own_key:  # sent: the address is not needed any more, so it goes for good
            keys.shred(_own_subject(mail.key))
        sent += 1
    return sent


def every(
    seconds: float, step: Callable[[], object], *, clock: Callable[[], float] = time.monotonic
) -> Callable[[], object]:
    """``step`` run at most once per ``seconds`` (the worker calls its periodic steps twice a second)."""
    next_run = [0.0]

    def throttled() -> object:
        if clock() < next_run[0]:
            return None
        next_run[0] = clock() + seconds
        return step()

    throttled.__name__ = getattr(step, "__name__", "step")  # the worker logs a failing step by name
    return throttled
