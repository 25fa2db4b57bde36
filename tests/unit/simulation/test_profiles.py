"""Case profiles: what a case is decides both its path and its pace, and the fit keeps that link."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from civicflow.cli.app import app
from civicflow.mining import ACTIVITY, CASE, LIFECYCLE, TIMESTAMP, EventLog, write_xes
from civicflow.simulation import (
    ArrivalParams,
    CalibrationError,
    CaseProfile,
    FitOptions,
    ParameterError,
    SimulationParams,
    fit_params,
    load_model,
    params_from_dict,
    params_to_dict,
    simulate,
)
from unit.simulation._models import intake_then_choice

START = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def _history(cases: int = 300) -> EventLog:
    """Big cases (30%) take 10 h at intake and always go to B; small ones take 1 h and go to A."""
    rows: dict[str, list[object]] = {CASE: [], ACTIVITY: [], TIMESTAMP: [], LIFECYCLE: []}
    kinds: dict[str, list[object]] = {CASE: [], "kind": [], "area": []}
    rng = random.Random(4)
    for n in range(cases):
        case, big = f"c{n}", n % 10 < 3
        begin = START + n * 2 * HOUR
        intake_end = begin + (10 if big else 1) * HOUR
        task = "B" if big else "A"
        for activity, at, lifecycle in (
            ("Intake", begin, "start"),
            ("Intake", intake_end, "complete"),
            (task, intake_end, "start"),
            (task, intake_end + HOUR, "complete"),
        ):
            rows[CASE].append(case)
            rows[ACTIVITY].append(activity)
            rows[TIMESTAMP].append(at)
            rows[LIFECYCLE].append(lifecycle)
        kinds[CASE].append(case)
        kinds["kind"].append("big" if big else "small")
        kinds["area"].append(str(rng.randrange(20, 900)))  # a measure: hundreds of values
    events = pl.DataFrame(
        rows, schema={CASE: pl.Utf8, ACTIVITY: pl.Utf8, TIMESTAMP: pl.Datetime("us", "UTC"), LIFECYCLE: pl.Utf8}
    )
    return EventLog.from_events(events, cases=pl.DataFrame(kinds))


def _intake_by_path(params: SimulationParams) -> dict[str, list[float]]:
    """Simulated intake hours of the cases that then went to A, and of those that went to B."""
    record = simulate(load_model(intake_then_choice()), params, rng=random.Random(11))
    intake: dict[int, float] = {}
    began: dict[int, float] = {}
    path: dict[int, str] = {}
    for row in record.rows:
        if row.element == "intake" and row.lifecycle == "start":
            began[row.case] = row.at
        elif row.element == "intake" and row.lifecycle == "complete":
            intake[row.case] = round((row.at - began[row.case]) / 3600, 6)
        elif row.element in {"a", "b"} and row.lifecycle == "complete":
            path[row.case] = row.element
    found: dict[str, list[float]] = defaultdict(list)
    for case, element in path.items():
        found[element].append(intake[case])
    return found


def test_profiles_keep_the_link_between_what_a_case_is_its_pace_and_its_path() -> None:
    model = load_model(intake_then_choice())
    params = fit_params(_history(), model, FitOptions(case_attributes=("kind", "area")))
    # "area" has hundreds of values: a measure, left out; "kind" makes two profiles
    assert [dict(p.values) for p in params.profiles] == [{"kind": "big"}, {"kind": "small"}]
    big, small = params.profiles
    assert (big.share, small.share) == (pytest.approx(0.3), pytest.approx(0.7))
    assert big.branches == {"fa": 0.0, "fb": 1.0}
    assert big.activities["intake"].duration.expected == pytest.approx(36000)
    assert small.activities["intake"].duration.expected == pytest.approx(3600)
    linked = _intake_by_path(params)
    assert set(linked["b"]) == {10.0}  # every case that went to B took a big case's intake
    assert set(linked["a"]) == {1.0}
    assert len(linked["b"]) / (len(linked["a"]) + len(linked["b"])) == pytest.approx(0.3, abs=0.06)
    # pooled, the link is gone: B cases get small cases' intakes too
    pooled = _intake_by_path(fit_params(_history(), model, FitOptions()))
    assert set(pooled["b"]) == {1.0, 10.0}


def test_rare_kinds_join_the_pooled_cases() -> None:
    model = load_model(intake_then_choice())
    params = fit_params(_history(), model, FitOptions(case_attributes=("kind",), min_profile_cases=100))
    # 90 big cases are fewer than 100: they behave as the pooled figures say
    assert [(dict(p.values), round(p.share, 2)) for p in params.profiles] == [({"kind": "small"}, 0.7), ({}, 0.3)]
    assert params.profiles[1].activities == {}


def test_an_attribute_the_log_does_not_have_is_a_clear_error() -> None:
    with pytest.raises(CalibrationError, match="no attribute 'colour'"):
        fit_params(_history(), load_model(intake_then_choice()), FitOptions(case_attributes=("colour",)))


def test_profiles_round_trip_through_json_and_their_shares_must_add_up() -> None:
    params = fit_params(_history(), load_model(intake_then_choice()), FitOptions(case_attributes=("kind",)))
    assert params_from_dict(json.loads(json.dumps(params_to_dict(params)))) == params
    with pytest.raises(ParameterError, match="add up to 1"):
        SimulationParams(
            process_id="p",
            start=START,
            arrival_days=1.0,
            observation_days=1.0,
            arrivals=ArrivalParams.constant(1.0),
            profiles=(CaseProfile(values={"kind": "big"}, share=0.5),),
        )


def test_the_fit_command_makes_profiles_by_the_attributes_named(tmp_path: Path) -> None:
    model, log = tmp_path / "model.bpmn", tmp_path / "history.xes.gz"
    model.write_bytes(intake_then_choice())
    write_xes(_history(), log)
    out = tmp_path / "params.json"
    command = ["simulate", "fit", str(log), "--model", str(model), "--out", str(out)]
    result = CliRunner().invoke(app, [*command, "--attribute", "kind", "--attribute", "area"])
    assert result.exit_code == 0, result.output
    assert "case profiles by kind: 2, and 0.0% of the cases in rarer kinds, pooled" in result.output
    assert [p["values"] for p in json.loads(out.read_text())["profiles"]] == [{"kind": "big"}, {"kind": "small"}]
    unknown = CliRunner().invoke(app, [*command, "--attribute", "colour"])
    assert unknown.exit_code == 1
    assert unknown.output.strip().endswith("the log's cases have no attribute 'colour'")
    assert len(unknown.output.strip().splitlines()) == 1
