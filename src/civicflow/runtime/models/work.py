"""Work waiting on people and machines: user tasks (a read model), jobs, incidents."""

from __future__ import annotations

from django.db import models

from civicflow.runtime.models.instances import ProcessInstance

__all__ = ["Incident", "IncidentState", "Job", "JobKind", "TaskCandidate", "TaskState", "UserTask"]


class TaskState(models.TextChoices):
    CREATED = "created", "created"
    COMPLETED = "completed", "completed"
    CANCELED = "canceled", "canceled"


class UserTask(models.Model):
    """A user task as work queues query it; the engine state stays the truth."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="tasks", db_index=False)
    key = models.PositiveIntegerField()  # the engine's task key
    element_instance = models.PositiveIntegerField()
    element_id = models.CharField(max_length=255)
    process_id = models.CharField(max_length=255, blank=True, default="")  # the (called) process of the element
    name = models.CharField(max_length=255, blank=True, default="")
    assignee = models.CharField(max_length=255, null=True, blank=True)
    due = models.DateTimeField(null=True, blank=True)
    follow_up = models.DateTimeField(null=True, blank=True)
    priority = models.IntegerField(default=50)
    form_key = models.CharField(max_length=255, null=True, blank=True)
    state = models.CharField(max_length=10, choices=TaskState.choices, default=TaskState.CREATED)
    created = models.DateTimeField()
    completed = models.DateTimeField(null=True, blank=True)
    completed_by = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        ordering = ("id",)
        constraints = (models.UniqueConstraint(fields=("instance", "key"), name="runtime_task_unique_key"),)
        indexes = (
            models.Index(fields=("state", "assignee"), name="runtime_task_state_assignee"),
            models.Index(fields=("state", "due"), name="runtime_task_state_due"),
        )

    def __str__(self) -> str:
        return f"task {self.pk} {self.element_id}"


class TaskCandidate(models.Model):
    """A candidate group (department) or candidate user of a task."""

    GROUP = "group"
    USER = "user"

    task = models.ForeignKey(UserTask, on_delete=models.CASCADE, related_name="candidates")
    kind = models.CharField(max_length=5, choices=((GROUP, "group"), (USER, "user")))
    name = models.CharField(max_length=255)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("task", "kind", "name"), name="runtime_candidate_unique"),)
        indexes = (models.Index(fields=("kind", "name"), name="runtime_candidate_kind_name"),)

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


class JobKind(models.TextChoices):
    SERVICE = "service", "service task / external job"
    TIMER = "timer", "timer"
    ASYNC = "async", "async continuation"
    MESSAGE = "message", "deliver a message thrown by an instance"
    SIGNAL = "signal", "deliver a signal thrown by an instance"


class Job(models.Model):
    """Work for a worker, due at ``due_at``; gone once done (the history keeps what happened).

    A worker claims due, unlocked jobs in due order (``FOR UPDATE SKIP LOCKED`` on PostgreSQL),
    sets ``lock_owner`` / ``lock_expires_at``; an expired lock means a dead worker.
    ``due_at`` is NULL while a job waits on an incident (no retries left).

    Jobs without an ``instance`` belong to no running instance: a timer start event of
    ``definition`` (kind ``timer``), or the delivery of a message or signal an instance threw
    (kinds ``message`` / ``signal``; see :mod:`civicflow.runtime.throws`).
    """

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, null=True, blank=True, related_name="jobs", db_index=False
    )
    definition = models.ForeignKey(
        "runtime.ProcessDefinition", on_delete=models.CASCADE, null=True, blank=True, related_name="start_timers"
    )
    key = models.PositiveIntegerField()  # the engine's job key, or timer key for timers
    element_instance = models.PositiveIntegerField()
    element_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=8, choices=JobKind.choices)
    type = models.CharField(max_length=255)  # job type / topic; the timer element for timers
    due_at = models.DateTimeField(null=True, blank=True)
    retries = models.IntegerField(default=3)
    attempts = models.PositiveIntegerField(default=0)
    lock_owner = models.CharField(max_length=255, null=True, blank=True)
    lock_expires_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    payload = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("instance", "key"), name="runtime_job_unique_key"),)
        indexes = (
            models.Index(fields=("due_at", "id"), condition=models.Q(due_at__isnull=False), name="runtime_job_due"),
        )

    def __str__(self) -> str:
        return f"job {self.pk} {self.kind}:{self.type}"


class IncidentState(models.TextChoices):
    OPEN = "open", "open"
    RESOLVED = "resolved", "resolved"


class Incident(models.Model):
    """A problem staff must look at: a failed job without retries, a failing expression ..."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="incidents", db_index=False)
    key = models.PositiveIntegerField()
    element_instance = models.PositiveIntegerField()
    element_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=32)
    job_key = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField()
    state = models.CharField(max_length=10, choices=IncidentState.choices, default=IncidentState.OPEN)
    created = models.DateTimeField()
    resolved = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        constraints = (models.UniqueConstraint(fields=("instance", "key"), name="runtime_incident_unique_key"),)
        indexes = (models.Index(fields=("state",), name="runtime_incident_state"),)

    def __str__(self) -> str:
        return f"incident {self.pk} {self.kind}"
