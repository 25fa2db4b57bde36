"""Erasure by crypto-shredding (``civicflow gdpr erase``), legal holds and retention schedules (issue #11).

Two citizens apply through the portal for a record transfer, their cases run to their end and they
answer the satisfaction question; then subject 1 is erased. Their values cannot be decrypted any
more, subject 2 is intact, and the KPI figures are the same before and after.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from typer.testing import CliRunner

import civicflow.services
from civicflow.cli._audit_step import follow_history
from civicflow.cli._retention_step import RetentionReport, retention_interval, retention_steps
from civicflow.cli.app import app
from civicflow.engine.ports import VirtualClock
from civicflow.errors import ConfigurationError
from civicflow.kpi import Period, kpis_as_dict
from civicflow.portal.models import (
    Application,
    CitizenAccount,
    Document,
    Draft,
    SatisfactionResponse,
    SignInToken,
)
from civicflow.runtime import jobs, kpi_projection, services
from civicflow.runtime.clock import current_clock, using_clock
from civicflow.runtime.models import ProcessInstance
from civicflow.runtime.reference import deploy_reference_services
from civicflow.security import keys
from civicflow.security.addresses import index
from civicflow.security.models import AuditEntry, SubjectKey
from civicflow.services import REFERENCE_SERVICES, Retention, RetentionAction, Text
from civicflow.web.attachments import document_storage
from civicflow.web.kpis import service_kpis
from civicflow.web.mail import queue_mail
from civicflow.web.models import QueuedMail
from support.portal_citizen import BP_ANSWERS, RT_ANSWERS, apply, client, permit_to_issued, run_due, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ZOE, YARA = "zoe@example.org", "yara@example.org"
NAME_1, NAME_2 = "Zebediah Quxworthy", "Yolanda Pimbleton"
RECORD_TRANSFER_DAYS = 7305  # the record transfer's retention schedule


@dataclasses.dataclass(frozen=True)
class Cases:
    account: int
    ref_1: str
    ref_2: str
    instance_1: UUID
    instance_2: UUID
    token_1: str  # sealed under subject 1's key (their account)
    token_2: str  # sealed under subject 2's key (their guest application)


def _run(*args: str, at: datetime | None = None) -> Any:
    if at is None:
        return CliRunner().invoke(app, list(args))
    with using_clock(VirtualClock(at)):
        return CliRunner().invoke(app, list(args))


def _later(days: int = RECORD_TRANSFER_DAYS + 1) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


def _to_the_end(reference: str) -> UUID:
    """Consent refused: the record transfer reaches its "Consent refused" end event."""
    instance_id = Application.objects.get(reference=reference).instance_id
    run_due()
    task = services.tasks(instance_id=instance_id).get(element_id="give_consent")
    services.complete_task(task.pk, {"consentGiven": False})
    run_due()
    assert services.get_instance(instance_id).status == "completed"
    return instance_id


@pytest.fixture
def cases(monkeypatch: pytest.MonkeyPatch) -> Cases:
    deploy_reference_services()
    monkeypatch.setitem(jobs.HANDLERS, "email", lambda job: None)
    zoe, yara = client(address="10.0.0.1"), client(address="10.0.0.2")
    account = sign_in(zoe, ZOE)
    ref_1 = apply(zoe, "record_transfer", {**RT_ANSWERS, "patientName": NAME_1, "patientEmail": ZOE})
    ref_2 = apply(yara, "record_transfer", {**RT_ANSWERS, "patientName": NAME_2, "patientEmail": YARA})
    instances = [_to_the_end(ref) for ref in (ref_1, ref_2)]
    for browser, ref, comment in ((zoe, ref_1, "Zebediah liked it"), (yara, ref_2, "Quick")):
        assert (
            browser.post(f"/portal/applications/{ref}/satisfaction/", {"score": "4", "comment": comment}).status_code
            == 302
        )
    return Cases(
        account=account,
        ref_1=ref_1,
        ref_2=ref_2,
        instance_1=instances[0],
        instance_2=instances[1],
        token_1=keys.seal(f"citizen:{account}", "note", "subject one's note"),
        token_2=keys.seal(f"guest:{ref_2}", "note", "subject two's note"),
    )


def _figures() -> list[dict[str, Any]]:
    """Every reference service's KPI figures for this month, the read models brought up to date first."""
    while kpi_projection.advance():
        pass
    period = Period.parse("month", clock=current_clock())
    figures = [kpis_as_dict(service_kpis(item, period)) for item in REFERENCE_SERVICES]
    for service in figures:
        # when they were computed, and the open case's age then: the wall clock's, not the data's
        service.pop("as_of")
        service.pop("oldest_open_days")
    assert any(service["completed"] for service in figures)  # there is something to compare
    return figures


def test_erasure_shreds_the_subjects_key_and_keeps_the_kpis(cases: Cases) -> None:
    before = _figures()
    assert services.variables(cases.instance_1)["patientName"] == NAME_1
    result = _run("gdpr", "erase", "Zoe@Example.org", "--reason", "request 2026-17", at=_later())
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Zoe@Example.org: erased (keys shredded: ")

    # subject 1: nothing sealed for them opens again, wherever it is stored
    with pytest.raises(keys.SubjectKeyShreddedError):
        keys.open(f"citizen:{cases.account}", "note", cases.token_1)
    # what pages show for a shredded value (sealed by the runtime under the applicant's key)
    assert str(services.variables(cases.instance_1)["patientName"]) == "erased"
    # what could not be sealed is gone; the anonymous facts stay
    assert not CitizenAccount.objects.filter(pk=cases.account).exists()
    assert not SignInToken.objects.filter(email_index=index(ZOE)).exists()
    application = Application.objects.get(reference=cases.ref_1)
    assert (application.email, application.account_id, application.instance_id) == ("", None, cases.instance_1)
    answer = SatisfactionResponse.objects.get(reference=cases.ref_1)
    assert (answer.score, answer.comment) == (4, "")
    assert ProcessInstance.objects.filter(pk=cases.instance_1).exists()

    # subject 2 is untouched
    assert keys.open(f"guest:{cases.ref_2}", "note", cases.token_2) == b"subject two's note"
    assert services.variables(cases.instance_2)["patientName"] == NAME_2
    assert Application.objects.get(reference=cases.ref_2).email == YARA
    assert SatisfactionResponse.objects.get(reference=cases.ref_2).comment == "Quick"

    assert _figures() == before  # counts, durations, SLA, satisfaction: the same

    # one audit entry, references only; the chain still verifies
    entry = AuditEntry.objects.get(action="SubjectErased")
    assert entry.details["applications"] == [cases.ref_1]
    assert entry.details["reason"] == "request 2026-17"
    assert "zoe" not in json.dumps(entry.details).lower()
    assert "zoe" not in entry.object_ref
    follow_history(budget=30.0)
    verified = _run("audit", "verify")
    assert verified.exit_code == 0, verified.stdout + verified.stderr

    # idempotent
    again = _run("gdpr", "erase", ZOE, "--json", at=_later())
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["already"] == datetime.now(UTC).date().isoformat()
    assert AuditEntry.objects.filter(action="SubjectErased").count() == 1


def test_dry_run_changes_nothing(cases: Cases) -> None:
    keys_before = list(SubjectKey.objects.order_by("pk").values())
    result = _run("gdpr", "erase", ZOE, "--dry-run", "--json", at=_later())
    assert result.exit_code == 0, result.stderr
    planned = json.loads(result.stdout)
    assert (planned["erased"], planned["applications"], planned["blockers"]) == (False, [cases.ref_1], [])
    assert list(SubjectKey.objects.order_by("pk").values()) == keys_before
    assert CitizenAccount.objects.filter(pk=cases.account).exists()
    assert keys.open(f"citizen:{cases.account}", "note", cases.token_1) == b"subject one's note"
    assert not AuditEntry.objects.filter(action="SubjectErased").exists()


def test_a_legal_hold_refuses_erasure_until_lifted(cases: Cases) -> None:
    assert _run("gdpr", "hold", YARA, "--on").exit_code == 2  # a hold needs its reason
    held = _run("gdpr", "hold", YARA, "--on", "--reason", "court order 2026/88")
    assert held.exit_code == 0, held.stderr
    refused = _run("gdpr", "erase", YARA, at=_later())
    assert refused.exit_code == 1
    assert refused.stderr.count("\n") == 1
    assert "legal hold" in refused.stderr
    assert keys.open(f"guest:{cases.ref_2}", "note", cases.token_2) == b"subject two's note"
    # the retention step leaves a held case alone too
    with using_clock(VirtualClock(_later())):
        report = json.loads(CliRunner().invoke(app, ["gdpr", "retention", "--json"]).stdout)
    assert {(item["case"], item["action"]) for item in report["cases"]} >= {(cases.ref_2, "held")}
    assert Application.objects.get(reference=cases.ref_2).email == YARA
    assert _run("gdpr", "hold", YARA, "--off").exit_code == 0
    assert _run("gdpr", "erase", YARA, at=_later()).exit_code == 0
    with pytest.raises(keys.SubjectKeyShreddedError):
        keys.open(f"guest:{cases.ref_2}", "note", cases.token_2)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"LegalHoldSet", "LegalHoldLifted", "SubjectErased"} <= actions


def test_erasure_inside_the_retention_period_names_the_case_and_the_date(cases: Cases) -> None:
    ended = ProcessInstance.objects.get(pk=cases.instance_2).ended
    assert ended is not None
    erasable = (ended + timedelta(days=RECORD_TRANSFER_DAYS)).date().isoformat()
    refused = _run("gdpr", "erase", YARA)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"civicflow: error: case {cases.ref_2} must be kept under its service's retention schedule: "
        f"it can be erased from {erasable}\n"
    )
    as_json = _run("gdpr", "erase", YARA, "--json")
    assert as_json.exit_code == 1
    [blocker] = json.loads(as_json.stdout)["blockers"]
    assert blocker == {
        "case": cases.ref_2,
        "reason": "retention",
        "erasable_from": erasable,
        "message": blocker["message"],
    }
    # an open case is refused as well
    open_ref = apply(client(address="10.0.0.3"), "record_transfer", {**RT_ANSWERS, "patientEmail": YARA})
    refused = _run("gdpr", "erase", YARA, "--json", at=_later())
    reasons = {(item["case"], item["reason"]) for item in json.loads(refused.stdout)["blockers"]}
    assert reasons == {(open_ref, "open")}
    assert keys.open(f"guest:{cases.ref_2}", "note", cases.token_2) == b"subject two's note"


def test_the_retention_step_erases_only_the_expired_cases(cases: Cases) -> None:
    open_ref = apply(client(address="10.0.0.3"), "record_transfer", {**RT_ANSWERS, "patientEmail": "x@example.org"})
    long_ago = datetime.now(UTC) - timedelta(days=RECORD_TRANSFER_DAYS + 30)
    ProcessInstance.objects.filter(pk=cases.instance_1).update(ended=long_ago)
    Application.objects.filter(reference=cases.ref_1).update(created=long_ago - timedelta(days=9))
    before = _figures()

    keys_before = list(SubjectKey.objects.order_by("pk").values())
    planned = _run("gdpr", "retention", "--dry-run", "--json")
    assert planned.exit_code == 0, planned.stderr
    assert [(c["case"], c["action"], c["key"]) for c in json.loads(planned.stdout)["cases"]] == [
        (cases.ref_1, "anonymise", "shredded")
    ]
    assert list(SubjectKey.objects.order_by("pk").values()) == keys_before  # the dry run changed nothing

    done = _run("gdpr", "retention")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"{cases.ref_1} (record_transfer): anonymised, key shredded",
        "1 case(s) past their retention period done, 0 on legal hold",
    ]
    with pytest.raises(keys.SubjectKeyShreddedError):
        keys.open(f"citizen:{cases.account}", "note", cases.token_1)
    assert SatisfactionResponse.objects.get(reference=cases.ref_1).comment == ""
    assert Application.objects.get(reference=cases.ref_1).email == ""
    # the case inside its period and the open case are untouched
    assert keys.open(f"guest:{cases.ref_2}", "note", cases.token_2) == b"subject two's note"
    assert services.variables(cases.instance_2)["patientName"] == NAME_2
    assert Application.objects.get(reference=open_ref).email == "x@example.org"
    assert _figures() == before
    assert AuditEntry.objects.filter(action="RetentionApplied", object_ref=cases.ref_1).count() == 1
    # the worker's step (same code, the runtime's clock) finds nothing left to do
    [step] = retention_steps()
    report = step()
    assert isinstance(report, RetentionReport)
    assert report.cases == ()


def test_an_erase_schedule_deletes_the_application_row(cases: Cases, monkeypatch: pytest.MonkeyPatch) -> None:
    erase_at_once = Retention(after_days=0, action=RetentionAction.ERASE, legal_basis=Text(en="test", nl="test"))
    patched = tuple(
        dataclasses.replace(item, retention=erase_at_once) if item.id == "record_transfer" else item
        for item in REFERENCE_SERVICES
    )
    monkeypatch.setattr(civicflow.services, "REFERENCE_SERVICES", patched)
    # a hold set on an address (before or after the application) also keeps the case from the schedule
    keys.set_legal_hold(f"email:{YARA}", hold=True)
    result = _run("gdpr", "retention", "--json")
    assert result.exit_code == 0, result.stderr
    assert {c["case"]: c["action"] for c in json.loads(result.stdout)["cases"]} == {
        cases.ref_1: "erase",
        cases.ref_2: "held",
    }
    assert not Application.objects.filter(reference=cases.ref_1).exists()
    assert Application.objects.get(reference=cases.ref_2).email == YARA
    keys.set_legal_hold(f"email:{YARA}", hold=False)
    assert _run("gdpr", "retention").exit_code == 0
    assert not Application.objects.filter(reference__in=[cases.ref_1, cases.ref_2]).exists()
    assert SatisfactionResponse.objects.filter(reference=cases.ref_1).values_list("score", "comment").get() == (4, "")
    assert ProcessInstance.objects.filter(pk__in=[cases.instance_1, cases.instance_2]).count() == 2


def test_records_show_the_schedules_and_bad_input_is_one_line(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    records = {item["service"]: item for item in json.loads(_run("gdpr", "records", "--json").stdout)["records"]}
    assert records["building_permit"]["retention_schedule"] == {
        "after_days": 3653,
        "action": "erase",
        "legal_basis": records["building_permit"]["retention_schedule"]["legal_basis"],
        "kept_permanently_at": ["permit_issued"],
    }
    assert "anonymise 7305 days after the case ended" in _run("gdpr", "records").stdout
    for args, code, message in (
        (
            ("gdpr", "erase", "not an address"),
            1,
            "SUBJECT must be a citizen's email address, account id, party:<id>, national-id:<n> or company-number:<n>",
        ),
        (
            ("gdpr", "erase", "nobody@example.org"),
            1,
            "no personal data held for nobody@example.org: no account, application, draft, party or co-signing request",
        ),
        (("gdpr", "erase", "424242"), 1, "no citizen account 424242"),
    ):
        result = _run(*args)
        assert (result.exit_code, result.stdout) == (code, "")
        assert result.stderr == f"civicflow: error: {message}\n"
    monkeypatch.setenv("CIVICFLOW_RETENTION_INTERVAL", "5")
    with pytest.raises(ConfigurationError, match="CIVICFLOW_RETENTION_INTERVAL must be 60 to 604800 seconds"):
        retention_interval()
    monkeypatch.setenv("CIVICFLOW_RETENTION_INTERVAL", "7200")
    assert retention_interval() == 7200.0


@pytest.mark.parametrize(
    ("language", "service", "sentence"),
    [
        ("en", "record_transfer", "Our system does this automatically: 7305 days after your case is closed"),
        ("nl", "tax_refund", "Ons systeem doet dit automatisch: 2557 dagen nadat uw zaak is afgesloten"),
        ("en", "building_permit", "This does not apply to what we keep permanently, as described above."),
        ("nl", "building_permit", "en wordt uw aanvraag verwijderd"),
    ],
)
def test_the_privacy_notice_states_the_schedule(db: Any, language: str, service: str, sentence: str) -> None:
    html = client(language).get(f"/portal/{service}/privacy/").content.decode()
    assert sentence in " ".join(html.split())


def test_uploaded_files_drafts_and_queued_mail_of_the_subject_go(
    cases: Cases, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    storage = document_storage()
    now = timezone.now()
    draft = Draft(
        service="record_transfer", data={"patientName": NAME_1}, token_hash="0" * 64,
        created=now, expires=now + timedelta(days=30),
    )  # fmt: skip
    draft.set_email(ZOE)
    draft.save()
    draft_token = keys.seal(f"draft:{draft.pk}", "patientName", NAME_1)
    stored = []
    for owner in ({"application": Application.objects.get(reference=cases.ref_1)}, {"draft": draft},
                  {"application": Application.objects.get(reference=cases.ref_2)}):  # fmt: skip
        name = storage.save(f"{len(stored)}.pdf", ContentFile(b"%PDF-1.7 scan"))
        Document.objects.create(
            service="record_transfer", field="scan", name="passport.pdf", content_type="application/pdf",
            size=13, sha256="0" * 64, storage_name=name, created=now, **owner,
        )  # fmt: skip
        stored.append(name)
    queue_mail(key="k1", to=ZOE, subject="s", body=NAME_1, language="en", now=now)
    queue_mail(key="k2", to=YARA, subject="s", body=NAME_2, language="en", now=now)
    queued = (
        QueuedMail.objects.filter(to_index=index(ZOE)).count(),
        QueuedMail.objects.exclude(to_index=index(ZOE)).count(),
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # the bytes go once the rows are gone
        result = _run("gdpr", "erase", ZOE, "--json", at=_later())
    assert result.exit_code == 0, result.stderr
    assert len(callbacks) == 2  # one per group of files: the applications', the drafts'
    removed = json.loads(result.stdout)["removed"]
    assert (removed["uploaded_files"], removed["drafts"], removed["queued_mail"]) == (2, 1, queued[0])
    assert [storage.exists(name) for name in stored] == [False, False, True]
    assert Document.objects.get().storage_name == stored[2]
    with pytest.raises(keys.SubjectKeyShreddedError):  # copies of its sealed answers (backups) stay unreadable
        keys.open(f"draft:{draft.pk}", "patientName", draft_token)
    kept = Draft.objects.get(pk=draft.pk)  # its dates count for the KPIs; nothing personal is left
    assert (kept.data, kept.email, kept.token_hash, kept.created) == ({}, "", "", draft.created)
    assert {mail.to for mail in QueuedMail.objects.all()} == {YARA}
    assert QueuedMail.objects.count() == queued[1]


def test_a_granted_permit_is_kept_permanently(cases: Cases) -> None:
    reference = apply(client(address="10.0.0.4"), answers={**BP_ANSWERS, "applicantEmail": "bob@example.org"})
    instance_id = Application.objects.get(reference=reference).instance_id
    permit_to_issued(instance_id, reference)
    assert services.get_instance(instance_id).status == "completed"
    far = _later(days=40 * 365)
    refused = _run("gdpr", "erase", "bob@example.org", at=far)
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"civicflow: error: case {reference} is kept permanently (Legal obligation")
    with using_clock(VirtualClock(far)):
        report = json.loads(CliRunner().invoke(app, ["gdpr", "retention", "--json"]).stdout)
    assert reference not in {item["case"] for item in report["cases"]}
    assert Application.objects.get(reference=reference).email == "bob@example.org"
