"""What the portal stores itself: drafts saved for later, and submitted applications.

Secrets (the draft's magic-link token, the application's status secret) are kept only as SHA-256
hashes: they are random and long, so a plain hash is enough, and a leaked table reveals none.
"""

from __future__ import annotations

import uuid

from django.db import models


class Draft(models.Model):
    """Answers a guest saved to come back to later from the link sent to ``email``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.CharField(max_length=100)
    data = models.JSONField(default=dict)
    email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64)
    language = models.CharField(max_length=10, default="en")
    created = models.DateTimeField()
    expires = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"draft {self.id} ({self.service})"


class Application(models.Model):
    """A submitted application: its reference number (the instance's business key) and status secret."""

    reference = models.CharField(max_length=32, unique=True)
    service = models.CharField(max_length=100)
    instance_id = models.UUIDField()
    secret_hash = models.CharField(max_length=64)
    language = models.CharField(max_length=10, default="en")
    created = models.DateTimeField()

    def __str__(self) -> str:
        return self.reference


class Document(models.Model):
    """A file a citizen uploaded with a form (docs/portal.md, "Uploads").

    The bytes are in media storage under ``storage_name`` (random, never the citizen's file
    name); ``name`` is the cleaned original name, for display only; ``content_type`` is what the
    first bytes show. Until submission it belongs to the session whose upload token hashes to
    ``uploader_hash`` (and to ``draft`` once saved for later); then to ``application``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.CharField(max_length=100)
    field = models.CharField(max_length=200)  # the HTML name of the file picker
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=64, unique=True)
    uploader_hash = models.CharField(max_length=64, db_index=True, blank=True)
    draft = models.ForeignKey(Draft, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    created = models.DateTimeField()

    class Meta:
        ordering = ("created", "id")

    def __str__(self) -> str:
        return self.name
