"""Evidence exchange, the requester's side: ask another agency for evidence about a party, with consent.

:func:`request_evidence` refuses before anything is sent unless the party has an active consent
for the purpose (``evidence:<type>``) and the provider; it records an :class:`EvidenceExchange`
(``requested`` -> ``provided`` / ``refused`` / ``failed``), and on the case an audit entry per
step plus a process variable ``evidence<Type>`` the caseworker sees with the case's data.

Settings (environment; docs/deployment.md):

``CIVICFLOW_EVIDENCE_AGENCY``   this installation's agency name on the bus (default ``civicflow``)
``CIVICFLOW_EVIDENCE_PREFIX``   the subjects' prefix (default ``exchange``; outside ``civicflow.>``)
``CIVICFLOW_EVIDENCE_SECRET``   the HMAC secret the agencies share; unset, messages go unsigned
``CIVICFLOW_EVIDENCE_TIMEOUT``  seconds to wait for an answer (default 5, at most 60)
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from django.utils import timezone

from civicflow.connectors._nats import DEFAULT_URL, Delivery, default_bus
from civicflow.connectors.cloudevents import CloudEventError
from civicflow.connectors.ports import TransportError
from civicflow.errors import CivicFlowError, ConfigurationError
from civicflow.parties._service import active_consent
from civicflow.parties.evidence_protocol import (
    EvidenceProtocolError,
    EvidenceRequest,
    check_agency,
    parse_answer,
    request_subject,
    signed,
    verified,
)
from civicflow.parties.models import EvidenceExchange, EvidenceState, Party
from civicflow.runtime import services
from civicflow.runtime.errors import RuntimeServiceError
from civicflow.security import audit

__all__ = [
    "CaseEvidence",
    "ConsentRequiredError",
    "EvidenceError",
    "ExchangeSettings",
    "RequestBus",
    "case_evidence",
    "evidence_variable",
    "exchange_settings",
    "purpose_of",
    "request_evidence",
]

ACTOR = "system:evidence-exchange"


class EvidenceError(CivicFlowError):
    """An evidence exchange could not be made."""


class ConsentRequiredError(EvidenceError):
    """The party has no active consent for this evidence from this provider: nothing was sent."""


class RequestBus(Protocol):
    """What the exchange needs of the bus (:class:`civicflow.connectors._nats.JetStreamBus`)."""

    def request(
        self, subject: str, data: bytes, *, reply_to: str, headers: dict[str, str] | None = None, timeout: float
    ) -> Delivery: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangeSettings:
    agency: str
    prefix: str = "exchange"
    secret: str = ""
    timeout: float = 5.0
    nats_url: str = DEFAULT_URL


def exchange_settings(agency: str | None = None) -> ExchangeSettings:
    """The settings from the environment (``agency`` overrides ``CIVICFLOW_EVIDENCE_AGENCY``)."""
    raw_timeout = os.environ.get("CIVICFLOW_EVIDENCE_TIMEOUT", "").strip() or "5"
    try:
        timeout = float(raw_timeout)
    except ValueError:
        timeout = -1.0
    if not 0 < timeout <= 60:
        raise ConfigurationError(f"CIVICFLOW_EVIDENCE_TIMEOUT={raw_timeout!r}: give seconds, more than 0, at most 60")
    prefix = os.environ.get("CIVICFLOW_EVIDENCE_PREFIX", "").strip() or "exchange"
    if prefix == "civicflow" or prefix.startswith("civicflow.") or not all(prefix.split(".")):
        # the CIVICFLOW stream holds civicflow.>: JetStream would store (and answer) the requests
        raise ConfigurationError(f"CIVICFLOW_EVIDENCE_PREFIX={prefix!r}: a subject prefix outside civicflow.>")
    name = agency or os.environ.get("CIVICFLOW_EVIDENCE_AGENCY", "").strip() or "civicflow"
    try:
        check_agency(name)
    except EvidenceProtocolError as exc:
        raise ConfigurationError(str(exc) if agency else f"CIVICFLOW_EVIDENCE_AGENCY: {exc}") from None
    return ExchangeSettings(
        agency=name,
        prefix=prefix,
        secret=os.environ.get("CIVICFLOW_EVIDENCE_SECRET", ""),
        timeout=timeout,
        nats_url=os.environ.get("CIVICFLOW_NATS_URL") or DEFAULT_URL,
    )


def purpose_of(evidence_type: str) -> str:
    """The consent purpose that covers asking for ``evidence_type``."""
    return f"evidence:{evidence_type}"


def evidence_variable(evidence_type: str) -> str:
    """The case variable that holds an exchange's outcome: ``building-permit`` -> ``evidenceBuildingPermit``."""
    return "evidence" + "".join(part.capitalize() for part in evidence_type.split("-"))


def request_evidence(
    party: Party,
    *,
    evidence_type: str,
    provider: str,
    instance_id: UUID | None,
    bus: RequestBus | None = None,
    settings: ExchangeSettings | None = None,
    now: datetime | None = None,
) -> EvidenceExchange:
    """Ask ``provider`` for ``evidence_type`` about ``party`` under the party's active consent.

    Raises :class:`ConsentRequiredError` (nothing sent, nothing recorded) without one. Otherwise
    the exchange is recorded whatever happens: a provider that refuses gives ``refused`` with its
    reason; no answer in time, a bad signature or a malformed answer gives ``failed``.
    """
    settings = settings or exchange_settings()
    check_agency(provider)
    purpose = purpose_of(evidence_type)
    consent = active_consent(party, purpose=purpose, provider=provider)
    if consent is None:
        raise ConsentRequiredError(
            f"no active consent of this party to ask {provider!r} for {evidence_type!r} evidence: nothing was sent"
        )
    identifier = party.identifier
    if identifier is None:
        raise EvidenceError("the party's identifier was erased: there is nobody to ask about")
    now = now or timezone.now()
    request = EvidenceRequest(
        id=str(uuid.uuid4()),
        requester=settings.agency,
        provider=provider,
        evidence_type=evidence_type,
        scheme=party.identifier_scheme,
        identifier=identifier,
        purpose=purpose,
        consent_id=str(consent.id),
        consent_given_at=consent.given_at,
        consent_text_version=consent.text_version,
        reply_to=f"_INBOX.evidence.{uuid.uuid4().hex}",
        time=now,
    )
    if instance_id is not None and consent.instance_id is None:
        consent.instance_id = instance_id
        consent.save(update_fields=["instance_id"])
    exchange = EvidenceExchange.objects.create(
        party=party,
        consent=consent,
        instance_id=instance_id,
        evidence_type=evidence_type,
        requester=settings.agency,
        provider=provider,
        state=EvidenceState.REQUESTED,
        request_event_id=request.id,
        requested_at=now,
    )
    _on_case(exchange, "EvidenceRequested")
    _exchange(exchange, request, bus or default_bus(), settings)
    _on_case(exchange, f"Evidence{exchange.state.capitalize()}")
    _set_variable(exchange)
    return exchange


def _exchange(
    exchange: EvidenceExchange, request: EvidenceRequest, bus: RequestBus, settings: ExchangeSettings
) -> None:
    body = request.to_event().to_json()
    try:
        delivery = bus.request(
            request_subject(settings.prefix, request.provider),
            body,
            reply_to=request.reply_to,
            headers=signed(settings.secret, body, now=int(time.time())),
            timeout=settings.timeout,
        )
        if not verified(settings.secret, delivery.headers, delivery.data, now=int(time.time())):
            raise EvidenceError("the answer's signature is not valid")
        answer = parse_answer(delivery.data)
        if answer.request_id != request.id:
            raise EvidenceError(f"the answer is to request {answer.request_id}, not {request.id}")
    except (TransportError, EvidenceError, CloudEventError) as exc:
        exchange.state = EvidenceState.FAILED
        exchange.reason = " ".join(str(exc).split())[:300]
    else:
        exchange.response_event_id = answer.id[:100]
        if answer.provided:
            exchange.state = EvidenceState.PROVIDED
            exchange.set_answer(dict(answer.evidence))
        else:
            exchange.state = EvidenceState.REFUSED
            exchange.reason = answer.reason[:300]
    exchange.answered_at = timezone.now()
    exchange.save()


def _on_case(exchange: EvidenceExchange, action: str) -> None:
    """An audit entry on the case (the caseworker's history of it); references only, never the evidence."""
    if exchange.instance_id is None:
        return
    details: dict[str, Any] = {
        "exchange": str(exchange.id),
        "evidence_type": exchange.evidence_type,
        "provider": exchange.provider,
        "state": exchange.state,
        "consent": str(exchange.consent_id) if exchange.consent_id else None,
        "request": exchange.request_event_id,
    }
    if exchange.reason:
        details["reason"] = exchange.reason
    audit.record(actor=ACTOR, action=action, obj=("instance", str(exchange.instance_id)), details=details)


def _set_variable(exchange: EvidenceExchange) -> None:
    """The outcome as a case variable, while the case runs (a finished case keeps the audit entries)."""
    if exchange.instance_id is None:
        return
    value = {
        "state": str(exchange.state),
        "provider": exchange.provider,
        "exchangeId": str(exchange.id),
        "consentId": str(exchange.consent_id) if exchange.consent_id else None,
        "answeredAt": exchange.answered_at.isoformat() if exchange.answered_at else None,
        "reason": exchange.reason or None,
        "evidence": exchange.answer if exchange.state == EvidenceState.PROVIDED else None,
    }
    try:
        services.set_variables(exchange.instance_id, {evidence_variable(exchange.evidence_type): value})
    except RuntimeServiceError:
        return  # not running (any more): nothing to attach it to but the audit trail


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseEvidence:
    """One exchange of a case as the caseworker reads it."""

    evidence_type: str
    provider: str
    state: str
    requested_at: datetime
    answered_at: datetime | None
    reason: str
    consent_given_at: datetime | None
    consent_text_version: str
    consent_withdrawn_at: datetime | None
    items: tuple[str, ...]  # one line per item of the evidence (a permit: reference, name, date)


_SHOWN = ("reference", "name", "issued")  # what identifies an item; hashes and media types stay out


def _items(answer: Any) -> tuple[str, ...]:
    if not isinstance(answer, dict):
        return ()
    lines: list[str] = []
    for value in answer.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                lines.append(", ".join(str(item[key]) for key in _SHOWN if item.get(key)) or str(item))
            else:
                lines.append(str(item))
    return tuple(lines)


def case_evidence(instance_id: UUID) -> list[CaseEvidence]:
    """The case's evidence exchanges, oldest first, with the consent each was made under."""
    rows = EvidenceExchange.objects.filter(instance_id=instance_id).select_related("consent").order_by("requested_at")
    return [
        CaseEvidence(
            evidence_type=row.evidence_type,
            provider=row.provider,
            state=row.state,
            requested_at=row.requested_at,
            answered_at=row.answered_at,
            reason=row.reason,
            consent_given_at=row.consent.given_at if row.consent else None,
            consent_text_version=row.consent.text_version if row.consent else "",
            consent_withdrawn_at=row.consent.withdrawn_at if row.consent else None,
            items=_items(row.answer) if row.state == EvidenceState.PROVIDED else (),
        )
        for row in rows
    ]
