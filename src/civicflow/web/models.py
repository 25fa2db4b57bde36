"""Rows the portal and the workbench share: queued mail, cached KPI figures and rate-limit counters.

Mail: a page or a scan writes a row in its own transaction, so the state change that caused the
mail and the mail commit together; the worker sends it later and retries a refused send with backoff.
KPI snapshots: computed figures of a service for one period, reused while the read models have
not moved on (see ``civicflow.web.kpis``).
"""

from __future__ import annotations

from django.db import models

from civicflow.security.addresses import open_address

__all__ = ["KpiSnapshot", "MailStatus", "QueuedMail", "RateCount"]


class MailStatus(models.TextChoices):
    PENDING = "pending", "pending"
    SENT = "sent", "sent"
    DEAD = "dead", "dead"  # no attempts left: kept so an operator sees what never arrived


class QueuedMail(models.Model):
    """One message to one address; ``key`` names the event so it is queued once however often seen.

    The address is sealed (``civicflow.security.addresses``): under the recipient's subject when the
    caller names one, else under ``mail:<key>`` (``own_key``), whose key is shredded once it is sent.
    ``to_index`` is its blind index, for erasure.
    """

    key = models.CharField(max_length=200, unique=True)
    to_sealed = models.TextField(blank=True, default="")
    to_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    own_key = models.BooleanField(default=False)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    language = models.CharField(max_length=10, default="en")
    status = models.CharField(max_length=8, choices=MailStatus.choices, default=MailStatus.PENDING)
    created = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = (
            models.Index(
                fields=("next_attempt_at", "id"),
                condition=models.Q(status="pending"),
                name="web_mail_pending_due",
            ),
        )

    def __str__(self) -> str:
        return f"mail {self.pk} {self.key}"

    @property
    def to(self) -> str | None:
        """The recipient's address; None once their key was shredded (the mail is then dropped)."""
        return open_address(self.to_sealed)


class KpiSnapshot(models.Model):
    """Computed KPI figures of one service for one key (a period label, or ``at-risk``).

    ``last_id`` is the KPI cursor (last history id applied) the figures are known to hold at;
    ``closed`` says the period had ended, as far as the applied history went, when they were
    computed: such figures are kept as long as no later-applied event falls inside the period.
    """

    service = models.CharField(max_length=64)
    key = models.CharField(max_length=32)
    last_id = models.BigIntegerField()
    closed = models.BooleanField(default=False)
    computed = models.DateTimeField()
    payload = models.JSONField()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("service", "key"), name="web_kpisnapshot_unique_key"),)

    def __str__(self) -> str:
        return f"KPI snapshot {self.service} {self.key} at {self.last_id}"


class RateCount(models.Model):
    """Requests of one client to one rate-limited kind of endpoint in the window that began at ``window_start``.

    In the database, not the cache, for the reason the staff sign-in lockout is (``SignInThrottle``):
    the default cache is per process and a limit must hold across every web process. ``key`` is
    ``<limit name>:<hash of the client address>``, never the address itself (``civicflow.web.ratelimit``).
    """

    key = models.CharField(max_length=100, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()

    def __str__(self) -> str:
        return f"rate count {self.key}: {self.count}"
