"""Evidence exchange, the provider's side: answer other agencies' requests from this installation's records.

Evidence sources are plugins, ``@register("building-permit")``, each a function of the party and
the request giving a JSON object. :func:`respond` decides one request (a refusal names its
reason); :func:`serve` answers on ``<prefix>.<agency>.evidence.requested`` until stopped
(``civicflow evidence serve --agency NAME``). Every answer is recorded: an audit entry
(``EvidenceProvided`` / ``EvidenceRefused``, actor ``agency:<requester>``, with the consent
reference) and, when the subject is known here, an :class:`EvidenceExchange` in their party record.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import nats
from django.apps import apps
from django.db import close_old_connections, transaction
from django.utils import timezone
from nats.aio.msg import Msg

from civicflow.connectors.cloudevents import CloudEventError
from civicflow.parties.evidence import ExchangeSettings, purpose_of
from civicflow.parties.evidence_protocol import (
    EvidenceAnswer,
    EvidenceRequest,
    parse_request,
    request_subject,
    signed,
    verified,
)
from civicflow.parties.models import EvidenceExchange, EvidenceState, Party, PartyCase, identifier_index
from civicflow.security import audit

__all__ = ["EvidenceSource", "register", "respond", "serve", "sources"]

logger = logging.getLogger(__name__)

EvidenceSource = Callable[[Party, EvidenceRequest], dict[str, Any]]
_SOURCES: dict[str, EvidenceSource] = {}
_CLOCK_SKEW = timedelta(minutes=5)


def register(evidence_type: str) -> Callable[[EvidenceSource], EvidenceSource]:
    """Register the source this installation answers ``evidence_type`` requests from."""

    def add(source: EvidenceSource) -> EvidenceSource:
        _SOURCES[evidence_type] = source
        return source

    return add


def sources() -> Mapping[str, EvidenceSource]:
    return dict(_SOURCES)


@register("building-permit")
def building_permits(party: Party, request: EvidenceRequest) -> dict[str, Any]:
    """The building permits this agency issued to the party (the portal's issued documents)."""
    issued_document = apps.get_model("portal", "IssuedDocument")
    cases = PartyCase.objects.filter(party=party, service="building_permit").values_list("instance_id", flat=True)
    permits = issued_document.objects.filter(instance_id__in=list(cases), kind="permit").order_by("issued")
    return {
        "permits": [
            {
                "reference": permit.reference,
                "name": permit.name,
                "issued": permit.issued.isoformat(),
                "mediaType": permit.media_type,
                "sha256": permit.sha256,
            }
            for permit in permits
        ]
    }


def _refusal(request: EvidenceRequest, settings: ExchangeSettings, now: datetime) -> str:
    """Why the request cannot be answered; "" when it can."""
    if request.provider != settings.agency:
        return f"this is agency {settings.agency!r}, not {request.provider!r}"
    if not request.consent_id or request.consent_given_at is None or not request.consent_text_version:
        return "no consent: a request carries the subject's consent (its id, when it was given, the wording's version)"
    if request.consent_given_at > now + _CLOCK_SKEW:
        return "the consent is dated in the future"
    if request.purpose != purpose_of(request.evidence_type):
        return f"the consent's purpose {request.purpose!r} does not cover {request.evidence_type!r} evidence"
    if request.evidence_type not in _SOURCES:
        return f"this agency gives no {request.evidence_type!r} evidence"
    return ""


def _party(request: EvidenceRequest) -> Party | None:
    try:
        index = identifier_index(request.scheme, request.identifier)
    except ValueError:
        return None
    return Party.objects.filter(identifier_scheme=request.scheme, identifier_index=index).first()


def respond(
    raw: bytes, headers: Mapping[str, str], *, settings: ExchangeSettings, now: datetime | None = None
) -> EvidenceAnswer | None:
    """The answer to one request from the bus (recorded); None when the message is no request at all."""
    now = now or timezone.now()
    try:
        request = parse_request(raw)
    except CloudEventError as exc:
        logger.warning("evidence: not a request, dropped: %s", exc)
        return None
    if verified(settings.secret, headers, raw, now=int(time.time())):
        party = _party(request)
        reason = _refusal(request, settings, now) or ("" if party else "this agency has no record of the subject")
    else:  # not from an agency that shares the secret: nothing about anyone, not even in their record
        party, reason = None, "the request's signature is not valid"
    evidence: dict[str, Any] = {}
    if not reason and party is not None:
        evidence = _SOURCES[request.evidence_type](party, request)
    answer = EvidenceAnswer(
        id=str(uuid.uuid4()),
        request_id=request.id,
        provider=settings.agency,
        provided=not reason,
        evidence_type=request.evidence_type,
        evidence=evidence,
        reason=reason,
        time=now,
    )
    _record(request, answer, party, now)
    return answer


def _record(request: EvidenceRequest, answer: EvidenceAnswer, party: Party | None, now: datetime) -> None:
    details = {
        "request": request.id,
        "answer": answer.id,
        "evidence_type": request.evidence_type,
        "requester": request.requester,
        "consent": request.consent_id or None,
        "consent_given_at": request.consent_given_at.isoformat() if request.consent_given_at else None,
        "consent_text_version": request.consent_text_version or None,
    }
    if answer.reason:
        details["reason"] = answer.reason
    obj = ("party", str(party.id)) if party is not None else ("evidence-request", request.id)
    with transaction.atomic():
        if party is not None:
            exchange = EvidenceExchange(
                party=party,
                evidence_type=request.evidence_type,
                requester=request.requester,
                provider=answer.provider,
                state=EvidenceState.PROVIDED if answer.provided else EvidenceState.REFUSED,
                request_event_id=request.id[:100],
                response_event_id=answer.id,
                requested_at=request.time,
                answered_at=now,
                reason=answer.reason[:300],
            )
            if answer.provided:
                exchange.set_answer(dict(answer.evidence))
            exchange.save(force_insert=True)
        action = "EvidenceProvided" if answer.provided else "EvidenceRefused"
        audit.record(actor=f"agency:{request.requester}", action=action, obj=obj, details=details)


def _respond_in_thread(raw: bytes, headers: dict[str, str], settings: ExchangeSettings) -> EvidenceAnswer | None:
    close_old_connections()
    try:
        return respond(raw, headers, settings=settings)
    except Exception:  # one bad request must not stop the responder
        logger.exception("evidence: answering a request failed")
        return None
    finally:
        close_old_connections()


async def serve(settings: ExchangeSettings, *, stop: asyncio.Event, ready: Callable[[str], None]) -> None:
    """Answer evidence requests for ``settings.agency`` until ``stop`` is set.

    Several responders of one agency share the work (a NATS queue group). The database work runs
    on one thread of its own: Django's ORM is synchronous.
    """
    subject = request_subject(settings.prefix, settings.agency)
    loop = asyncio.get_running_loop()
    # reconnect for ever once connected; at start, an unreachable server is an error, not a silent loop
    nc = await asyncio.wait_for(
        nats.connect(
            settings.nats_url,
            connect_timeout=max(1, int(settings.timeout)),
            max_reconnect_attempts=-1,
            error_cb=_log_bus_error,
        ),
        timeout=settings.timeout * 2,
    )
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="civicflow-evidence") as executor:

        async def handle(msg: Msg) -> None:
            headers = dict(msg.headers or {})
            answer = await loop.run_in_executor(executor, _respond_in_thread, msg.data, headers, settings)
            target = msg.reply or _reply_to(msg.data)
            if answer is None or not target:
                return
            body = answer.to_event().to_json()
            await nc.publish(target, body, headers=signed(settings.secret, body, now=int(time.time())))

        await nc.subscribe(subject, queue=f"civicflow-evidence-{settings.agency}", cb=handle)
        await nc.flush()
        ready(subject)
        await stop.wait()
        await nc.drain()


async def _log_bus_error(exc: Exception) -> None:
    logger.warning("evidence: NATS: %s", exc)


def _reply_to(raw: bytes) -> str:
    try:
        return parse_request(raw).reply_to
    except CloudEventError:
        return ""
