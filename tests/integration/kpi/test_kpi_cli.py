"""`civicflow kpi report` over demo history: JSON figures match the core on the read models; tables print."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from civicflow.cli.app import app
from civicflow.runtime.demo import load
from civicflow.runtime.models import KpiCursor, ProcessInstance

pytestmark = pytest.mark.django_db


def test_report_json_and_table_for_one_service_and_month() -> None:
    load(12, rng=random.Random(2), service_ids=["tax_refund"], start=datetime(2025, 1, 6, tzinfo=UTC), months=1)
    runner = CliRunner()
    result = runner.invoke(app, ["kpi", "report", "--service", "tax_refund", "--period", "2025-01", "--json"])
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.output)
    assert KpiCursor.objects.get().last_id > 0  # the report applied the history first
    january = ProcessInstance.objects.filter(
        definition__process_id="tax_refund",
        started__gte=datetime(2025, 1, 1, tzinfo=UTC),
        started__lt=datetime(2025, 2, 1, tzinfo=UTC),
    )
    assert report["service"] == "tax_refund"
    assert report["period"]["label"] == "2025-01"
    assert report["started"] == january.count()
    assert report["completed"] == january.filter(status="completed", ended__lt=datetime(2025, 2, 1, tzinfo=UTC)).count()
    assert [stage["element"] for stage in report["stages"]] == [
        "first_review",
        "second_review",
        "senior_review",
        "await_payout",
    ]
    assert report["digital_take_up"]["numerator"] == 0  # the demo starts cases through the API, not the portal
    assert report["cost"]["per_transaction_minor_units"] is None  # no costs configured

    table = runner.invoke(app, ["kpi", "report", "--service", "tax_refund", "--period", "2025-01"])
    assert table.exit_code == 0, table.output
    assert table.output.startswith("tax_refund: 2025-01 (as of 2025-02-01 00:00 UTC)")
    assert "First review" in table.output
    assert f"Started                      {january.count()}" in table.output


def test_cases_applied_for_in_the_portal_count_as_digital_take_up() -> None:
    """The portal adds its rows (registered when the app starts): an Application makes a case online."""
    from civicflow.portal.models import Application

    load(8, rng=random.Random(4), service_ids=["tax_refund"], start=datetime(2025, 1, 6, tzinfo=UTC), months=1)
    january = ProcessInstance.objects.filter(
        definition__process_id="tax_refund",
        started__gte=datetime(2025, 1, 1, tzinfo=UTC),
        started__lt=datetime(2025, 2, 1, tzinfo=UTC),
    )
    online = list(january.order_by("started")[:3])
    for number, instance in enumerate(online):
        Application.objects.create(
            reference=f"TR-{number}", service="tax_refund", instance_id=instance.id, secret_hash="x" * 64,
            created=instance.started,
        )  # fmt: skip
    result = CliRunner().invoke(app, ["kpi", "report", "--service", "tax_refund", "--period", "2025-01", "--json"])
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.output)
    assert report["digital_take_up"] == {**report["digital_take_up"], "numerator": 3, "denominator": january.count()}
