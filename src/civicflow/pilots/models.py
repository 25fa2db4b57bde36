"""A pilot of a candidate process version, and which version each new instance was given."""

from __future__ import annotations

from django.db import models

from civicflow.runtime.models import ProcessDefinition, ProcessInstance

__all__ = ["Pilot", "PilotAssignment", "PilotStatus"]


class PilotStatus(models.TextChoices):
    RUNNING = "running", "running"
    ADOPTED = "adopted", "adopted"  # every new instance goes to the candidate
    STOPPED = "stopped", "stopped"  # no new instance goes to the candidate; its running ones finish


class Pilot(models.Model):
    """A candidate version of a process receives ``share`` of new instances (of those matching ``rule``).

    ``salt`` makes each pilot's split independent of earlier pilots' while keeping it deterministic
    per business key within this pilot.
    """

    process_id = models.CharField(max_length=255, db_index=True)
    current = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="+")
    share = models.DecimalField(max_digits=5, decimal_places=4)  # 0 < share <= 1
    rule = models.TextField(blank=True, default="")  # FEEL over the start variables; empty: every instance
    salt = models.CharField(max_length=32)
    status = models.CharField(max_length=10, choices=PilotStatus.choices, default=PilotStatus.RUNNING)
    started = models.DateTimeField()
    started_by = models.CharField(max_length=150)
    ended = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=150, blank=True, default="")
    note = models.TextField(blank=True, default="", max_length=2000)

    class Meta:
        ordering = ("-started", "-id")
        constraints = (
            # one running pilot per process: two would fight over the same new instances
            models.UniqueConstraint(
                fields=("process_id",),
                condition=models.Q(status="running"),
                name="pilots_one_running_per_process",
            ),
            models.CheckConstraint(
                condition=models.Q(share__gt=0) & models.Q(share__lte=1), name="pilots_share_in_range"
            ),
        )

    def __str__(self) -> str:
        return f"pilot {self.pk} of {self.process_id}"


class PilotAssignment(models.Model):
    """The version a pilot gave one new instance: ``candidate`` True for the candidate."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="assignments")
    instance = models.OneToOneField(ProcessInstance, on_delete=models.CASCADE, related_name="pilot_assignment")
    candidate = models.BooleanField()
    assigned = models.DateTimeField()

    class Meta:
        indexes = (models.Index(fields=("pilot", "candidate"), name="pilots_assignment_arm"),)

    def __str__(self) -> str:
        return f"{self.instance_id} -> {'candidate' if self.candidate else 'current'}"
