"""The simulation against queueing theory, calendars and its own determinism."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from civicflow.mining import BusinessCalendar
from civicflow.simulation import (
    ActivityParams,
    ArrivalParams,
    Distribution,
    DistributionKind,
    PoolParams,
    SimulationParams,
    add_working,
    load_model,
    next_working,
    replicate,
    run_kpis,
    simulate,
    working_seconds,
)
from unit.simulation._models import single_task

START = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)  # a Monday


def _mm1(*, arrivals_per_hour: float, service_mean: float, days: float, capacity: int = 1) -> SimulationParams:
    return SimulationParams(
        process_id="p",
        start=START,
        arrival_days=days,
        observation_days=days,
        arrivals=ArrivalParams.constant(arrivals_per_hour),
        activities={"work": ActivityParams(duration=Distribution.exponential(service_mean))},
        pools={"Desk": PoolParams(name="Desk", capacity=capacity)},
    )


def test_mm1_mean_waiting_matches_theory() -> None:
    # lambda = 1/h, mu = 1/(40 min): rho = 2/3, Wq = rho / (mu - lambda) = 80 minutes
    model = load_model(single_task())
    params = _mm1(arrivals_per_hour=1.0, service_mean=2400, days=400)
    kpis = run_kpis(simulate(model, params, rng=random.Random(5)))
    desk = kpis.pool("Desk")
    assert desk.items > 9000
    assert desk.waiting_mean == pytest.approx(80 * 60, rel=0.1)
    assert desk.utilisation == pytest.approx(2 / 3, rel=0.05)
    # cycle time = waiting + service: 80 + 40 minutes
    assert kpis.cycle.mean == pytest.approx(120 * 60, rel=0.1)


def test_a_second_server_cuts_waiting_as_erlang_c_says() -> None:
    # M/M/2 at the same load per server: Wq = C(2, a) / (2 mu - lambda); a = 4/3 -> C = 0.5333, Wq = 16 min
    model = load_model(single_task())
    params = _mm1(arrivals_per_hour=2.0, service_mean=2400, days=300, capacity=2)
    desk = run_kpis(simulate(model, params, rng=random.Random(9))).pool("Desk")
    erlang_c = (4 / 3) ** 2 / 2 / (1 - 2 / 3) / (1 + 4 / 3 + (4 / 3) ** 2 / 2 / (1 - 2 / 3))
    assert desk.waiting_mean == pytest.approx(erlang_c / (2 / 2400 - 2 / 3600), rel=0.12)


def test_same_seed_same_run_and_another_seed_another() -> None:
    model = load_model(single_task())
    params = _mm1(arrivals_per_hour=1.0, service_mean=2400, days=20)
    first = simulate(model, params, rng=random.Random(1))
    again = simulate(model, params, rng=random.Random(1))
    other = simulate(model, params, rng=random.Random(2))
    assert first.rows == again.rows
    assert first.rows != other.rows


def test_replications_pool_their_cases() -> None:
    model = load_model(single_task())
    params = _mm1(arrivals_per_hour=1.0, service_mean=600, days=10)
    one, _ = replicate(model, params, rng=random.Random(3), runs=1)
    three, _ = replicate(model, params, rng=random.Random(3), runs=3)
    assert three.cases > 2 * one.cases
    assert len(three.durations) == three.completed


OFFICE = BusinessCalendar.of(
    working_days=range(5), hours=(dt.time(9), dt.time(17)), holidays=[dt.date(2025, 1, 8)], timezone="Europe/Amsterdam"
)


def test_calendar_moves_work_past_nights_weekends_and_holidays() -> None:
    friday_evening = dt.datetime(2025, 1, 10, 17, 30, tzinfo=dt.UTC)  # 18:30 in Amsterdam
    assert next_working(OFFICE, friday_evening) == dt.datetime(2025, 1, 13, 8, 0, tzinfo=dt.UTC)  # Monday 09:00 CET
    tuesday_afternoon = dt.datetime(2025, 1, 7, 15, 0, tzinfo=dt.UTC)  # 16:00 local: one working hour left
    # three working hours: one on Tuesday, Wednesday is a holiday, two on Thursday morning
    assert add_working(OFFICE, tuesday_afternoon, 3 * 3600) == dt.datetime(2025, 1, 9, 10, 0, tzinfo=dt.UTC)
    week = working_seconds(OFFICE, dt.datetime(2025, 1, 6, tzinfo=dt.UTC), dt.datetime(2025, 1, 13, tzinfo=dt.UTC))
    assert week == 4 * 8 * 3600


def test_pool_with_office_hours_only_works_in_them() -> None:
    model = load_model(single_task())
    params = _mm1(arrivals_per_hour=0.5, service_mean=1800, days=28)
    office = SimulationParams(
        **{
            **{f: getattr(params, f) for f in params.__dataclass_fields__},
            "pools": {"Desk": PoolParams(name="Desk", capacity=1, calendar=OFFICE)},
        }
    )
    record = simulate(model, office, rng=random.Random(4))
    starts = [
        record.start + dt.timedelta(seconds=r.at) for r in record.rows if r.lifecycle == "start" and r.element == "work"
    ]
    assert starts
    local = [s.astimezone(dt.timezone(dt.timedelta(hours=1))) for s in starts]
    assert all(s.weekday() < 5 and 9 <= s.hour < 17 and s.date() != dt.date(2025, 1, 8) for s in local)
    kpis = run_kpis(record)
    # work waits for the office to open: far longer than the half-hour of work itself
    assert kpis.pool("Desk").waiting_mean > 3600


def test_unending_step_stays_open_and_counts_no_cycle_time() -> None:
    model = load_model(single_task())
    params = _mm1(arrivals_per_hour=1.0, service_mean=60, days=2)
    never = SimulationParams(
        **{
            **{f: getattr(params, f) for f in params.__dataclass_fields__},
            "activities": {
                "work": ActivityParams(duration=Distribution(kind=DistributionKind.FIXED, mean=60, never=1.0))
            },
        }
    )
    kpis = run_kpis(simulate(model, never, rng=random.Random(1)))
    assert kpis.cases > 0
    assert kpis.completed == 0
    assert kpis.cycle.mean is None
