"""``civicflow gdpr export`` and ``records``: a citizen applies through the portal, staff view the case, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from civicflow.cli.gdpr import app
from civicflow.portal.models import Application
from civicflow.runtime.reference import deploy_reference_services
from civicflow.services import REFERENCE_SERVICES
from support.portal_citizen import BP_ANSWERS, apply, client, sign_in
from support.workbench import signed_in, staff

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

HOSTILE = "<script>alert('x')</script> Anna"


@pytest.fixture
def viewed(db: Any) -> tuple[str, int, int]:
    """A signed-in citizen's building permit application (hostile name) whose case a staff member opened."""
    deploy_reference_services()
    browser = client()
    account_id = sign_in(browser, "anna@example.org")
    reference = apply(browser, answers={**BP_ANSWERS, "applicantName": HOSTILE})
    ingrid = staff("ingrid", "intake")
    instance_id = Application.objects.get(reference=reference).instance_id
    assert signed_in(ingrid).get(reverse("workbench:case", args=[instance_id])).status_code == 200
    return reference, account_id, ingrid.pk


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_export_holds_the_application_its_data_and_who_viewed_it(viewed: tuple[str, int, int]) -> None:
    reference, account_id, staff_id = viewed
    result = _run("export", "Anna@Example.org")
    assert result.exit_code == 0, result.stderr
    export = json.loads(result.stdout)
    assert export["schema"] == "civicflow.gdpr.export/1"
    assert export["account"]["id"] == account_id
    [application] = export["applications"]
    assert application["reference"] == reference
    assert application["service"] == "building_permit"
    assert application["status"] == "active"
    assert application["data"]["applicantName"] == HOSTILE
    assert application["data"]["address"] == BP_ANSWERS["address"]
    access = [(item["actor"], item["actor_name"], item["action"]) for item in application["access"]]
    assert (f"citizen:{account_id}", None, "ApplicationSubmitted") in access
    assert (f"user:{staff_id}", "ingrid", "CaseViewed") in access
    # the account id names the same subject
    by_id = json.loads(_run("export", str(account_id)).stdout)
    assert [item["reference"] for item in by_id["applications"]] == [reference]


def test_html_export_escapes_what_the_citizen_typed(viewed: tuple[str, int, int], tmp_path: Path) -> None:
    target = tmp_path / "export.html"
    result = _run("export", "anna@example.org", "--format", "html", "--out", str(target))
    assert result.exit_code == 0, result.stderr
    page = target.read_text(encoding="utf-8")
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Anna" in page
    assert viewed[0] in page
    assert "CaseViewed" in page
    assert "ingrid" in page


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        ("nobody@example.org", "no personal data held for nobody@example.org"),
        ("999999", "no citizen account 999999"),
        ("not an address", "SUBJECT must be"),
    ],
)
def test_an_unknown_subject_is_one_line_and_exit_1(db: Any, subject: str, message: str) -> None:
    result = _run("export", subject)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("civicflow: error: ")
    assert message in result.stderr


def test_bad_format_is_a_usage_error(db: Any) -> None:
    result = _run("export", "anna@example.org", "--format", "pdf")
    assert result.exit_code == 2
    assert "--format must be json or html" in result.stderr


def test_records_list_every_reference_service_with_purpose_data_and_recipients() -> None:
    result = _run("records", "--json")
    assert result.exit_code == 0, result.stderr
    records = {item["service"]: item for item in json.loads(result.stdout)["records"]}
    assert set(records) == {item.id for item in REFERENCE_SERVICES}
    for record in records.values():
        assert record["purpose"]
        assert record["data_categories"]
        assert record["recipients"]["departments"]
        assert "docs/security.md" in record["security_measures"]
    permit = records["building_permit"]
    assert "fire-safety-register" in permit["recipients"]["external_topics"]
    assert permit["retention"].startswith("We keep a granted permit")
    text = _run("records").stdout
    assert all(f"{service}: " in text for service in records)
