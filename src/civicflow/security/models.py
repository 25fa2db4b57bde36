"""The audit trail's tables (entries, the one head row appends lock, signed checkpoints) and subjects' data keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models

__all__ = ["AuditCheckpoint", "AuditEntry", "AuditHead", "StaffIdentity", "SubjectKey"]


class AuditHead(models.Model):
    """The chain's head: appends lock this one row, so there is exactly one chain.

    ``history_id`` is how far the runtime history has been copied into the chain.
    """

    name = models.CharField(max_length=16, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    history_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class AuditEntry(models.Model):
    """One entry of the hash chain; never updated. ``details`` holds references, never personal values."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=255)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_ref = models.CharField(max_length=255)
    details = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ("seq",)

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_ref}"


class AuditCheckpoint(models.Model):
    """A signed head (Ed25519 over the canonical ``{seq, head, at}``), published on the transparency page."""

    seq = models.BigIntegerField(unique=True)
    head = models.CharField(max_length=64)
    at = models.DateTimeField()
    signature = models.CharField(max_length=128)
    key_id = models.CharField(max_length=16)

    class Meta:
        ordering = ("seq",)

    def __str__(self) -> str:
        return f"checkpoint #{self.seq}"


class SubjectKey(models.Model):
    """One subject's data key, wrapped by a KEK. Shredding empties ``wrapped_dek``: their sealed values are gone.

    ``subject_ref`` is an HMAC of the subject's identifier (see ``_keys_kek``), never the identifier.
    """

    subject_ref = models.CharField(max_length=64, unique=True)
    wrapped_dek = models.CharField(max_length=128, blank=True)
    kek_id = models.CharField(max_length=16, blank=True, db_index=True)
    created = models.DateTimeField()
    shredded_at = models.DateTimeField(null=True, blank=True)
    legal_hold = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"subject key {self.subject_ref[:12]}"


class StaffIdentity(models.Model):
    """A staff account's identity at an OpenID Connect provider: ``(issuer, subject)`` names one person.

    Accounts are found by this pair, never by email: an address can change hands, a subject cannot.
    """

    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities")
    created = models.DateTimeField()
    last_sign_in = models.DateTimeField()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("issuer", "subject"), name="security_staff_identity_unique"),)

    def __str__(self) -> str:
        return f"staff identity of user {self.user_id}"
