"""Personal data at rest: a reference service run end to end leaves no personal value in clear in the database.

A citizen applies for a building permit through the portal with distinctive values, caseworkers
take the case to the permit, and a second case is started through the runtime API. Then every
row of every table is dumped as text (SQLite ``iterdump``; on PostgreSQL each row cast to text)
and searched for the values: as typed, JSON-escaped and base64-encoded. Pages still show them;
after the subject's key is shredded they show "erased" and the values cannot be decrypted.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from civicflow.api.serializers.instances import HistoryEventSerializer
from civicflow.portal.models import Application, CitizenAccount, Draft, SignInToken
from civicflow.runtime import jobs, services
from civicflow.runtime.definitions import clear_caches
from civicflow.runtime.kpi_projection import catch_up
from civicflow.runtime.mining_log import engine_event_log
from civicflow.runtime.models import HistoryEvent, KpiCase, ProcessInstance
from civicflow.runtime.reference import deploy_reference_services
from civicflow.security import keys
from civicflow.security.addresses import index
from civicflow.security.keys import SubjectKeyShreddedError
from civicflow.security.sealed_values import ERASED, SEALED
from civicflow.web.mail import queue_mail, send_due
from civicflow.web.models import MailStatus, QueuedMail
from support.portal_citizen import BP_ANSWERS, apply, client, permit_to_issued, sign_in
from support.workbench import signed_in, staff

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NAME = "Zebediah Quxworthy"
STREET = "Wyxmoorsteeg 4417, Utrecht"
API_NAME = "Ottoline Vexbrunner"
API_STREET = "Quarnhof 9912, Zwolle"
NATIONAL_ID = "NL-BSN-807716345"  # a process-declared personal variable (civicflow:personal), not on a form
# addresses as typed (mixed case): the dump must hold them in no case, escaping or encoding
GUEST_EMAIL = "Zebediah.Quxworthy@Example.org"
CITIZEN_EMAIL = "ottoline.vexbrunner-mail@example.net"
DRAFT_EMAIL = "Wyxmoor.Quarnhof@example.com"
DISTINCTIVE = (NAME, STREET, API_NAME, API_STREET, GUEST_EMAIL, CITIZEN_EMAIL)


@pytest.fixture(autouse=True)
def configured_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICFLOW_KEK", base64.b64encode(os.urandom(32)).decode())
    monkeypatch.setenv("CIVICFLOW_SUBJECT_KEY", base64.b64encode(os.urandom(32)).decode())
    monkeypatch.delenv("CIVICFLOW_KEK_PREVIOUS", raising=False)
    clear_caches()  # definition ids are reused after a rolled-back test: compiled graphs must not be


@pytest.fixture
def cases(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A portal application taken to the permit by caseworkers, and a case started through the API."""
    deploy_reference_services()
    monkeypatch.setitem(jobs.HANDLERS, "email", lambda job: None)
    browser = client()
    answers = {**BP_ANSWERS, "applicantName": NAME, "address": STREET, "applicantEmail": GUEST_EMAIL}
    reference = apply(browser, answers=answers)
    application = Application.objects.get(reference=reference)
    permit_to_issued(application.instance_id, reference)
    citizen = client(address="10.0.0.2")
    sign_in(citizen, CITIZEN_EMAIL)
    signed_in_reference = apply(citizen, answers={**BP_ANSWERS, "applicantEmail": "other@example.org"})
    assert send_due() >= 2  # the confirmations went out: sent rows keep only sealed addresses
    api = services.start_instance(
        "building_permit",
        business_key="API-1",
        variables={
            **BP_ANSWERS,
            "applicantName": API_NAME,
            "address": API_STREET,
            "applicantId": "party:api-1",
            "caseNumber": "API-1",
            "language": "en",
        },
    )
    return {
        "reference": reference,
        "instance": application.instance_id,
        "browser": browser,
        "api": api.pk,
        "signed_in_reference": signed_in_reference,
    }


def _dump() -> str:
    """Every row of every table as text."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT t::text FROM {connection.ops.quote_name(table)} AS t")
            lines.extend(row[0] for row in cursor.fetchall())
    return "\n".join(lines)


def _forms(value: str) -> Iterator[str]:
    """The value as typed and lower-cased, JSON-escaped, and the base64 (standard and URL-safe) runs only its
    bytes decide."""
    for text in dict.fromkeys((value, value.lower())):
        yield text
        yield json.dumps(text)[1:-1]
        yield json.dumps(text, ensure_ascii=False)[1:-1]
        raw = text.encode()
        for offset in range(3):
            data = b"\0" * offset + raw
            stable = base64.b64encode(data)[4 if offset else 0 : len(data) // 3 * 4].decode()
            yield stable
            yield stable.replace("+", "-").replace("/", "_")


def _task_page(instance_id: Any, language: str = "en") -> str:
    """The open intake task of a case as a caseworker sees it (the case's data listed)."""
    task = services.tasks(instance_id=instance_id).get(element_id="check_completeness", state="created")
    username = f"ingrid-{language}"
    user = User.objects.filter(username=username).first() or staff(username, "intake")
    response = signed_in(user, language).get(reverse("workbench:task", args=[task.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_runs_on_clear_values_and_stores_none(cases: dict[str, Any]) -> None:
    # the engine saw clear values: the permit was issued, the variables read back
    assert services.variables(cases["instance"])["applicantName"] == NAME
    assert services.variables(cases["api"])["address"] == API_STREET
    assert HistoryEvent.objects.filter(instance_id=cases["instance"]).count() > 30
    # a running case keeps its variables in its state, sealed (a finished one keeps none there)
    stored = ProcessInstance.objects.get(pk=cases["api"]).state
    assert f'"applicantName":{{"{SEALED}":' in stored
    dump = _dump()
    found = {value: form for value in DISTINCTIVE for form in _forms(value) if len(form) >= 8 and form in dump}
    assert found == {}, f"personal values in clear in the database dump: {found}"


REGISTRATION = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="registration" isExecutable="true">
    <bpmn:extensionElements><zeebe:properties>
      <zeebe:property name="civicflow:personal" value="nationalId, birthDate" />
      <zeebe:property name="civicflow:subject" value="citizenId" />
    </zeebe:properties></bpmn:extensionElements>
    <bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />
    <bpmn:userTask id="t" /><bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_variables_the_process_declares_are_sealed_under_its_subject_variable() -> None:
    services.deploy([("registration.bpmn", REGISTRATION)])
    started = services.start_instance(
        "registration", variables={"citizenId": "party:42", "nationalId": NATIONAL_ID, "birthDate": "1977-03-09"}
    )
    task = services.tasks(instance_id=started.pk).get()
    services.complete_task(task.pk, {"nationalId": NATIONAL_ID + "-checked"})
    dump = _dump()
    assert not [form for form in _forms(NATIONAL_ID) if len(form) >= 8 and form in dump]
    assert "1977-03-09" not in dump
    assert "party:42" in dump  # the subject variable itself is an identifier, not sealed
    assert services.variables(started.pk)["nationalId"] == NATIONAL_ID + "-checked"
    assert keys.shred("party:42")
    assert services.variables(started.pk)["nationalId"] is ERASED


def test_pages_show_the_values_and_erased_after_shredding(cases: dict[str, Any]) -> None:
    assert API_NAME in _task_page(cases["api"])
    assert API_STREET in _task_page(cases["api"])
    subject = "party:api-1"
    token = ProcessInstance.objects.get(pk=cases["api"]).state
    sealed = json.loads(token)["e"][0][6]["v"]["applicantName"][SEALED]
    assert keys.open(subject, "applicantName", sealed).decode() == json.dumps(API_NAME)
    started = HistoryEvent.objects.filter(instance_id=cases["api"], type="VariablesSet").order_by("seq").first()
    assert HistoryEventSerializer(started).data["payload"]["variables"]["applicantName"] == API_NAME  # the API
    assert keys.shred(subject)
    assert HistoryEventSerializer(started).data["payload"]["variables"]["applicantName"] == "erased"
    html = _task_page(cases["api"])
    assert API_NAME not in html
    assert API_STREET not in html
    assert "erased" in html
    assert "gewist" in _task_page(cases["api"], "nl")
    assert services.variables(cases["api"])["applicantName"] is ERASED
    with pytest.raises(SubjectKeyShreddedError):
        keys.open(subject, "applicantName", sealed)
    # the other subject's case is untouched, and the statistics are computed as before
    assert services.variables(cases["instance"])["applicantName"] == NAME
    assert catch_up() == HistoryEvent.objects.count()
    assert KpiCase.objects.filter(instance_id__in=[cases["api"], cases["instance"]]).count() == 2
    log = engine_event_log(process_key="building_permit")
    assert {"API-1", cases["reference"]} <= set(log.events["case:concept:name"].to_list())


def test_a_saved_draft_keeps_the_marked_answers_sealed_and_gives_them_back() -> None:
    deploy_reference_services()
    answers = {
        "patientName": NAME,
        "patientEmail": "zq@example.org",
        "sourceProvider": "Huisartsenpraktijk De Linde",
        "targetProvider": "Gezondheidscentrum Noord",
        "urgency": "routine",
    }
    browser = client()
    browser.post("/portal/record_transfer/apply/", {**answers, "_save": "1"})
    assert browser.post("/portal/record_transfer/save/", {"email": DRAFT_EMAIL}).status_code == 302
    draft = Draft.objects.get()
    assert SEALED in draft.data["patientName"]
    assert draft.data["urgency"] == "routine"  # not marked: kept as typed
    assert mail.outbox[-1].to == [DRAFT_EMAIL]
    dump = _dump()
    assert not [form for value in (NAME, DRAFT_EMAIL) for form in _forms(value) if form in dump]
    assert draft.email == DRAFT_EMAIL  # opened under draft:<id>, found by its index in any case
    assert Draft.objects.filter(email_index=index(DRAFT_EMAIL.upper())).get() == draft
    link = re.search(r"http://testserver(/portal/resume/\S+)", mail.outbox[-1].body)
    assert link
    other = client()
    other.get(link.group(1))
    assert NAME in other.get("/portal/record_transfer/check/").content.decode()


def test_addresses_are_found_by_their_index_and_mail_to_an_erased_one_is_dropped(cases: dict[str, Any]) -> None:
    guest = Application.objects.get(reference=cases["reference"])
    assert guest.email == GUEST_EMAIL  # opened, as typed, to send notices
    assert Application.objects.filter(email_index=index(f"  {GUEST_EMAIL.upper()} ")).get() == guest
    account = CitizenAccount.objects.get(email_index=index(CITIZEN_EMAIL))
    assert account.email == CITIZEN_EMAIL
    mine = Application.objects.get(reference=cases["signed_in_reference"])
    assert mine.email == CITIZEN_EMAIL  # the verified address, sealed again under the citizen's subject
    assert keys.open(f"citizen:{account.pk}", "email", mine.email_sealed).decode() == CITIZEN_EMAIL
    # a spent sign-in link's key is shredded: its address is gone from every copy of the row
    assert all(token.email is None for token in SignInToken.objects.all())
    assert SignInToken.objects.filter(email_index=index(CITIZEN_EMAIL)).exists()

    queue_mail(
        key="later", to=guest.email, subject="s", body="b", language="en", now=timezone.now(), owner=guest.subject
    )
    assert keys.shred(guest.subject)
    guest.refresh_from_db()
    assert guest.email == ""  # erased: reads as no address
    outbox = len(mail.outbox)
    send_due()
    assert len(mail.outbox) == outbox  # dropped, never sent
    dropped = QueuedMail.objects.get(key="later")
    assert (dropped.status, dropped.last_error, dropped.to) == (MailStatus.DEAD, "recipient erased", None)


def test_mail_without_a_known_recipient_is_sealed_under_its_own_key_shredded_once_sent() -> None:
    now = timezone.now()
    assert queue_mail(key="digest:1", to=GUEST_EMAIL, subject="s", body="b", language="en", now=now)
    queued = QueuedMail.objects.get()
    assert queued.own_key
    assert queued.to == GUEST_EMAIL
    assert not [form for form in _forms(GUEST_EMAIL) if form in _dump()]
    assert send_due() == 1
    assert mail.outbox[-1].to == [GUEST_EMAIL]
    assert keys.is_shredded("mail:digest:1")
    assert QueuedMail.objects.get().to is None


PARTY_VALUES = {
    "identifier": "NL-BSN-612093874",
    "name": "Hieronymus Wolkenkrabber",
    "email": "Hieronymus.Wolken@Example.org",
    "phone": "+31 6 8472 9315",
    "address": "Zwanenburgwal 7734, Leiden",
    "message": "Your Zwanenburgwal permit",
    "evidence": "Inkomstenverklaring Wolkenkrabber",
}


def test_parties_seal_every_personal_value() -> None:
    from civicflow import parties
    from civicflow.parties.models import EvidenceExchange

    now = timezone.now()
    party = parties.party_for_identity(scheme="national-id", identifier=PARTY_VALUES["identifier"], now=now)
    party.set_name(PARTY_VALUES["name"])
    party.set_email(PARTY_VALUES["email"])
    party.set_phone(PARTY_VALUES["phone"])
    party.set_address(PARTY_VALUES["address"])
    party.save()
    parties.record_message(
        party, instance_id=None, direction="sent", channel="post", subject=PARTY_VALUES["message"], now=now
    )
    exchange = EvidenceExchange(
        party=party, evidence_type="income", requester="r", provider="p", request_event_id="e1", requested_at=now
    )
    exchange.set_answer({"statement": PARTY_VALUES["evidence"]})
    exchange.save()
    parties.party_for_identity(scheme="email", identifier=GUEST_EMAIL, now=now)  # an email-identified party
    dump = _dump()
    found = {
        value: form
        for value in (*PARTY_VALUES.values(), GUEST_EMAIL)
        for form in _forms(value)
        if len(form) >= 8 and form in dump
    }
    assert found == {}, f"party values in clear in the database dump: {found}"
    record = parties.party_record(party, visible_instances=None)
    assert (record.identifier, record.name, record.phone) == (
        PARTY_VALUES["identifier"],
        PARTY_VALUES["name"],
        PARTY_VALUES["phone"],
    )
    assert record.evidence[0].answer == {"statement": PARTY_VALUES["evidence"]}
