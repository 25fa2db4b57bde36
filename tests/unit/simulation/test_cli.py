"""`civicflow simulate`: run, scenario comparison, JSON, simulated log, one-line errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from civicflow.cli.app import app
from civicflow.mining import read_xes
from civicflow.simulation import (
    ActivityParams,
    ArrivalParams,
    Distribution,
    PoolParams,
    SimulationParams,
    params_to_dict,
)
from unit.simulation._models import single_task

runner = CliRunner()


def _files(tmp_path: Path, days: int = 20) -> tuple[Path, Path]:
    model = tmp_path / "desk.bpmn"
    model.write_bytes(single_task())
    params = SimulationParams(
        process_id="p",
        start=dt.datetime(2025, 1, 6, tzinfo=dt.UTC),
        arrival_days=days,
        observation_days=days + 1,
        arrivals=ArrivalParams.constant(1.5),
        activities={"work": ActivityParams(duration=Distribution.exponential(3600))},
        pools={"Desk": PoolParams(name="Desk", capacity=2)},
        sla_seconds=4 * 3600,
    )
    path = tmp_path / "params.json"
    path.write_text(json.dumps(params_to_dict(params)))
    return model, path


def test_simulate_model_with_params_is_the_main_form(tmp_path: Path) -> None:
    model, params = _files(tmp_path)
    result = runner.invoke(app, ["simulate", str(model), "--params", str(params), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["baseline"]["cases"] > 600
    assert data["baseline"]["pools"][0]["pool"] == "Desk"
    assert 0 < data["baseline"]["sla_met"] <= 1
    plain = runner.invoke(app, ["simulate", "run", str(model), "--params", str(params)])
    assert plain.exit_code == 0
    assert "Desk" in plain.output
    assert "cycle time mean" in plain.output


def test_scenario_comparison_and_simulated_log(tmp_path: Path) -> None:
    model, params = _files(tmp_path)
    scenario = tmp_path / "more.json"
    scenario.write_text(json.dumps({"name": "more staff", "staff": {"Desk": 3}}))
    out = tmp_path / "sim.xes.gz"
    args = ["simulate", str(model), "--params", str(params), "--scenario", str(scenario), "--out", str(out)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["metric"]: r for r in json.loads(result.output)["comparison"]}
    assert rows["staff: Desk"]["scenario"] == 3
    assert rows["waiting: Desk"]["delta"] < 0
    assert read_xes(out).case_count > 600
    table = runner.invoke(app, args)
    assert "more staff" in table.output
    assert "waiting: Desk" in table.output


def test_bad_input_gives_one_line_errors(tmp_path: Path) -> None:
    model, params = _files(tmp_path)
    missing = runner.invoke(app, ["simulate", "nope.bpmn", "--params", str(params)])
    assert missing.exit_code == 1
    assert missing.output.startswith("civicflow: error: nope.bpmn: no such BPMN file or reference service")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    result = runner.invoke(app, ["simulate", str(model), "--params", str(broken)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert "not JSON" in result.output


def test_fit_from_an_imported_log_reproduces_it(tmp_path: Path) -> None:
    # a queue at 75% load varies a lot from run to run: a longer history keeps its figures steady
    model, params = _files(tmp_path, days=90)
    log = tmp_path / "history.xes.gz"
    made = runner.invoke(app, ["simulate", str(model), "--params", str(params), "--out", str(log)])
    assert made.exit_code == 0, made.output
    out = tmp_path / "fitted.json"
    result = runner.invoke(app, ["simulate", "fit", str(log), "--model", str(model), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    calibration = json.loads(result.output)["calibration"]
    assert abs(calibration["mean"]["error"]) < 0.1
    assert abs(calibration["p90"]["error"]) < 0.1
    fitted = json.loads(out.read_text())
    assert fitted["pools"]["Desk"]["capacity"] >= 1
    assert fitted["activities"]["work"]["duration"]["kind"] == "empirical"
    again = runner.invoke(app, ["simulate", str(model), "--params", str(out)])
    assert again.exit_code == 0
    assert "observed" in again.output
