"""The webhook connector's database side: subscription secrets and dead letters."""

from __future__ import annotations

from django.utils import timezone

from civicflow.connectors._plugin import ConnectorOptionsError
from civicflow.connectors._webhook import DeadLetter
from civicflow.connectors.models import DeliveryStatus, WebhookDelivery, WebhookSubscription

__all__ = ["dead_letter", "subscription_secret"]


def subscription_secret(name: str) -> tuple[str, str]:
    found = WebhookSubscription.objects.filter(name=name, active=True).values_list("url", "secret").first()
    if found is None:
        raise ConnectorOptionsError(f"no active webhook subscription {name!r}", plugin="webhook", option="subscription")
    return found[0], found[1]


def dead_letter(letter: DeadLetter) -> None:
    """Keep a service task's undeliverable webhook where staff see the others (status ``dead``)."""
    WebhookDelivery.objects.create(
        subscription=None,
        url=letter.url,
        event_id=letter.event_id,
        event_type=letter.event_type,
        body=letter.body.decode(),
        status=DeliveryStatus.DEAD,
        attempts=letter.attempts,
        last_error=letter.error,
        last_status=letter.status,
        created=timezone.now(),
    )
