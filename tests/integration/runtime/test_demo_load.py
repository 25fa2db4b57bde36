"""`civicflow demo load` runs the reference services on a virtual clock and leaves real history."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

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


def test_generated_history_exports_to_xes_that_the_mining_module_reads_back(tmp_path: Path) -> None:
    from civicflow.api.exports import xes_xml
    from civicflow.mining import directly_follows_graph, read_xes

    load(30, rng=random.Random(11), start=datetime(2025, 1, 6, tzinfo=UTC), months=1)
    instances = list(ProcessInstance.objects.order_by("started"))
    path = tmp_path / "demo.xes"
    path.write_bytes(xes_xml(instances))
    log = read_xes(path)
    assert log.case_count == len(instances)
    assert (
        log.event_count
        == HistoryEvent.objects.filter(
            type__in=("ElementActivated", "ElementCompleted", "ElementPassed", "ElementTerminated")
        )
        .exclude(element_id="")
        .count()
        - _process_rows()
    )
    assert len(log.activities) > 10
    assert directly_follows_graph(log).edges.height > 10


def _process_rows() -> int:
    # the process itself (role "process") is history but not an activity in the log
    return sum(
        1
        for payload in HistoryEvent.objects.filter(
            type__in=("ElementActivated", "ElementCompleted", "ElementPassed", "ElementTerminated")
        )
        .exclude(element_id="")
        .values_list("payload", flat=True)
        if payload.get("role") == "process"
    )
