"""What the portal stores itself: drafts saved for later, and submitted applications.

Secrets (the draft's magic-link token, the application's status secret) are kept only as SHA-256
hashes: they are random and long, so a plain hash is enough, and a leaked table reveals none.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import models

from civicflow.security.addresses import index, open_address, seal_address


class Draft(models.Model):
    """Answers a guest saved to come back to later from the link sent to ``email``.

    Addresses here and below are sealed (``email_sealed``) with a keyed blind index (``email_index``),
    see ``civicflow.security.addresses``; a draft's under its own subject ``draft:<id>``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.CharField(max_length=100)
    data = models.JSONField(default=dict)
    email_sealed = models.TextField(blank=True, default="")
    email_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    token_hash = models.CharField(max_length=64)
    language = models.CharField(max_length=10, default="en")
    created = models.DateTimeField()
    expires = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"draft {self.id} ({self.service})"

    @property
    def email(self) -> str:
        """Where the link went; "" once erased."""
        return open_address(self.email_sealed) or ""

    def set_email(self, address: str) -> None:
        self.email_sealed, self.email_index = seal_address(f"draft:{self.id}", address), index(address)


class CitizenAccount(models.Model):
    """A citizen who signed in with a link sent to ``email``: the address is verified by using it."""

    # sealed under ``citizen:<id>``; empty (index None) for an eID account made without a verified address
    email_sealed = models.TextField(blank=True, default="")
    email_index = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created = models.DateTimeField()
    last_sign_in = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"citizen {self.pk}"

    @property
    def email(self) -> str | None:
        """The verified address (lower-cased); None without one or once erased."""
        return open_address(self.email_sealed)

    @classmethod
    def for_address(cls, address: str | None, now: datetime) -> CitizenAccount:
        """The account of a verified address (found by its index), made if new; a new account without one for None."""
        if address is None:
            return cls.objects.create(created=now)
        address = address.strip().lower()
        account, created = cls.objects.get_or_create(email_index=index(address), defaults={"created": now})
        if created:  # its subject needs the id: seal once the row exists
            account.email_sealed = seal_address(f"citizen:{account.pk}", address)
            account.save(update_fields=["email_sealed"])
        return account


class CitizenIdentity(models.Model):
    """A citizen account's identity at an eID broker (OpenID Connect): ``(issuer, subject)`` names one person.

    ``national_ref`` is an HMAC reference of the national identification number the broker gave
    (civicflow.security._keys_kek.subject_ref), never the number itself.
    """

    account = models.ForeignKey(CitizenAccount, on_delete=models.CASCADE, related_name="identities")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    national_ref = models.CharField(max_length=64, blank=True, db_index=True)
    created = models.DateTimeField()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("issuer", "subject"), name="portal_citizen_identity_unique"),)

    def __str__(self) -> str:
        return f"identity of citizen {self.account_id}"


class SignInToken(models.Model):
    """A single-use sign-in link; ``client`` is a hash of the requester's address (rate limiting).

    The address is sealed under ``sign-in:<token hash>``, shredded when the link is spent or cleaned up.
    """

    email_sealed = models.TextField(blank=True, default="")
    email_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    client = models.CharField(max_length=64, db_index=True)
    created = models.DateTimeField(db_index=True)
    expires = models.DateTimeField()
    used = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sign-in token {self.pk}"

    @property
    def subject(self) -> str:
        return f"sign-in:{self.token_hash}"

    @property
    def email(self) -> str | None:
        return open_address(self.email_sealed)

    def set_email(self, address: str) -> None:
        self.email_sealed, self.email_index = seal_address(self.subject, address), index(address)


class Application(models.Model):
    """A submitted application: its reference number (the instance's business key) and status secret.

    ``events_seen`` counts the instance's history events the notifier has read (its position in
    ``ProcessInstance.event_count``); ``watching`` is False once the finished case was read to the end.
    """

    reference = models.CharField(max_length=32, unique=True)
    service = models.CharField(max_length=100)
    instance_id = models.UUIDField()
    secret_hash = models.CharField(max_length=64)
    language = models.CharField(max_length=10, default="en")
    created = models.DateTimeField()
    account = models.ForeignKey(
        CitizenAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications"
    )
    # where notices go, sealed under the applicant (``citizen:<id>`` or ``guest:<reference>``); empty: none
    email_sealed = models.TextField(blank=True, default="")
    email_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    events_seen = models.PositiveIntegerField(default=0)
    watching = models.BooleanField(default=True, db_index=True)

    def __str__(self) -> str:
        return self.reference

    @property
    def subject(self) -> str:
        """The applicant's identity, which its personal values are sealed under (``_accounts.applicant_id``)."""
        return f"citizen:{self.account_id}" if self.account_id is not None else f"guest:{self.reference}"

    @property
    def email(self) -> str:
        """Where notices go; "" for none or once erased."""
        return open_address(self.email_sealed) or ""

    def set_email(self, address: str) -> None:
        self.email_sealed, self.email_index = seal_address(self.subject, address), index(address)


class IssuedDocument(models.Model):
    """A document the service issued for a case (the building permit), kept with its application."""

    instance_id = models.UUIDField(db_index=True)  # not a foreign key: it outlives history cleanup
    reference = models.CharField(max_length=32)
    kind = models.CharField(max_length=32)  # "permit"
    name = models.CharField(max_length=255)
    media_type = models.CharField(max_length=100)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    issued = models.DateTimeField()

    class Meta:
        ordering = ("issued", "id")
        constraints = (models.UniqueConstraint(fields=("instance_id", "kind"), name="portal_document_once_per_kind"),)

    def __str__(self) -> str:
        return self.name


class SatisfactionResponse(models.Model):
    """The answer to "How satisfied are you with this service?" (1 very dissatisfied .. 5 very satisfied)."""

    service = models.CharField(max_length=100, db_index=True)
    reference = models.CharField(max_length=32, unique=True)  # one answer per application
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, default="", max_length=1200)
    language = models.CharField(max_length=10, default="en")
    answered_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="portal_satisfaction_score_1_to_5"
            ),
        )

    def __str__(self) -> str:
        return f"satisfaction {self.reference}: {self.score}"


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


class CoSignState(models.TextChoices):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class CoSignRequest(models.Model):
    """An application held until a second person (a partner, a co-owner, a second director) confirms it.

    The answers wait in ``draft`` (personal ones sealed under ``draft:<id>``); the co-signer's
    address is sealed under ``cosign:<id>`` with a blind index; the emailed link's token is kept
    as a SHA-256 hash, like a sign-in link's. ``secret_hash`` is the status secret the applicant
    was shown when they sent it: the application gets it once confirmed. See docs/portal.md, "Co-signing".
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.CharField(max_length=100)
    draft = models.ForeignKey(Draft, on_delete=models.SET_NULL, null=True, blank=True, related_name="co_signs")
    account = models.ForeignKey(
        CitizenAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="co_sign_requests"
    )
    co_signer_sealed = models.TextField(blank=True, default="")
    co_signer_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    secret_hash = models.CharField(max_length=64)
    language = models.CharField(max_length=10, default="en")
    state = models.CharField(max_length=16, choices=CoSignState.choices, default=CoSignState.PENDING, db_index=True)
    created = models.DateTimeField()
    expires = models.DateTimeField(db_index=True)
    invitations = models.PositiveSmallIntegerField(default=0)  # sent so far, the first one included
    last_sent = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # the co-signer's citizen account when they were signed in on confirming
    co_signer_account = models.ForeignKey(
        CitizenAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="co_signed"
    )
    reference = models.CharField(max_length=32, blank=True, default="")  # the application, once confirmed

    def __str__(self) -> str:
        return f"co-sign request {self.id} ({self.state})"

    @property
    def subject(self) -> str:
        return f"cosign:{self.id}"

    @property
    def co_signer(self) -> str | None:
        """The co-signer's address; None once erased."""
        return open_address(self.co_signer_sealed)

    def set_co_signer(self, address: str) -> None:
        self.co_signer_sealed, self.co_signer_index = seal_address(self.subject, address), index(address)
