"""`civicflow demo load` runs the reference services on a virtual clock and leaves real history."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from civicflow.cli.app import app
from civicflow.runtime import jobs
from civicflow.runtime.demo import DemoError, load
from civicflow.runtime.models import HistoryEvent, ProcessInstance, UserTask

pytestmark = pytest.mark.django_db


def test_demo_load_of_50_cases_leaves_completed_and_active_cases_with_history() -> None:
    handlers = dict(jobs.HANDLERS)
    result = load(50, rng=random.Random(7), start=datetime(2025, 1, 6, tzinfo=UTC), months=1)
    assert handlers == jobs.HANDLERS  # the connector stand-ins are gone again
    assert result.cases == 50
    assert result.completed > 0
    assert result.active > 0
    assert result.tasks_completed > 0
    assert result.messages > 0
    assert result.jobs > 0
    assert ProcessInstance.objects.filter(status="completed").count() == result.completed
    assert HistoryEvent.objects.count() == result.history_rows > 50 * 10
    assert UserTask.objects.filter(state="completed").exists()
    # history spreads over the virtual month, not the moment the test ran
    days = {t.date() for t in HistoryEvent.objects.values_list("timestamp", flat=True)}
    assert len(days) > 20


def test_demo_load_can_be_limited_to_one_service() -> None:
    one = load(5, rng=random.Random(3), service_ids=["tax_refund"], start=datetime(2025, 1, 6, tzinfo=UTC), months=1)
    assert one.by_service == {"tax_refund": 5}


def test_demo_load_refuses_bad_options() -> None:
    with pytest.raises(DemoError, match="unknown service 'nope'"):
        load(5, rng=random.Random(1), service_ids=["nope"])
    runner = CliRunner()
    result = runner.invoke(app, ["demo", "load", "--cases", "0"])
    assert result.exit_code == 1
    assert result.output.strip() == "civicflow: error: --cases must be at least 1"
