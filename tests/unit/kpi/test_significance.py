"""The pilot dashboard's statistics against figures worked out by hand (issue #14).

Each expected number below was computed from the textbook formula, not by the code under test:

- two-proportion z, 45/100 vs 30/100: pooled p = 75/200 = 0.375, SE = sqrt(0.375 * 0.625 * (1/100 +
  1/100)) = 0.0684653, z = 0.15 / SE = 2.1908902, p = 2 * (1 - Phi(z)) = 0.0284597.
- Wilson 95% for 45/100 (z = 1.959964): centre (0.45 + z^2/200) / (1 + z^2/100) = 0.4518497, half
  width z * sqrt(0.45 * 0.55 / 100 + z^2 / 40000) / (1 + z^2/100) = 0.0957043 -> [0.3561454, 0.5475540].
- Mann-Whitney, no ties: 1..5 against 6..10 puts every rank of one side below the other: U = 0 and
  the exact two-sided p is 2 / C(10, 5) = 2/252 = 0.0079365.
- Mann-Whitney with ties, [1,2,2,3,4,5,6] against [3,4,5,6,7,8,8,9]: midranks give R1 = 36, U1 = 36 -
  28 = 8; mean 28, tie-corrected SD sqrt(56/12 * (16 - 30/210)) = 8.5997; z = (|8 - 28| - 0.5) / SD =
  2.2688739, p = 0.0232760.
- Median interval of 1..10: P(Bin(10, 1/2) <= 1) = 11/1024 < 2.5% < P(<= 2) = 56/1024, so j = 2 and
  the interval is [x(2), x(9)] = [2, 9], median 5.5.
"""

from __future__ import annotations

import datetime as dt

import pytest

from civicflow.kpi import (
    Arm,
    CaseOutcome,
    CaseRecord,
    IncidentRecord,
    KpiDefinition,
    KpiInput,
    Measure,
    Period,
    PeriodKind,
    SatisfactionRecord,
    TaskRecord,
    compare_versions,
    mann_whitney,
    median_interval,
    two_proportions,
    wilson_interval,
)
from civicflow.mining import BusinessCalendar


def test_two_proportion_z_by_hand() -> None:
    found = two_proportions((45, 30), (100, 100))
    assert found.statistic == pytest.approx(2.1908902, abs=1e-6)
    assert found.p_value == pytest.approx(0.0284597, abs=1e-6)
    assert found.significant


def test_two_proportion_z_refuses_tiny_samples() -> None:
    found = two_proportions((3, 5), (5, 5))
    assert found.p_value is None
    assert "expected successes and failures" in found.note
    assert not found.significant
    assert two_proportions((0, 1), (0, 10)).note == "no cases in one version"


def test_wilson_interval_by_hand() -> None:
    found = wilson_interval(45, 100)
    assert found.estimate == pytest.approx(0.45)
    assert found.low == pytest.approx(0.3561454, abs=1e-6)
    assert found.high == pytest.approx(0.5475540, abs=1e-6)
    assert wilson_interval(0, 0).estimate is None
    edge = wilson_interval(10, 10)
    assert edge.high == pytest.approx(1.0)
    assert edge.low is not None
    assert 0.69 < edge.low < 0.73


def test_mann_whitney_exact_without_ties() -> None:
    found = mann_whitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
    assert found.statistic == 0
    assert found.p_value == pytest.approx(2 / 252, abs=1e-9)


def test_mann_whitney_normal_approximation_with_ties() -> None:
    found = mann_whitney([1, 2, 2, 3, 4, 5, 6], [3, 4, 5, 6, 7, 8, 8, 9])
    assert found.statistic == 8
    assert found.p_value == pytest.approx(0.0232760, abs=1e-6)


def test_mann_whitney_needs_cases_on_both_sides() -> None:
    found = mann_whitney([1, 2, 3], [4, 5, 6, 7, 8])
    assert found.p_value is None
    assert "at least 5" in found.note
    assert mann_whitney([3.0] * 5, [3.0] * 6).p_value == 1.0


def test_median_interval_by_hand() -> None:
    found = median_interval([float(v) for v in range(10, 0, -1)])
    assert (found.estimate, found.low, found.high) == (5.5, 2.0, 9.0)
    small = median_interval([4.0, 1.0, 3.0])
    assert (small.estimate, small.low, small.high) == (3.0, None, None)


# -- two versions side by side -------------------------------------------------------------------

MONDAY = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)  # working hours 09:00-17:00, so these spans are all working time
PERIOD = Period(
    kind=PeriodKind.MONTH,
    label="2026-11",
    start=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    end=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
)
DEFINITION = KpiDefinition(
    service="permit",
    processing_target=dt.timedelta(hours=4),
    calendar=BusinessCalendar.of(),
    task_costs={"review": 2500, "decide": 4000},
)


def _case(case_id: str, day: int, minutes: int, outcome: CaseOutcome = CaseOutcome.COMPLETED) -> CaseRecord:
    start = MONDAY + dt.timedelta(days=day)
    return CaseRecord(
        case_id=case_id, service="permit", started=start, ended=start + dt.timedelta(minutes=minutes), outcome=outcome
    )


def _task(case_id: str, task_type: str) -> TaskRecord:
    return TaskRecord(case_id=case_id, task_type=task_type, department="permits", created=MONDAY, completed=MONDAY)


# current: 180..300 minutes (3 of 5 within the 4-hour target); candidate: 30..150 minutes (all within)
CURRENT = [_case(f"c{i}", i, 180 + 30 * i) for i in range(5)]
CANDIDATE = [_case(f"n{i}", i, 30 + 30 * i) for i in range(5)]
ROWS = KpiInput(
    cases=(*CURRENT, *CANDIDATE, _case("other", 0, 10), _case("c-open", 1, 0, CaseOutcome.OPEN)),
    tasks=(
        *(_task(f"c{i}", "review") for i in range(5)),
        *(_task(f"n{i}", "review") for i in range(5)),
        _task("n0", "review"),  # done twice: rework, and a second review's cost
        _task("n0", "decide"),
    ),
    incidents=(IncidentRecord(case_id="c1", element="review", raised=MONDAY),),
    answers=(
        SatisfactionRecord(service="permit", score=5, answered=MONDAY, case_id="n1"),
        SatisfactionRecord(service="permit", score=2, answered=MONDAY, case_id="c2"),
        SatisfactionRecord(service="permit", score=5, answered=MONDAY),  # no case: in neither version
    ),
)
ARMS = {**{c.case_id: Arm.CURRENT for c in CURRENT}, **{c.case_id: Arm.CANDIDATE for c in CANDIDATE}}


def test_compare_versions_splits_and_tests_every_measure() -> None:
    found = compare_versions(DEFINITION, ROWS, ARMS, PERIOD, now=dt.datetime(2026, 11, 30, tzinfo=dt.UTC))
    assert (found.current.completed, found.candidate.completed) == (5, 5)
    assert (found.current.started, found.candidate.started) == (5, 5)  # "other" and "c-open" are in no version
    by = {m.measure: m for m in found.measures}
    assert list(by) == [
        Measure.PROCESSING,
        Measure.SLA,
        Measure.REWORK,
        Measure.INCIDENTS,
        Measure.SATISFACTION,
        Measure.COST,
    ]

    processing = by[Measure.PROCESSING]
    assert processing.current.estimate == 240 * 60
    assert processing.candidate.estimate == 90 * 60
    assert processing.test.statistic == 25  # every current case took longer: U of the current side is 5 * 5
    assert processing.test.p_value == pytest.approx(2 / 252, abs=1e-9)
    assert processing.test.significant
    assert processing.candidate_better is True

    sla = by[Measure.SLA]
    assert (sla.current.estimate, sla.candidate.estimate, sla.counts) == (3 / 5, 1.0, (5, 5))
    assert sla.test.p_value is None  # too few cases for the z test's approximation: said, not guessed
    assert by[Measure.REWORK].candidate.estimate == 1 / 5
    assert by[Measure.REWORK].current.estimate == 0
    assert by[Measure.REWORK].candidate_better is False
    assert by[Measure.INCIDENTS].current.estimate == 1 / 5
    assert by[Measure.SATISFACTION].counts == (1, 1)
    assert (by[Measure.SATISFACTION].current.estimate, by[Measure.SATISFACTION].candidate.estimate) == (0.0, 1.0)
    cost = by[Measure.COST]
    assert cost.current.estimate == 2500
    assert cost.candidate.estimate == 2500
    assert cost.test.p_value is not None
    assert not cost.test.significant


def test_compare_versions_without_costs_leaves_cost_out() -> None:
    plain = KpiDefinition(service="permit", processing_target=dt.timedelta(hours=4))
    found = compare_versions(plain, ROWS, ARMS, PERIOD, now=dt.datetime(2026, 11, 30, tzinfo=dt.UTC))
    assert Measure.COST not in {m.measure for m in found.measures}
