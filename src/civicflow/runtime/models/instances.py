"""Process instances (state + optimistic lock) and their append-only history."""

from __future__ import annotations

from django.db import models

from civicflow.runtime.models.deployments import ProcessDefinition

__all__ = ["HistoryEvent", "InstanceStatus", "ProcessInstance"]


class InstanceStatus(models.TextChoices):
    ACTIVE = "active", "active"
    COMPLETED = "completed", "completed"
    TERMINATED = "terminated", "terminated"


class ProcessInstance(models.Model):
    """One running or finished instance; ``state`` is the engine's ``dumps_state`` text.

    ``version`` is the optimistic lock: every step writes ``UPDATE ... WHERE version = old``.
    ``event_count`` numbers the history rows, so a step knows the next sequence number.
    """

    id = models.UUIDField(primary_key=True)  # the engine's instance id
    definition = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="instances")
    business_key = models.CharField(max_length=255, null=True, blank=True)
    idempotency_key = models.CharField(max_length=255, null=True, blank=True, unique=True)
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children")
    status = models.CharField(max_length=12, choices=InstanceStatus.choices, default=InstanceStatus.ACTIVE)
    has_incident = models.BooleanField(default=False)
    state = models.TextField()
    version = models.PositiveIntegerField(default=1)
    event_count = models.PositiveIntegerField(default=0)
    started = models.DateTimeField()
    ended = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("definition", "business_key"),
                condition=models.Q(business_key__isnull=False),
                name="runtime_instance_unique_business_key",
            ),
        )
        indexes = (
            models.Index(fields=("status", "ended"), name="runtime_inst_status_ended"),
            models.Index(fields=("business_key",), name="runtime_inst_business_key"),
        )

    def __str__(self) -> str:
        return f"instance {self.pk}"


class HistoryEvent(models.Model):
    """One engine event, in order per instance; never updated.

    ``payload`` holds the event's fields except ``element`` and those at their defaults.
    """

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="history", db_index=False)
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=32)
    element_id = models.CharField(max_length=255, null=True, blank=True)
    payload = models.JSONField(default=dict)
    timestamp = models.DateTimeField()

    class Meta:
        ordering = ("instance", "seq")
        constraints = (models.UniqueConstraint(fields=("instance", "seq"), name="runtime_history_unique_seq"),)

    def __str__(self) -> str:
        return f"{self.instance_id}#{self.seq} {self.type}"
