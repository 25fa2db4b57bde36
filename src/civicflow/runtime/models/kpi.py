"""KPI read models: cases, stages, tasks and incidents, kept up to date from history events.

A cursor holds the id of the last history event applied, so each worker pass reads only new
events. Rows carry no foreign keys to instances: they outlive history retention, which deletes
finished instances and their history while their KPIs stay published.
"""

from __future__ import annotations

from django.db import models

__all__ = ["KpiCase", "KpiCursor", "KpiIncident", "KpiStage", "KpiTask"]


class KpiCursor(models.Model):
    """How far the read models are: the last history event id applied."""

    name = models.CharField(max_length=64, primary_key=True)
    last_id = models.BigIntegerField(default=0)
    updated = models.DateTimeField(null=True, blank=True)
    # a gap in history ids right after last_id, and when it was first seen (wall clock): shared by
    # the worker and the CLI, so a rolled-back insert is passed whoever looks next
    gap_id = models.BigIntegerField(null=True, blank=True)
    gap_seen = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_id}"


class KpiCase(models.Model):
    """One case: a root process instance (called processes count towards their root's case)."""

    instance_id = models.UUIDField(primary_key=True)
    service = models.CharField(max_length=255)  # the root process id
    started = models.DateTimeField()
    ended = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, default="open")  # civicflow.kpi.CaseOutcome

    class Meta:
        indexes = (
            models.Index(fields=("service", "started"), name="runtime_kpicase_started"),
            models.Index(fields=("service", "ended"), name="runtime_kpicase_ended"),
        )

    def __str__(self) -> str:
        return f"case {self.instance_id}"


class _CaseRow(models.Model):
    """A row of one case, unique per (instance, the engine's key within it)."""

    instance_id = models.UUIDField()
    key = models.BigIntegerField()
    case_id = models.UUIDField()
    service = models.CharField(max_length=255)

    class Meta:
        abstract = True


class KpiStage(_CaseRow):
    """One activation of an element that waited (ElementActivated .. ElementCompleted/Terminated)."""

    element = models.CharField(max_length=255)
    started = models.DateTimeField()
    ended = models.DateTimeField(null=True, blank=True)
    terminated = models.BooleanField(default=False)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("instance_id", "key"), name="runtime_kpistage_unique_key"),)
        # (service, element, ended): recent and open activations of a stage (the at-risk list's
        # pace, SLA alerts) without reading the stage's whole history; case_id: the dashboards read
        # a period's cases' stages (kpi_sources.read_model_input)
        indexes = (
            models.Index(fields=("service", "element", "ended"), name="runtime_kpistage_ended"),
            models.Index(fields=("case_id",), name="runtime_kpistage_case"),
        )

    def __str__(self) -> str:
        return f"stage {self.element} of {self.case_id}"


class KpiTask(_CaseRow):
    """One user task; ``department`` is its first candidate group (a department's key)."""

    task_type = models.CharField(max_length=255)
    department = models.CharField(max_length=255, blank=True, default="")
    created = models.DateTimeField()
    completed = models.DateTimeField(null=True, blank=True)
    canceled = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("instance_id", "key"), name="runtime_kpitask_unique_key"),)
        indexes = (
            models.Index(fields=("service", "created"), name="runtime_kpitask_created"),
            models.Index(fields=("case_id",), name="runtime_kpitask_case"),
        )

    def __str__(self) -> str:
        return f"task {self.task_type} of {self.case_id}"


class KpiIncident(_CaseRow):
    element = models.CharField(max_length=255)
    raised = models.DateTimeField()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("instance_id", "key"), name="runtime_kpiincident_unique_key"),)
        indexes = (
            models.Index(fields=("service", "raised"), name="runtime_kpiincident_raised"),
            models.Index(fields=("case_id",), name="runtime_kpiincident_case"),
        )

    def __str__(self) -> str:
        return f"incident {self.key} of {self.case_id}"
