"""The evidence exchange's CloudEvents: round trips, what a request or an answer must carry, signatures."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from civicflow.connectors.cloudevents import CloudEventError
from civicflow.parties.evidence_protocol import (
    PROVIDED,
    REFUSED,
    REQUESTED,
    EvidenceAnswer,
    EvidenceProtocolError,
    EvidenceRequest,
    check_agency,
    parse_answer,
    parse_request,
    request_subject,
    signed,
    verified,
)

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
REQUEST = EvidenceRequest(
    id="5f0c6d1e-2f7e-4a52-9a4e-6d1c1f0e9b11",
    requester="tax-office",
    provider="municipality",
    evidence_type="building-permit",
    scheme="national-id",
    identifier="999990019",
    purpose="evidence:building-permit",
    consent_id="0b8e3d52-8f3c-4b0e-a1c3-7f1e2d3c4b5a",
    consent_given_at=AT,
    consent_text_version="tr-building-permit-1",
    reply_to="_INBOX.evidence.abc",
    time=AT,
)


def _body(**changes: Any) -> bytes:
    event = REQUEST.to_event().to_dict()
    event["data"].update(changes)
    return json.dumps(event).encode()


def test_a_request_round_trips_and_never_names_the_person_outside_data() -> None:
    event = REQUEST.to_event()
    assert event.type == REQUESTED
    assert event.source == "civicflow/tax-office"
    assert event.subject == "building-permit"
    assert "999990019" not in json.dumps({k: v for k, v in event.to_dict().items() if k != "data"})
    assert parse_request(event.to_json()) == REQUEST


def test_a_request_without_consent_parses_so_that_the_provider_can_refuse_it_with_a_reason() -> None:
    found = parse_request(_body(consent=None))
    assert (found.consent_id, found.consent_given_at, found.consent_text_version) == ("", None, "")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"subject": None}, "data.subject is missing"),
        ({"evidenceType": "Building Permit!"}, "is not a name"),
        ({"requester": "Tax Office"}, "agency name 'Tax Office'"),
        ({"purpose": "x" * 201}, "longer than 200"),
        ({"consent": {"id": "c", "givenAt": "yesterday", "textVersion": "1"}}, "not an ISO 8601 time"),
        ({"consent": {"id": "c", "givenAt": "2026-03-01T10:00:00", "textVersion": "1"}}, "no time zone"),
    ],
)
def test_a_malformed_request_is_refused_with_what_is_wrong(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(EvidenceProtocolError, match=message):
        parse_request(_body(**changes))


def test_only_evidence_requests_are_requests() -> None:
    answer = EvidenceAnswer(id="a", request_id=REQUEST.id, provider="municipality", provided=True, evidence_type="x")
    with pytest.raises(EvidenceProtocolError, match=r"is not org\.civicflow\.evidence\.requested"):
        parse_request(answer.to_event().to_json())
    with pytest.raises(EvidenceProtocolError, match="neither"):
        parse_answer(REQUEST.to_event().to_json())
    with pytest.raises(CloudEventError, match="not JSON"):  # the base of EvidenceProtocolError
        parse_request(b"{")


def test_answers_round_trip_correlated_by_the_request_id() -> None:
    provided = EvidenceAnswer(
        id="a1",
        request_id=REQUEST.id,
        provider="municipality",
        provided=True,
        evidence_type="building-permit",
        evidence={"permits": [{"reference": "BP-2026-000042"}]},
        time=AT,
    )
    event = provided.to_event()
    assert event.type == PROVIDED
    assert event.extensions == {"requestid": REQUEST.id}
    assert parse_answer(event.to_json()) == provided
    refused = EvidenceAnswer(
        id="a2", request_id=REQUEST.id, provider="municipality", provided=False, evidence_type="x", reason="no consent"
    )
    assert refused.to_event().type == REFUSED
    assert parse_answer(refused.to_event().to_json()).reason == "no consent"


def test_a_provided_answer_carries_an_object_and_a_refusal_a_reason() -> None:
    body = json.loads(
        EvidenceAnswer(id="a", request_id="r", provider="p", provided=True, evidence_type="x").to_event().to_json()
    )
    body["data"]["evidence"] = ["not", "an", "object"]
    with pytest.raises(EvidenceProtocolError, match=r"data\.evidence is not an object"):
        parse_answer(json.dumps(body).encode())
    body = json.loads(
        EvidenceAnswer(id="a", request_id="r", provider="p", provided=False, evidence_type="x").to_event().to_json()
    )
    with pytest.raises(EvidenceProtocolError, match=r"data\.reason is missing"):
        parse_answer(json.dumps(body).encode())


def test_subjects_name_the_provider_and_agency_names_are_checked() -> None:
    assert request_subject("exchange", "municipality") == "exchange.municipality.evidence.requested"
    for bad in ("", "Municipality", "a.b", "a b", "-x", "x" * 64):
        with pytest.raises(EvidenceProtocolError):
            check_agency(bad)


def test_signatures_bind_the_body_and_the_time() -> None:
    body = REQUEST.to_event().to_json()
    headers = signed("s3cret", body, now=1_772_000_000)
    assert verified("s3cret", headers, body, now=1_772_000_100)
    assert not verified("other", headers, body, now=1_772_000_100)
    assert not verified("s3cret", headers, body + b" ", now=1_772_000_100)
    assert not verified("s3cret", headers, body, now=1_772_000_000 + 301)  # a replay after the tolerance
    assert not verified("s3cret", {"Content-Type": "application/cloudevents+json"}, body, now=1_772_000_000)
    assert verified("", signed("", body, now=0), body, now=10**10)  # no shared secret: nothing to check
