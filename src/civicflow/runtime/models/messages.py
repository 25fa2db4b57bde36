"""Message and signal subscriptions, and messages buffered until a subscription opens."""

from __future__ import annotations

from django.db import models

from civicflow.runtime.models.deployments import ProcessDefinition
from civicflow.runtime.models.instances import ProcessInstance

__all__ = ["BufferedMessage", "MessageSubscription", "SignalSubscription"]


class MessageSubscription(models.Model):
    """An open message catch of an instance, or (``instance`` NULL) a message start event."""

    name = models.CharField(max_length=255)
    correlation_key = models.CharField(max_length=255, null=True, blank=True)
    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, null=True, blank=True, related_name="message_subscriptions"
    )
    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.CASCADE, null=True, blank=True, related_name="message_starts"
    )
    key = models.PositiveIntegerField(default=0)  # the engine's subscription key
    element_instance = models.PositiveIntegerField(default=0)
    element_id = models.CharField(max_length=255)

    class Meta:
        indexes = (
            models.Index(fields=("name", "correlation_key"), name="runtime_msgsub_name_key"),
            models.Index(fields=("instance", "key"), name="runtime_msgsub_instance_key"),
        )

    def __str__(self) -> str:
        return f"message {self.name} ({self.correlation_key})"


class SignalSubscription(models.Model):
    """An open signal catch of an instance, or (``instance`` NULL) a signal start event."""

    name = models.CharField(max_length=255, db_index=True)
    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, null=True, blank=True, related_name="signal_subscriptions"
    )
    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.CASCADE, null=True, blank=True, related_name="signal_starts"
    )
    key = models.PositiveIntegerField(default=0)
    element_instance = models.PositiveIntegerField(default=0)
    element_id = models.CharField(max_length=255)

    class Meta:
        indexes = (models.Index(fields=("instance", "key"), name="runtime_sigsub_instance_key"),)

    def __str__(self) -> str:
        return f"signal {self.name}"


class BufferedMessage(models.Model):
    """A message that arrived before its catch event; consumed by the first matching subscription."""

    name = models.CharField(max_length=255)
    correlation_key = models.CharField(max_length=255, null=True, blank=True)
    variables = models.JSONField(default=dict)  # engine-encoded (civicflow.engine values)
    created = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ("id",)
        indexes = (models.Index(fields=("name", "correlation_key"), name="runtime_buffered_name_key"),)

    def __str__(self) -> str:
        return f"buffered {self.name} ({self.correlation_key})"
