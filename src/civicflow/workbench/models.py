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
