"""The workbench's own data: comments on cases, work-notification choices, KPI alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Comment(models.Model):
    """A note by a member of staff on a process instance (a case)."""

    instance_id = models.UUIDField(db_index=True)  # not a foreign key: comments outlive history cleanup
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_name = models.CharField(max_length=255)  # kept when the account is removed
    text = models.TextField(max_length=5000)
    created = models.DateTimeField()

    class Meta:
        ordering = ("created", "id")

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.instance_id}"


class WorkNotification(models.Model):
    """A member of staff's "email me when work arrives" choice and how far their digests have read.

    ``last_task`` is the highest task id a digest covered; the next digest lists newer tasks of
    the user's departments.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_notification")
    enabled = models.BooleanField(default=False)
    last_task = models.BigIntegerField(default=0)
    last_sent = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=10, default="en")  # of the page where the user opted in

    def __str__(self) -> str:
        return f"work notification {self.user_id}: {'on' if self.enabled else 'off'}"


class AlertKind(models.TextChoices):
    TASK_DUE = "task_due", "task nearing its due date"
    STAGE_SLA = "stage_sla", "stage below its SLA threshold"


class Alert(models.Model):
    """A KPI alert for a department (a group): a task nearing its due date, a stage breaching its SLA.

    ``key`` makes raising idempotent: a task alerts its department once; a stage alerts its head
    once per breach episode (the key carries the episode's number). ``resolved`` is set when the
    task is no longer open or the stage's compliance is back at its threshold. The figures are
    kept so the page and the mail can word the alert in the reader's language; ``message`` is the
    English wording for logs, the CLI and the admin.
    """

    kind = models.CharField(max_length=16, choices=AlertKind.choices)
    key = models.CharField(max_length=200, unique=True)
    department = models.CharField(max_length=150)  # the group alerted (a department or its head)
    service = models.CharField(max_length=255)  # a reference service id (stage) or process id (task)
    element = models.CharField(max_length=255)  # the stage's or the task's BPMN element
    task_id = models.BigIntegerField(null=True, blank=True)  # not a foreign key: alerts outlive tasks
    case = models.CharField(max_length=255, blank=True, default="")  # business key or instance id
    title = models.CharField(max_length=255, blank=True, default="")  # the task's name
    due = models.DateTimeField(null=True, blank=True)
    rate = models.FloatField(null=True, blank=True)  # SLA compliance in the window, 0..1
    threshold = models.FloatField(null=True, blank=True)
    finished = models.IntegerField(null=True, blank=True)  # activations counted in the window
    window_days = models.IntegerField(null=True, blank=True)
    message = models.TextField()
    created = models.DateTimeField()
    resolved = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created", "-id")
        indexes = (models.Index(fields=("department", "resolved"), name="workbench_alert_department"),)

    def __str__(self) -> str:
        return f"alert {self.key}"


class SignInThrottle(models.Model):
    """Failed staff sign-ins counted per key (``account:<username>`` or ``address:<ip>``).

    Kept in the database, not the cache: the default cache is per process, and a lockout must hold
    across every web process. ``failures`` counts within the window that began at ``window_start``;
    reaching the limit sets ``locked_until`` and starts a fresh count.
    """

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sign-in throttle {self.key}: {self.failures}"


class StaffTOTP(models.Model):
    """A member of staff's TOTP second factor (RFC 6238, 30-second steps, 6 digits).

    The secret is stored as base32 text: no key-encryption key exists yet (another part of issue
    #11 adds one and will seal this field). ``confirmed`` is set once the user has entered a right
    code; until then the secret is an enrolment in progress. ``last_step`` is the highest time step
    whose code was accepted: a code is good once.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_totp")
    secret = models.CharField(max_length=64)
    confirmed = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"TOTP of {self.user_id}: {'on' if self.confirmed else 'enrolling'}"
