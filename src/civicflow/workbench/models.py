"""The workbench's own data: comments staff leave on a case."""

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
