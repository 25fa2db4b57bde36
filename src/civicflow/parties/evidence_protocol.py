"""The evidence exchange protocol between agencies: CloudEvents 1.0 over NATS request/reply.

A request ``org.civicflow.evidence.requested`` goes to ``<prefix>.<provider>.evidence.requested``
(a core NATS subject outside every JetStream stream: the subject's identifier is personal data and
is not stored on the bus) with a reply subject; the provider answers there with
``org.civicflow.evidence.provided`` or ``org.civicflow.evidence.refused``, correlated by the
request's id (data ``requestId`` and the extension attribute ``requestid``). Both directions are
signed with HMAC-SHA256 over ``timestamp.body`` (:mod:`civicflow.connectors.signing`) when the
agencies share a secret. See docs/integration.md, "Evidence exchange between agencies".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from civicflow.connectors import signing
from civicflow.connectors.cloudevents import CloudEvent, CloudEventError, parse

__all__ = [
    "PROVIDED",
    "REFUSED",
    "REQUESTED",
    "EvidenceAnswer",
    "EvidenceProtocolError",
    "EvidenceRequest",
    "check_agency",
    "parse_answer",
    "parse_request",
    "request_subject",
    "signed",
    "verified",
]

REQUESTED = "org.civicflow.evidence.requested"
PROVIDED = "org.civicflow.evidence.provided"
REFUSED = "org.civicflow.evidence.refused"

_AGENCY = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_EVIDENCE_TYPE = re.compile(r"^[a-z0-9][a-z0-9-]{0,98}$")


class EvidenceProtocolError(CloudEventError):
    """A message is not a well-formed evidence request or answer."""


def check_agency(name: str) -> str:
    """``name`` when it can name an agency in a subject (lower-case letters, digits, hyphens)."""
    if not _AGENCY.match(name):
        raise EvidenceProtocolError(f"agency name {name!r}: use lower-case letters, digits and hyphens")
    return name


def request_subject(prefix: str, provider: str) -> str:
    """The subject a provider agency answers evidence requests on."""
    return f"{prefix}.{check_agency(provider)}.evidence.requested"


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceRequest:
    """What the requester asks for, about whom, why, and under which consent."""

    id: str
    requester: str
    provider: str
    evidence_type: str
    scheme: str
    identifier: str
    purpose: str
    consent_id: str
    consent_given_at: datetime | None
    consent_text_version: str
    reply_to: str
    time: datetime

    def to_event(self) -> CloudEvent:
        consent: dict[str, Any] = {
            "id": self.consent_id,
            "givenAt": None if self.consent_given_at is None else self.consent_given_at.isoformat(),
            "textVersion": self.consent_text_version,
        }
        return CloudEvent(
            id=self.id,
            source=f"civicflow/{self.requester}",
            type=REQUESTED,
            time=self.time,
            subject=self.evidence_type,  # never the person's identifier: attributes get logged
            data={
                "evidenceType": self.evidence_type,
                "subject": {"scheme": self.scheme, "identifier": self.identifier},
                "purpose": self.purpose,
                "consent": consent,
                "requester": self.requester,
                "provider": self.provider,
                "replyTo": self.reply_to,
            },
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceAnswer:
    """The provider's answer: the evidence, or the reason it refused."""

    id: str
    request_id: str
    provider: str
    provided: bool
    evidence_type: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""
    time: datetime | None = None

    def to_event(self) -> CloudEvent:
        data: dict[str, Any] = {"requestId": self.request_id, "evidenceType": self.evidence_type}
        if self.provided:
            data["evidence"] = dict(self.evidence)
        else:
            data["reason"] = self.reason
        return CloudEvent(
            id=self.id,
            source=f"civicflow/{self.provider}",
            type=PROVIDED if self.provided else REFUSED,
            time=self.time,
            subject=self.evidence_type,
            data=data,
            extensions={"requestid": self.request_id},
        )


def _text(data: Mapping[str, Any], name: str, *, limit: int = 300) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise EvidenceProtocolError(f"data.{name} is missing")
    if len(value) > limit:
        raise EvidenceProtocolError(f"data.{name} is longer than {limit} characters")
    return value.strip()


def _time(value: Any, what: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise EvidenceProtocolError(f"{what} is not a time")
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise EvidenceProtocolError(f"{what} {value!r} is not an ISO 8601 time") from exc
    if found.tzinfo is None:
        raise EvidenceProtocolError(f"{what} has no time zone")
    return found


def parse_request(raw: bytes) -> EvidenceRequest:
    """An evidence request from the bus; :class:`EvidenceProtocolError` when it is not one.

    A request without a consent reference parses (with empty consent fields): refusing it is the
    provider's decision, and it answers with the reason.
    """
    event = parse(raw)
    if event.type != REQUESTED:
        raise EvidenceProtocolError(f"type {event.type!r} is not {REQUESTED}")
    data = event.data
    if not isinstance(data, dict):
        raise EvidenceProtocolError("data is not an object")
    if event.time is None:
        raise EvidenceProtocolError("the request has no time")
    evidence_type = _text(data, "evidenceType", limit=100)
    if not _EVIDENCE_TYPE.match(evidence_type):
        raise EvidenceProtocolError(f"evidence type {evidence_type!r} is not a name")
    subject = data.get("subject")
    if not isinstance(subject, dict):
        raise EvidenceProtocolError("data.subject is missing")
    found = data.get("consent")
    consent: dict[str, Any] = found if isinstance(found, dict) else {}
    consent_id = consent.get("id")
    text_version = consent.get("textVersion")
    reply_to = data.get("replyTo")
    return EvidenceRequest(
        id=event.id,
        requester=check_agency(_text(data, "requester", limit=100)),
        provider=check_agency(_text(data, "provider", limit=100)),
        evidence_type=evidence_type,
        scheme=_text(subject, "scheme", limit=32),
        identifier=_text(subject, "identifier", limit=200),
        purpose=_text(data, "purpose", limit=200),
        consent_id=consent_id.strip() if isinstance(consent_id, str) else "",
        consent_given_at=_time(consent.get("givenAt"), "data.consent.givenAt"),
        consent_text_version=text_version.strip() if isinstance(text_version, str) else "",
        reply_to=reply_to if isinstance(reply_to, str) else "",
        time=event.time,
    )


def parse_answer(raw: bytes) -> EvidenceAnswer:
    """A provider's answer; :class:`EvidenceProtocolError` when it is not one."""
    event = parse(raw)
    if event.type not in {PROVIDED, REFUSED}:
        raise EvidenceProtocolError(f"type {event.type!r} is neither {PROVIDED} nor {REFUSED}")
    data = event.data
    if not isinstance(data, dict):
        raise EvidenceProtocolError("data is not an object")
    provided = event.type == PROVIDED
    evidence = data.get("evidence")
    if provided and not isinstance(evidence, dict):
        raise EvidenceProtocolError("data.evidence is not an object")
    return EvidenceAnswer(
        id=event.id,
        request_id=_text(data, "requestId", limit=100),
        provider=event.source.removeprefix("civicflow/"),
        provided=provided,
        evidence_type=_text(data, "evidenceType", limit=100),
        evidence=evidence if isinstance(evidence, dict) else {},
        reason="" if provided else _text(data, "reason"),
        time=event.time,
    )


def signed(secret: str, body: bytes, *, now: int) -> dict[str, str]:
    """The NATS headers of a message: content type, and its signature when ``secret`` is set."""
    headers = {"Content-Type": "application/cloudevents+json"}
    if secret:
        headers.update(signing.signature_headers(secret, now, body))
    return headers


def verified(secret: str, headers: Mapping[str, str], body: bytes, *, now: int) -> bool:
    """Whether a message carries a valid, fresh signature (always True without a shared secret)."""
    return not secret or signing.verify(secret, headers, body, now=now)
