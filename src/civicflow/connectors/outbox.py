"""The outbox publisher: lifecycle events out as CloudEvents 1.0, to NATS JetStream and webhooks.

Each pass takes the oldest unpublished :class:`~civicflow.runtime.models.Outbox` rows (``FOR
UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share them), publishes each to JetStream
with ``Nats-Msg-Id`` = the CloudEvent id (stable per row, so a re-publish after a crash between
the ack and the commit is dropped by JetStream's duplicate window), writes one
:class:`~civicflow.connectors.models.WebhookDelivery` per matching subscription, and sets
``published_at`` in the same transaction. At least once, deduplicated by id.

When NATS does not answer, the pass stops at that row and commits what it did: the rest stays
unpublished, in order, and the next pass tries again. A NATS outage loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from civicflow.connectors.cloudevents import CONTENT_TYPE, CloudEvent, event_type
from civicflow.connectors.models import WebhookDelivery, WebhookSubscription
from civicflow.connectors.ports import BusMessage, EventBus, TransportError
from civicflow.runtime.models import Outbox

__all__ = ["OutboxPublisher", "PublisherOptions", "cloud_event", "subject_for"]

log = logging.getLogger("civicflow.connectors")


@dataclass(frozen=True, slots=True, kw_only=True)
class PublisherOptions:
    source: str = "civicflow"  # CloudEvent source; name the installation when several share a bus
    subject_prefix: str = "civicflow.events"
    batch_size: int = 100


def cloud_event(row: Outbox, *, source: str) -> CloudEvent:
    """The CloudEvent of one outbox row; its id is stable for the row (instance id + row id)."""
    payload = dict(row.payload or {})
    return CloudEvent(
        id=f"{row.instance_id or 'none'}-{row.pk}",
        source=source,
        type=event_type(row.event_type),
        time=row.created,
        subject=str(row.instance_id) if row.instance_id else None,
        data=payload,
    )


def subject_for(cloud_event_type: str, prefix: str) -> str:
    """``org.civicflow.instance.completed`` -> ``<prefix>.instance.completed``."""
    return f"{prefix}.{cloud_event_type.removeprefix('org.civicflow.')}"


class OutboxPublisher:
    """Publishes the outbox; ``bus`` None sends to webhook subscriptions only."""

    def __init__(
        self,
        bus: EventBus | None,
        options: PublisherOptions | None = None,
        *,
        now: Callable[[], datetime] = timezone.now,
    ) -> None:
        self.bus = bus
        self.options = options or PublisherOptions()
        self._now = now

    def publish_pending(self) -> int:
        """Publish until the outbox is empty or the bus fails; the number of rows published."""
        total = 0
        while True:
            done, stopped = self.publish_once()
            total += done
            if stopped or done < self.options.batch_size:
                return total

    def publish_once(self) -> tuple[int, bool]:
        """One batch in one transaction: (rows published, whether the bus stopped the batch)."""
        opts = self.options
        published: list[int] = []
        deliveries: list[WebhookDelivery] = []
        stopped = False
        with transaction.atomic():
            rows = list(
                Outbox.objects.select_for_update(skip_locked=True)
                .filter(published_at__isnull=True)
                .order_by("id")[: opts.batch_size]
            )
            if not rows:
                return 0, False
            subscriptions = list(WebhookSubscription.objects.filter(active=True))
            now = self._now()
            for row in rows:
                event = cloud_event(row, source=opts.source)
                body = event.to_json()
                if self.bus is not None:
                    message = BusMessage(
                        subject=subject_for(event.type, opts.subject_prefix),
                        data=body,
                        msg_id=event.id,
                        headers={"Content-Type": CONTENT_TYPE},
                    )
                    try:
                        self.bus.publish(message)
                    except TransportError as exc:
                        log.warning("event bus unavailable; outbox kept", extra={"outbox": row.pk, "error": str(exc)})
                        stopped = True
                        break
                deliveries.extend(
                    WebhookDelivery(
                        subscription=s,
                        url=s.url,
                        event_id=event.id,
                        event_type=event.type,
                        body=body.decode(),
                        created=now,
                        next_attempt_at=now,
                    )
                    for s in subscriptions
                    if s.wants(event.type)
                )
                published.append(row.pk)
            # a delivery already written by an earlier pass that died before its commit is
            # impossible (same transaction), but two publishers racing past SKIP LOCKED on SQLite
            # are not: the unique (subscription, event id) keeps one
            WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
            Outbox.objects.filter(pk__in=published).update(published_at=now)
        return len(published), stopped
