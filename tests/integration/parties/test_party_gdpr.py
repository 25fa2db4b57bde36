"""``civicflow gdpr export|erase`` and parties (issue #13): the whole record, every view of it, and erasure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from typer.testing import CliRunner

from civicflow import parties
from civicflow.cli.gdpr import app
from civicflow.parties.models import Party
from civicflow.portal.models import Application
from civicflow.runtime import jobs, services
from civicflow.runtime.reference import deploy_reference_services
from civicflow.security import keys
from integration.parties.conftest import TwoCases
from support.portal_citizen import apply, client, sign_in
from support.workbench import staff

pytestmark = pytest.mark.django_db

NAME = "Quirijn <b>Vandersloot</b>"


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_the_export_holds_the_whole_party_record_and_every_view_of_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    deploy_reference_services()
    monkeypatch.setitem(jobs.HANDLERS, "email", lambda job: None)
    browser = client()
    account_id = sign_in(browser, "quirijn@example.org")
    reference = apply(browser)
    party = Party.objects.get(account_id=account_id)
    party.set_name(NAME)
    party.save()
    now = timezone.now()
    instance_id = Application.objects.get(reference=reference).instance_id
    parties.record_message(party, instance_id=instance_id, direction="sent", channel="email", subject="Hi", now=now)
    parties.give_consent(party, purpose="evidence:income", service="building_permit", provider="tax-office",
                         instance_id=instance_id, text_version="v1", now=now)  # fmt: skip
    intake = staff("ingrid", "intake")
    parties.open_party_record(intake, party, channel="workbench")
    auditor = staff("aud", "auditors")
    parties.open_party_record(auditor, party, channel="api")
    api = APIClient()
    api.force_login(auditor)  # the API's lookup by identifier: a hit is audited too
    looked_up = api.get("/api/v1/parties", {"scheme": "email", "identifier": "quirijn@example.org"})
    assert [p["id"] for p in looked_up.json()] == [str(party.pk)]

    result = _run("export", "Quirijn@Example.org")
    assert result.exit_code == 0, result.stderr
    [record] = json.loads(result.stdout)["parties"]
    assert (record["id"], record["name"], record["email"]) == (str(party.pk), NAME, "quirijn@example.org")
    assert [(case["reference"], case["role"], case["status"]) for case in record["cases"]] == [
        (reference, "applicant", "active")
    ]
    assert sorted(m["subject"] for m in record["messages"]) == ["Hi", f"We received your application {reference}"]
    assert [c["provider"] for c in record["consents"]] == ["tax-office"]
    assert [(v["action"], v["actor"], v["channel"], v.get("cases")) for v in record["views"]] == [
        ("PartyViewed", f"user:{intake.pk}", "workbench", 1),
        ("PartyViewed", f"user:{auditor.pk}", "api", 1),
        ("PartyLookedUp", f"user:{auditor.pk}", "api", None),
    ]
    # the party names the same subject, and the HTML page has "Your record" with the views, escaped
    by_party = json.loads(_run("export", f"party:{party.pk}").stdout)
    assert [item["reference"] for item in by_party["applications"]] == [reference]
    page = tmp_path / "export.html"
    assert _run("export", str(account_id), "--format", "html", "--out", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert "<h2>Your record (citizen, email)</h2>" in html
    assert "Who viewed your record" in html
    assert f"user:{intake.pk}" in html
    assert "<b>Vandersloot</b>" not in html
    assert "&lt;b&gt;Vandersloot&lt;/b&gt;" in html


def test_a_national_id_names_the_party_and_erasure_shreds_it(two_cases: TwoCases) -> None:
    party = two_cases.party
    party.set_name(NAME)
    party.save()
    parties.open_party_record(staff("ingrid", "intake"), party, channel="workbench")
    exported = _run("export", "national-id:999990019")
    assert exported.exit_code == 0, exported.stderr
    assert json.loads(exported.stdout)["parties"][0]["identifier"] == "999990019"

    refused = _run("erase", "national-id:999990019")  # both cases still run (Art. 17(3)(b))
    assert refused.exit_code == 1
    assert "is still open" in refused.stderr
    assert "(and 1 more)" in refused.stderr
    assert Party.objects.get(pk=party.pk).name == NAME
    for instance in (two_cases.permit, two_cases.refund):
        services.cancel_instance(instance)

    erased = _run("erase", "national-id:999990019", "--json")
    assert erased.exit_code == 0, erased.stderr
    assert json.loads(erased.stdout)["removed"]["parties"] == 1
    row = Party.objects.get(pk=party.pk)
    assert row.erased
    assert (row.identifier, row.name, row.account_id, row.email_index) == (None, None, None, "")
    assert row.cases.count() == 2  # the facts stay: which services, roles and dates
    assert keys.is_shredded(party.subject)
    # the views are still listed in its export (by party id); the person coming back gets a new record
    again = json.loads(_run("export", f"party:{party.pk}").stdout)["parties"][0]
    assert again["name"] is None
    assert len(again["views"]) == 1
    assert _run("export", "national-id:999990019").exit_code == 1
    fresh = parties.party_for_identity(scheme="national-id", identifier="999990019", now=timezone.now())
    assert fresh.pk != party.pk
    assert fresh.identifier == "999990019"


@pytest.mark.parametrize(
    ("subject", "message"),
    [("party:not-a-uuid", "needs a party id"), ("company-number:123", "no party company-number:123")],
)
def test_an_unknown_party_is_one_line_and_exit_1(subject: str, message: str) -> None:
    result = _run("export", subject)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert message in result.stderr
