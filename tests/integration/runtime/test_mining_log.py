"""The engine's history of the reference services as an event log for civicflow.mining."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from civicflow.mining import (
    ACTIVITY,
    CASE,
    LIFECYCLE,
    RESOURCE,
    TIMESTAMP,
    activity_instances,
    activity_performance,
    has_lifecycle,
)
from civicflow.runtime.demo import load
from civicflow.runtime.mining_log import engine_event_log
from civicflow.runtime.models import HistoryEvent, ProcessInstance

pytestmark = pytest.mark.django_db

START = datetime(2025, 1, 6, tzinfo=UTC)
# Lane names of the three reference services: the departments.
DEPARTMENTS = {
    "Applicant",
    "Intake",
    "Zoning",
    "Fire Safety",
    "Heritage",
    "Permits",
    "Finance",
}


@pytest.fixture
def history() -> None:
    load(30, rng=random.Random(11), start=START, months=1)


def test_one_case_per_instance_with_process_attributes(history: None) -> None:
    log = engine_event_log()
    instances = ProcessInstance.objects.count()
    assert log.case_count == instances == log.cases.height
    attributes = log.cases.select("instance_id", "process_key", "process_version").rows()
    expected = set(ProcessInstance.objects.values_list("id", "definition__process_id", "definition__version"))
    assert {(uuid, key, version) for uuid, key, version in attributes} == {
        (str(uuid), key, version) for uuid, key, version in expected
    }
    # Without business keys the case id is the instance id.
    assert set(log.events[CASE].unique().to_list()) == {str(uuid) for uuid, _, _ in expected}
    # Gateways and the process itself are not activities.
    assert not any("split" in a or "join" in a for a in log.activities)
    assert "building_permit" not in log.events["element_id"].to_list()


def test_resources_are_departments_and_roles_are_candidate_groups(history: None) -> None:
    log = engine_event_log()
    departments = set(log.events[RESOURCE].drop_nulls().unique().to_list())
    record_transfer_lanes = departments - DEPARTMENTS
    assert {"Intake", "Zoning", "Permits"} <= departments
    # record_transfer and tax_refund have lanes of their own; each is a lane name, not a group id.
    assert all(name[:1].isupper() for name in record_transfer_lanes)
    check = log.events.filter(pl.col(ACTIVITY) == "Check completeness")
    assert check.height > 0
    assert set(check[RESOURCE].to_list()) == {"Intake"}
    assert set(check["org:role"].to_list()) == {"intake"}


def test_lifecycle_pairs_and_exact_timestamps(history: None) -> None:
    log = engine_event_log()
    events = log.events
    assert set(events[LIFECYCLE].unique().to_list()) <= {"start", "complete", "ate_abort"}
    pairs = events.group_by(CASE, "concept:instance").agg(
        pl.col(LIFECYCLE).filter(pl.col(LIFECYCLE) == "start").len().alias("starts"),
        pl.col(LIFECYCLE).filter(pl.col(LIFECYCLE) != "start").len().alias("ends"),
        pl.col(TIMESTAMP).filter(pl.col(LIFECYCLE) == "start").min().alias("started"),
        pl.col(TIMESTAMP).filter(pl.col(LIFECYCLE) != "start").max().alias("ended"),
    )
    # Every element instance starts once and ends at most once (active cases have open ones) ...
    assert set(pairs["starts"].unique().to_list()) == {1}
    assert set(pairs["ends"].unique().to_list()) <= {0, 1}
    assert pairs.filter(pl.col("ends") == 0).height > 0
    # ... and never ends before it started.
    assert pairs.filter(pl.col("ended") < pl.col("started")).height == 0
    # Timestamps are the history's own, to the microsecond.
    first = HistoryEvent.objects.filter(type="ElementCompleted", element_id="check_completeness").order_by("id").first()
    assert first is not None
    mine = events.filter(
        (pl.col(CASE) == str(first.instance_id))
        & (pl.col("concept:instance") == str(first.payload["key"]))
        & (pl.col(LIFECYCLE) == "complete")
    )
    assert mine[TIMESTAMP].to_list() == [first.timestamp]


def test_service_and_waiting_time_from_the_mining_module(history: None) -> None:
    log = engine_event_log()
    assert has_lifecycle(log.events)
    instances = activity_instances(log)
    reviews = instances.filter(pl.col(ACTIVITY) == "Check completeness")
    # A user task takes caseworker time: its service time is measured and positive.
    assert reviews["service"].drop_nulls().len() > 0
    assert reviews["service"].drop_nulls().min() > 0
    # It follows the start event in one sequence, so it never waits a negative time (parallel
    # reviews do: waiting is measured from the previous instance to complete, in any branch).
    assert reviews["waiting"].drop_nulls().min() >= 0
    assert instances.filter(pl.col(ACTIVITY) == "Zoning review")["service"].drop_nulls().min() > 0
    performance = activity_performance(log)
    assert "Check completeness" in performance[ACTIVITY].to_list()


def test_filters_by_process_and_start_time(history: None) -> None:
    tax = engine_event_log(process_key="tax_refund")
    assert set(tax.cases["process_key"].to_list()) == {"tax_refund"}
    assert tax.case_count == ProcessInstance.objects.filter(definition__process_id="tax_refund").count()
    assert engine_event_log(process_key="tax_refund:1").case_count == tax.case_count
    assert engine_event_log(process_key="tax_refund:9").case_count == 0
    middle = START + timedelta(days=14)
    early = engine_event_log(until=middle)
    late = engine_event_log(since=middle)
    assert early.case_count + late.case_count == ProcessInstance.objects.count()
    assert early.cases["started"].max() < middle <= late.cases["started"].min()


def test_business_key_is_the_case_id_unless_shared(history: None) -> None:
    first, second, third = ProcessInstance.objects.order_by("started")[:3]
    ProcessInstance.objects.filter(pk=first.pk).update(business_key="BK-1")
    ProcessInstance.objects.filter(pk__in=[second.pk, third.pk]).update(business_key="BK-2")
    log = engine_event_log()
    cases = dict(log.cases.select("instance_id", CASE).rows())
    assert cases[str(first.pk)] == "BK-1"
    assert cases[str(second.pk)] == str(second.pk)
    assert cases[str(third.pk)] == str(third.pk)


def test_mine_cli_reads_the_engine_history(history: None) -> None:
    from typer.testing import CliRunner

    from civicflow.cli.mine import app

    result = CliRunner().invoke(app, ["stats", "engine:tax_refund", "--json"])
    assert result.exit_code == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["cases"] == ProcessInstance.objects.filter(definition__process_id="tax_refund").count()
    assert stats["events"] == engine_event_log(process_key="tax_refund").event_count


def test_engine_log_survives_xes_parquet_and_ocel(history: None, tmp_path: Path) -> None:
    from civicflow.mining import (
        ColumnMapping,
        flatten,
        read_ocel_json,
        read_parquet,
        read_xes,
        to_ocel,
        write_ocel_json,
        write_parquet,
        write_xes,
    )

    log = engine_event_log(process_key="building_permit")
    core = [CASE, ACTIVITY, TIMESTAMP, LIFECYCLE, RESOURCE, "org:role", "concept:instance"]
    write_xes(log, tmp_path / "l.xes.gz")
    assert read_xes(tmp_path / "l.xes.gz").events.select(core).equals(log.events.select(core))
    write_parquet(log, tmp_path / "l.parquet")
    mapping = ColumnMapping(case=CASE, activity=ACTIVITY, timestamp=TIMESTAMP, resource=RESOURCE, lifecycle=LIFECYCLE)
    assert read_parquet(tmp_path / "l.parquet", mapping).events.select(core).equals(log.events.select(core))
    write_ocel_json(to_ocel(log), tmp_path / "l.jsonocel")
    back = flatten(read_ocel_json(tmp_path / "l.jsonocel"), "case")
    assert back.events.select(core).equals(log.events.select(core))
    assert back.cases.select(CASE, "process_key").equals(log.cases.select(CASE, "process_key"))
