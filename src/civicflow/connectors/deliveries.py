"""Sending webhook deliveries: signed POSTs with exponential backoff, then a dead letter.

A pass claims due deliveries by pushing their ``next_attempt_at`` a lease into the future in a
short transaction (so a second worker skips them), sends each outside any transaction, and
records the outcome. Attempt *n* failing schedules the next one ``base * 2**(n-1)`` seconds
later, at most ``cap``; after ``max_attempts`` the delivery is ``dead`` and stays visible.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from civicflow.connectors._webhook import send_signed
from civicflow.connectors.models import DeliveryStatus, WebhookDelivery
from civicflow.connectors.ports import HttpTransport, TransportError

__all__ = ["DeliveryOptions", "deliver_due", "retry_delay"]

log = logging.getLogger("civicflow.connectors")


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryOptions:
    max_attempts: int = 15  # with the defaults about 4.5 hours of receiver downtime
    base: float = 1.0
    cap: float = 3600.0
    timeout: float = 10.0
    lease: float = 60.0  # a claimed delivery is not taken by another worker for this long
    batch_size: int = 50


def retry_delay(attempts: int, options: DeliveryOptions) -> timedelta:
    return timedelta(seconds=min(options.base * 2 ** max(attempts - 1, 0), options.cap))


def _claim(now: datetime, options: DeliveryOptions) -> list[WebhookDelivery]:
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("subscription")
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, subscription__isnull=False)
            .order_by("next_attempt_at", "id")[: options.batch_size]
        )
        if due:
            WebhookDelivery.objects.filter(pk__in=[d.pk for d in due]).update(
                next_attempt_at=now + timedelta(seconds=options.lease)
            )
    return due


def deliver_due(
    transport: HttpTransport,
    options: DeliveryOptions | None = None,
    *,
    now: Callable[[], datetime] = timezone.now,
    unix: Callable[[], float] = time.time,
) -> int:
    """Send the due deliveries once; the number delivered."""
    opts = options or DeliveryOptions()
    delivered = 0
    for d in _claim(now(), opts):
        assert d.subscription is not None  # filtered above; dead letters of service tasks have none # nosec B101
        attempts = d.attempts + 1
        try:
            response = send_signed(
                transport,
                url=d.url,
                secret=d.subscription.secret,
                body=d.body.encode(),
                event_id=d.event_id,
                now=int(unix()),
                timeout=opts.timeout,
            )
        except TransportError as exc:
            dead = attempts >= opts.max_attempts
            WebhookDelivery.objects.filter(pk=d.pk).update(
                attempts=attempts,
                last_error=str(exc),
                status=DeliveryStatus.DEAD if dead else DeliveryStatus.PENDING,
                next_attempt_at=None if dead else now() + retry_delay(attempts, opts),
            )
            if dead:
                log.warning("webhook delivery dead", extra={"delivery": d.pk, "url": d.url, "error": str(exc)})
            continue
        WebhookDelivery.objects.filter(pk=d.pk).update(
            attempts=attempts,
            status=DeliveryStatus.DELIVERED,
            delivered_at=now(),
            last_status=response.status,
            last_error="",
            next_attempt_at=None,
        )
        delivered += 1
    return delivered
