"""API tokens for machine clients: only a SHA-256 hash of the secret is stored."""

from __future__ import annotations

from django.db import models

__all__ = ["ApiToken"]


class ApiToken(models.Model):
    """A named, scoped credential: ``Authorization: Bearer cf_<prefix>_<secret>``.

    ``prefix`` identifies the token (shown in lists, used to revoke it); ``secret_hash`` is the
    SHA-256 hex digest of the secret, which is shown once at creation and never stored.
    ``scopes`` is a list of ``read``, ``start``, ``admin`` and ``work:<topic>`` (``work:*``).
    """

    name = models.CharField(max_length=200)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created = models.DateTimeField()
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} (cf_{self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked is None
