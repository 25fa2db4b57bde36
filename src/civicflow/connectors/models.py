"""Webhook subscriptions and deliveries; a delivery that ran out of attempts is a dead letter.

Deliveries are rows so that a receiver's outage loses nothing: the outbox publisher writes one
row per (subscription, outbox event) in the transaction that marks the event fanned out, and the
delivery step sends due rows with backoff until they succeed or run out of attempts (``dead``,
visible in the admin and retried from there).
"""

from __future__ import annotations

from django.db import models

__all__ = ["DeliveryStatus", "WebhookDelivery", "WebhookSubscription"]


class WebhookSubscription(models.Model):
    """A receiver of CivicFlow's CloudEvents over HTTPS, signed with its own secret."""

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(max_length=2000)
    secret = models.CharField(max_length=255, help_text="HMAC-SHA256 key shared with the receiver.")
    event_types = models.JSONField(
        default=list,
        blank=True,
        help_text="CloudEvent types to send (e.g. org.civicflow.instance.completed); empty: all.",
    )
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def wants(self, cloud_event_type: str) -> bool:
        types: list[str] = list(self.event_types or [])
        return not types or cloud_event_type in types


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # no attempts left: a dead letter


class WebhookDelivery(models.Model):
    """One signed POST to make; ``event_id`` (the CloudEvent id) is also its idempotency key.

    ``subscription`` is NULL for a ``webhook`` service task's call that ran out of retries: kept
    here as a dead letter with its URL so staff see every undelivered webhook in one place.
    """

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    url = models.URLField(max_length=2000)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=255)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    last_status = models.PositiveIntegerField(null=True, blank=True)
    created = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        verbose_name_plural = "webhook deliveries"
        constraints = (
            models.UniqueConstraint(
                fields=("subscription", "event_id"),
                condition=models.Q(subscription__isnull=False),
                name="connectors_delivery_once",
            ),
        )
        indexes = (
            models.Index(
                fields=("next_attempt_at", "id"),
                condition=models.Q(status="pending"),
                name="connectors_delivery_due",
            ),
        )

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} -> {self.url} ({self.status})"
