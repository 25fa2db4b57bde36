"""Branch probabilities, boundary timers, scenarios, parameter files and fitting from a log."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter

import pytest

from civicflow.mining import ACTIVITY, CASE, LIFECYCLE, TIMESTAMP, EventLog
from civicflow.simulation import (
    ActivityParams,
    ArrivalParams,
    Distribution,
    DistributionKind,
    FitOptions,
    ParameterError,
    PoolParams,
    Scenario,
    SimulationParams,
    apply_scenario,
    compare,
    fit_params,
    ks_statistic,
    load_model,
    params_from_dict,
    params_to_dict,
    replicate,
    run_kpis,
    scenario_from_dict,
    simulate,
    simulated_log,
)
from unit.simulation._models import choice, sequence_with_timeout, single_task

START = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)


def _params(**changes: object) -> SimulationParams:
    base: dict[str, object] = {
        "process_id": "p",
        "start": START,
        "arrival_days": 30.0,
        "observation_days": 31.0,
        "arrivals": ArrivalParams.constant(2.0),
    }
    return SimulationParams(**(base | changes))  # type: ignore[arg-type]


def _taken(record_rows: object, elements: set[str]) -> Counter[str]:
    return Counter(r.element for r in record_rows if r.lifecycle == "complete" and r.element in elements)  # type: ignore[attr-defined]


def test_exclusive_gateway_follows_branch_probabilities() -> None:
    model = load_model(choice())
    record = simulate(model, _params(branches={"fa": 0.3, "fb": 0.7}), rng=random.Random(2))
    taken = _taken(record.rows, {"a", "b"})
    share = taken["a"] / (taken["a"] + taken["b"])
    assert taken["a"] + taken["b"] > 1300
    assert share == pytest.approx(0.3, abs=0.04)


def test_interrupting_timer_ends_a_wait_that_takes_too_long() -> None:
    model = load_model(sequence_with_timeout())
    waits = Distribution(kind=DistributionKind.FIXED, mean=1800, never=0.25)
    record = simulate(model, _params(activities={"wait": ActivityParams(duration=waits)}), rng=random.Random(3))
    ends = _taken(record.rows, {"e", "late"})
    assert ends["late"] / (ends["e"] + ends["late"]) == pytest.approx(0.25, abs=0.04)
    aborted = [r for r in record.rows if r.lifecycle == "ate_abort"]
    assert {r.element for r in aborted} == {"wait"}
    log = simulated_log(record)
    assert set(log.events.columns) >= {CASE, ACTIVITY, TIMESTAMP, LIFECYCLE, "org:resource"}
    assert log.case_count == len(record.cases)


def test_removing_and_parallelising_steps() -> None:
    model = load_model(sequence_with_timeout())
    hour = ActivityParams(duration=Distribution.fixed(3600))
    params = _params(
        activities={"a": hour, "b": hour, "c": hour, "wait": ActivityParams(duration=Distribution.fixed(0))}
    )
    base = run_kpis(simulate(model, params, rng=random.Random(1)))
    assert base.cycle.mean == pytest.approx(3 * 3600)
    fewer, same = apply_scenario(model, params, Scenario(remove=("b",)))
    assert run_kpis(simulate(fewer, same, rng=random.Random(1))).cycle.mean == pytest.approx(2 * 3600)
    side_by_side, same = apply_scenario(model, params, Scenario(parallelise=(("a", "b", "c"),)))
    record = simulate(side_by_side, same, rng=random.Random(1))
    assert run_kpis(record).cycle.mean == pytest.approx(3600)
    assert _taken(record.rows, {"a", "b", "c"}) == Counter(
        {"a": len(record.cases), "b": len(record.cases), "c": len(record.cases)}
    )
    with pytest.raises(ParameterError, match="not directly followed"):
        apply_scenario(model, params, Scenario(parallelise=(("a", "c"),)))
    with pytest.raises(ParameterError, match="not a step"):
        apply_scenario(model, params, Scenario(remove=("nope",)))


def test_more_staff_cuts_waiting_and_the_comparison_shows_it() -> None:
    model = load_model(single_task())
    params = _params(
        arrivals=ArrivalParams.constant(1.6),
        activities={"work": ActivityParams(duration=Distribution.exponential(3600))},
        pools={"Desk": PoolParams(name="Desk", capacity=2)},
        arrival_days=60.0,
        observation_days=60.0,
    )
    changed_model, changed = apply_scenario(model, params, scenario_from_dict({"extra_staff": {"Desk": 1}}))
    base, _ = replicate(model, params, rng=random.Random(4))
    more, _ = replicate(changed_model, changed, rng=random.Random(4))
    rows = {r.metric: r for r in compare(base, more)}
    assert rows["staff: Desk"].delta == 1
    relative = rows["waiting: Desk"].relative
    assert relative is not None
    assert relative < -0.5
    assert rows["cycle time mean"].scenario < rows["cycle time mean"].baseline  # type: ignore[operator]
    with pytest.raises(ParameterError, match="no pool 'Nope'"):
        apply_scenario(model, params, Scenario(extra_staff={"Nope": 1}))
    with pytest.raises(ParameterError, match="unknown scenario field"):
        scenario_from_dict({"staf": {}})


def test_parameters_round_trip_through_json() -> None:
    params = _params(
        activities={"work": ActivityParams(duration=Distribution.exponential(60), priority=2)},
        branches={"fa": 0.25},
        pools={"Desk": PoolParams(name="Desk", capacity=3)},
        sla_seconds=86400.0,
    )
    text = json.dumps(params_to_dict(params))
    assert params_from_dict(json.loads(text)) == params
    with pytest.raises(ParameterError, match="not simulation parameters"):
        params_from_dict({"format": "other"})


def test_fit_recovers_branches_durations_and_arrivals_from_a_simulated_log() -> None:
    model = load_model(choice())
    truth = _params(
        branches={"fa": 0.2, "fb": 0.8},
        activities={
            "a": ActivityParams(duration=Distribution.fixed(7200)),
            "b": ActivityParams(duration=Distribution.exponential(1800)),
        },
        observation_days=30.0,
    )
    record = simulate(model, truth, rng=random.Random(8))
    log = simulated_log(record).events.drop("element_id")  # names only, as an imported log has
    fitted = fit_params(EventLog.from_events(log), model, FitOptions())
    assert fitted.branches["fa"] == pytest.approx(0.2, abs=0.03)
    assert fitted.activities["a"].duration.expected == pytest.approx(7200)
    assert fitted.activities["b"].duration.expected == pytest.approx(1800, rel=0.1)
    assert fitted.arrivals.per_week == pytest.approx(2.0 * 168, rel=0.1)
    assert fitted.observed is not None
    again = run_kpis(simulate(model, fitted, rng=random.Random(9)))
    assert again.cycle.mean == pytest.approx(fitted.observed.mean, rel=0.1)
    assert ks_statistic(again.durations, fitted.observed.quantiles) < 0.1


def test_ks_statistic() -> None:
    assert ks_statistic([1, 2, 3], [1, 2, 3]) == 0
    assert ks_statistic([1, 2], [3, 4]) == 1
    assert ks_statistic([1, 2, 3, 4], [3, 4, 5, 6]) == pytest.approx(0.5)
