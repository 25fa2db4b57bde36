"""The outbox: side effects written with the step, published after it commits."""

from __future__ import annotations

from django.db import models

__all__ = ["Outbox"]


class Outbox(models.Model):
    """One event to publish (webhook, bus, e-mail ...); ``published_at`` NULL until sent."""

    event_type = models.CharField(max_length=64)
    instance_id = models.UUIDField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    created = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = (
            models.Index(
                fields=("id",), condition=models.Q(published_at__isnull=True), name="runtime_outbox_unpublished"
            ),
        )

    def __str__(self) -> str:
        return f"outbox {self.pk} {self.event_type}"
