"""Training on the engine's own generated history, stored sealed, applied to running cases; CLI and worker step."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from typer.testing import CliRunner

from civicflow.cli.app import app
from civicflow.engine import VirtualClock
from civicflow.runtime.demo import load
from civicflow.runtime.models import CasePrediction, InstanceStatus, PredictionModel, ProcessInstance
from civicflow.runtime.prediction import latest_model, prediction_step, service_for, train_service

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

START = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
# small and quick: the Done-when figures come from bench/prediction_bench.py (docs/prediction.md)
QUICK = {"min_cases": 20, "horizon": dt.timedelta(days=30), "iterations": 30}


@pytest.fixture
def history() -> dt.datetime:
    result = load(120, rng=random.Random(5), service_ids=["building_permit"], start=START, months=4)
    assert result.active > 0
    return result.last


def test_train_stores_a_sealed_model_with_held_out_metrics_and_predicts_running_cases(history: dt.datetime) -> None:
    permit = service_for("building_permit")
    row = train_service(permit, now=history, **QUICK)
    assert row.version == 1
    settled = ProcessInstance.objects.exclude(status=InstanceStatus.ACTIVE).filter(
        started__lte=history - QUICK["horizon"]
    )
    assert row.cases == settled.count()
    assert row.prefixes > row.cases
    metrics = row.metrics
    assert metrics["train_cases"] >= 20
    assert metrics["test_cases"] > 0
    assert metrics["mae_hours"] > 0
    assert metrics["baseline_mae_hours"] > 0
    assert metrics["improvement"] == pytest.approx(1 - metrics["mae_hours"] / metrics["baseline_mae_hours"], abs=1e-3)
    assert bytes(row.blob).startswith(b"CFP1")
    running = set(ProcessInstance.objects.filter(status=InstanceStatus.ACTIVE).values_list("pk", flat=True))
    stored = {p.instance_id: p for p in CasePrediction.objects.all()}
    assert set(stored) == running
    some = next(iter(stored.values()))
    assert some.model_version == 1
    assert some.remaining_seconds >= 0
    assert some.expected_end == some.predicted_at + dt.timedelta(seconds=some.remaining_seconds)
    assert some.overdue or some.sla_risk is None or 0 <= some.sla_risk <= 1
    assert all(len(p.reasons) <= 3 for p in stored.values())
    assert any(p.reasons for p in stored.values())
    # a second training is a new version; predictions follow it
    assert train_service(permit, now=history, **QUICK).version == 2
    assert set(CasePrediction.objects.values_list("model_version", flat=True)) == {2}


def test_a_blob_altered_in_the_database_is_refused(history: dt.datetime) -> None:
    permit = service_for("building_permit")
    row = train_service(permit, now=history, **QUICK)
    assert latest_model(permit) is not None
    blob = bytearray(bytes(row.blob))
    blob[-10] ^= 0xFF
    PredictionModel.objects.filter(pk=row.pk).update(blob=bytes(blob))
    assert latest_model(permit) is None


def test_cli_train_and_show(history: dt.datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    from civicflow.runtime import prediction

    monkeypatch.setattr(prediction, "current_clock", lambda: VirtualClock(history))
    runner = CliRunner()
    result = runner.invoke(app, ["predict", "train", "--service", "building_permit", "--json"])
    assert result.exit_code == 0, result.output
    models = json.loads(result.output)["models"]
    assert [m["service"] for m in models] == ["building_permit"]
    assert models[0]["version"] == 1
    assert models[0]["library"]
    running = ProcessInstance.objects.filter(status=InstanceStatus.ACTIVE).first()
    assert running is not None
    ProcessInstance.objects.filter(pk=running.pk).update(business_key="BP-SHOW-1")
    shown = runner.invoke(app, ["predict", "show", "BP-SHOW-1", "--json"])
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.output)
    assert body["case"] == str(running.pk)
    assert body["remaining_seconds"] >= 0
    text = runner.invoke(app, ["predict", "show", str(running.pk)])
    assert "expected remaining time" in text.output
    done = ProcessInstance.objects.exclude(status=InstanceStatus.ACTIVE).first()
    assert done is not None
    refused = runner.invoke(app, ["predict", "show", str(done.pk)])
    assert refused.exit_code == 1
    assert "predictions are for running cases" in refused.output
    assert len(refused.output.strip().splitlines()) == 1


def test_cli_refuses_bad_input_in_one_line(db: None) -> None:
    runner = CliRunner()
    unknown = runner.invoke(app, ["predict", "train", "--service", "nope"])
    assert unknown.exit_code == 1
    assert "unknown service 'nope'" in unknown.output
    assert len(unknown.output.strip().splitlines()) == 1
    missing = runner.invoke(app, ["predict", "show", "BP-0000"])
    assert missing.exit_code == 1
    assert "no case 'BP-0000'" in missing.output
    empty = runner.invoke(app, ["predict", "train", "--service", "tax_refund"])
    assert empty.exit_code == 1
    assert "not trained: too little history" in empty.output


def test_worker_step_trains_when_due_then_only_refreshes(history: dt.datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICFLOW_PREDICT_RETRAIN_HOURS", "24")
    from civicflow.runtime import prediction

    original = prediction.train_service
    monkeypatch.setattr(prediction, "train_service", lambda service, now: original(service, now=now, **QUICK))
    first = prediction_step(history)
    assert first["building_permit"] == "trained version 1"
    assert first["tax_refund"].startswith("not trained: too little history")
    later = prediction_step(history + dt.timedelta(hours=1))
    assert later["building_permit"].startswith("refreshed ")
    assert int(later["building_permit"].split()[1]) == CasePrediction.objects.count() > 0
    assert prediction_step(history + dt.timedelta(hours=25))["building_permit"] == "trained version 2"


def test_worker_schedule_settings_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from civicflow.errors import ConfigurationError
    from civicflow.runtime.prediction import schedule

    monkeypatch.setenv("CIVICFLOW_PREDICT_REFRESH_MINUTES", "0")
    with pytest.raises(ConfigurationError, match="CIVICFLOW_PREDICT_REFRESH_MINUTES must be a number between 1"):
        schedule()
    monkeypatch.setenv("CIVICFLOW_PREDICT_REFRESH_MINUTES", "30")
    monkeypatch.setenv("CIVICFLOW_PREDICT_RETRAIN_HOURS", "soon")
    with pytest.raises(ConfigurationError, match="CIVICFLOW_PREDICT_RETRAIN_HOURS"):
        schedule()
