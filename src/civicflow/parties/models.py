"""Parties: one record per citizen and business, and what ties them to cases (docs/security.md, "Parties").

Every personal value is sealed under the party's own subject ``party:<id>``
(:func:`civicflow.security.keys.seal`) and found, where it must be, by a keyed blind index
(:func:`civicflow.security.keys.reference`). ``civicflow gdpr erase`` shreds the subject's key:
the values then read as None and the rows keep only what is not personal (services, dates, states).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.db import models

from civicflow.security import addresses, keys

__all__ = [
    "Channel",
    "Consent",
    "EvidenceExchange",
    "EvidenceState",
    "MessageDirection",
    "Party",
    "PartyCase",
    "PartyKind",
    "PartyMessage",
    "PartyRole",
    "PrefillRecord",
    "Scheme",
    "identifier_index",
    "normalise_identifier",
]


class PartyKind(models.TextChoices):
    CITIZEN = "citizen", "citizen"
    BUSINESS = "business", "business"


class Scheme(models.TextChoices):
    NATIONAL_ID = "national-id", "national-id"
    COMPANY_NUMBER = "company-number", "company-number"
    EMAIL = "email", "email"


class Channel(models.TextChoices):
    EMAIL = "email", "email"
    POST = "post", "post"
    PORTAL = "portal", "portal"


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", "applicant"
    CO_SIGNER = "co-signer", "co-signer"
    SUBJECT = "subject", "subject"


class MessageDirection(models.TextChoices):
    SENT = "sent", "sent"
    RECEIVED = "received", "received"


class EvidenceState(models.TextChoices):
    REQUESTED = "requested", "requested"
    PROVIDED = "provided", "provided"
    REFUSED = "refused", "refused"
    FAILED = "failed", "failed"


def normalise_identifier(scheme: str, identifier: str) -> str:
    """The form an identifier is indexed and kept in: addresses lower-cased, numbers without spaces."""
    if scheme == Scheme.EMAIL:
        return addresses.normalise(identifier)
    if scheme == Scheme.COMPANY_NUMBER:
        return "".join(identifier.split()).upper()
    return identifier.strip()


def identifier_index(scheme: str, identifier: str) -> str:
    """The blind index of an identifier under its scheme.

    Equal to the reference the rest of CivicFlow keeps for the same person: ``email:<address>`` is
    :func:`civicflow.security.addresses.index`, ``national-id:<number>`` the portal's eID
    ``national_ref``.
    """
    return keys.reference(f"{scheme}:{normalise_identifier(scheme, identifier)}")


def _open_text(subject: str, field: str, token: str) -> str | None:
    if not token:
        return None
    try:
        return keys.open(subject, field, token).decode("utf-8")
    except (keys.SealingError, ValueError):
        return None


def _seal_text(subject: str, field: str, value: str | None) -> str:
    """The token of ``value`` (stripped); "" for none, or once the subject's key is shredded."""
    found = (value or "").strip()
    if not found:
        return ""
    try:
        return keys.seal(subject, field, found)
    except keys.SubjectKeyShreddedError:
        return ""


class Party(models.Model):
    """A citizen or a business the agency deals with, across all services.

    Read the sealed values through the properties (None once erased), write them with ``set_*``
    (the caller saves the row).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=PartyKind.choices, default=PartyKind.CITIZEN)
    identifier_scheme = models.CharField(max_length=32, choices=Scheme.choices)
    identifier_sealed = models.TextField()
    identifier_index = models.CharField(max_length=64)
    name_sealed = models.TextField(blank=True, default="")
    email_sealed = models.TextField(blank=True, default="")
    email_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    phone_sealed = models.TextField(blank=True, default="")
    address_sealed = models.TextField(blank=True, default="")
    language = models.CharField(max_length=10, default="en")
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    account_id = models.IntegerField(null=True, blank=True, db_index=True)  # portal CitizenAccount (layers: no FK)
    created = models.DateTimeField()
    updated = models.DateTimeField()

    class Meta:
        ordering = ("created", "id")
        constraints = (
            models.UniqueConstraint(fields=("identifier_scheme", "identifier_index"), name="parties_party_identifier"),
        )

    def __str__(self) -> str:
        return f"party {self.id} ({self.kind})"

    @property
    def subject(self) -> str:
        """The data subject the party's values are sealed under (and shredded by ``gdpr erase``)."""
        return f"party:{self.id}"

    @property
    def identifier(self) -> str | None:
        return _open_text(self.subject, "identifier", self.identifier_sealed)

    @property
    def name(self) -> str | None:
        return _open_text(self.subject, "name", self.name_sealed)

    @property
    def email(self) -> str | None:
        return addresses.open_address(self.email_sealed)

    @property
    def phone(self) -> str | None:
        return _open_text(self.subject, "phone", self.phone_sealed)

    @property
    def address(self) -> str | None:
        return _open_text(self.subject, "address", self.address_sealed)

    @property
    def erased(self) -> bool:
        """Whether the party's key was shredded (``gdpr erase``): every sealed value is gone."""
        return keys.is_shredded(self.subject)

    def set_identifier(self, scheme: str, identifier: str) -> None:
        found = normalise_identifier(scheme, identifier)
        if not found:
            raise ValueError("a party's identifier is not empty")
        self.identifier_scheme = scheme
        self.identifier_sealed = _seal_text(self.subject, "identifier", found)
        self.identifier_index = identifier_index(scheme, found)

    def set_name(self, value: str | None) -> None:
        self.name_sealed = _seal_text(self.subject, "name", value)

    def set_email(self, value: str | None) -> None:
        self.email_sealed = addresses.seal_address(self.subject, value or "")
        self.email_index = addresses.index(value or "")

    def set_phone(self, value: str | None) -> None:
        self.phone_sealed = _seal_text(self.subject, "phone", value)

    def set_address(self, value: str | None) -> None:
        self.address_sealed = _seal_text(self.subject, "address", value)


class PartyCase(models.Model):
    """A case (process instance) the party is part of, and as what."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="cases")
    instance_id = models.UUIDField(db_index=True)  # not a foreign key: it outlives history cleanup
    service = models.CharField(max_length=100)
    reference = models.CharField(max_length=32, blank=True, default="")  # the portal application's reference
    role = models.CharField(max_length=16, choices=PartyRole.choices, default=PartyRole.APPLICANT)
    created = models.DateTimeField()

    class Meta:
        ordering = ("created", "id")
        constraints = (
            models.UniqueConstraint(fields=("party", "instance_id", "role"), name="parties_case_once_per_role"),
        )

    def __str__(self) -> str:
        return f"{self.role} of {self.instance_id}"


class PartyMessage(models.Model):
    """A message sent to or received from the party; its subject line is sealed under the party."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="messages")
    instance_id = models.UUIDField(null=True, blank=True, db_index=True)
    direction = models.CharField(max_length=10, choices=MessageDirection.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    subject_sealed = models.TextField(blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"message {self.pk} ({self.direction})"

    @property
    def subject(self) -> str | None:
        """The message's subject line; None once the party was erased."""
        return _open_text(f"party:{self.party_id}", "message-subject", self.subject_sealed)

    def set_subject(self, value: str) -> None:
        self.subject_sealed = _seal_text(f"party:{self.party_id}", "message-subject", value)


class Consent(models.Model):
    """The party's consent that ``service`` asks ``provider`` for evidence, for ``purpose``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=200)  # e.g. "evidence:income-statement"
    service = models.CharField(max_length=100)
    provider = models.CharField(max_length=100)  # the agency asked, e.g. "tax-office"
    instance_id = models.UUIDField(null=True, blank=True, db_index=True)
    text_version = models.CharField(max_length=32)  # which consent wording the citizen saw
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("given_at", "id")

    def __str__(self) -> str:
        return f"consent {self.id} ({self.purpose} from {self.provider})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class EvidenceExchange(models.Model):
    """One request for evidence to another agency and its answer (sealed JSON under the party)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="evidence_exchanges")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="exchanges")
    instance_id = models.UUIDField(null=True, blank=True, db_index=True)
    evidence_type = models.CharField(max_length=100)
    requester = models.CharField(max_length=100)
    provider = models.CharField(max_length=100)
    state = models.CharField(max_length=10, choices=EvidenceState.choices, default=EvidenceState.REQUESTED)
    request_event_id = models.CharField(max_length=100)
    response_event_id = models.CharField(max_length=100, blank=True, default="")
    requested_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_sealed = models.TextField(blank=True, default="")
    reason = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ("requested_at", "id")

    def __str__(self) -> str:
        return f"evidence {self.evidence_type} from {self.provider} ({self.state})"

    @property
    def answer(self) -> Any:
        """The evidence provided (decoded JSON); None without an answer or once the party was erased."""
        text = _open_text(f"party:{self.party_id}", "evidence", self.answer_sealed)
        return None if text is None else json.loads(text)

    def set_answer(self, value: Any) -> None:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"))
        self.answer_sealed = _seal_text(f"party:{self.party_id}", "evidence", text)


class PrefillRecord(models.Model):
    """A form field filled from a source (prefill plugin) for a draft or case, and whether the citizen changed it."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, null=True, blank=True, related_name="prefills")
    instance_id = models.UUIDField(null=True, blank=True, db_index=True)
    draft_id = models.UUIDField(null=True, blank=True, db_index=True)
    service = models.CharField(max_length=100)
    field = models.CharField(max_length=200)  # the form field key
    source = models.CharField(max_length=50)  # the plugin name
    source_detail = models.CharField(max_length=300)  # e.g. "application BP-2026-000012", "Population register"
    changed = models.BooleanField(default=False)  # the citizen corrected it
    at = models.DateTimeField()

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"prefill {self.field} from {self.source}"
