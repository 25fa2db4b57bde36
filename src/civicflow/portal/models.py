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
