"""Period labels, SLA target durations and the nearest-rank percentile."""

from __future__ import annotations

import datetime as dt

import pytest

from civicflow.kpi import KpiDefinition, KpiError, Period, PeriodKind, StageDefinition, nearest_rank, parse_target


class _Clock:
    def now(self) -> dt.datetime:
        return dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)  # a Monday, in ISO week 49


def _bounds(text: str) -> tuple[str, str, str]:
    period = Period.parse(text, clock=_Clock())
    return period.label, period.start.date().isoformat(), period.end.date().isoformat()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026", ("2026", "2026-01-01", "2027-01-01")),
        ("2026-Q4", ("2026-Q4", "2026-10-01", "2027-01-01")),
        ("2026-Q1", ("2026-Q1", "2026-01-01", "2026-04-01")),
        ("2026-12", ("2026-12", "2026-12-01", "2027-01-01")),
        ("2026-02", ("2026-02", "2026-02-01", "2026-03-01")),
        ("2026-W01", ("2026-W01", "2025-12-29", "2026-01-05")),  # ISO week 1 holds the first Thursday
        ("2028-02-29", ("2028-02-29", "2028-02-29", "2028-03-01")),
        ("day", ("2026-11-30", "2026-11-30", "2026-12-01")),
        ("week", ("2026-W49", "2026-11-30", "2026-12-07")),
        ("Month", ("2026-11", "2026-11-01", "2026-12-01")),
        ("quarter", ("2026-Q4", "2026-10-01", "2027-01-01")),
        ("year", ("2026", "2026-01-01", "2027-01-01")),
    ],
)
def test_period_labels(text: str, expected: tuple[str, str, str]) -> None:
    assert _bounds(text) == expected


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "2026-W54", "2026-02-30", "last month", "26", ""])
def test_bad_periods_are_one_line_errors(text: str) -> None:
    with pytest.raises(KpiError, match="bad period") as caught:
        Period.parse(text, clock=_Clock())
    assert "\n" not in str(caught.value)


def test_period_is_half_open() -> None:
    period = Period.of(PeriodKind.DAY, dt.date(2026, 11, 30))
    assert dt.datetime(2026, 11, 30, tzinfo=dt.UTC) in period
    assert dt.datetime(2026, 12, 1, tzinfo=dt.UTC) not in period


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("P56D", 56 * 86400), ("P2W", 14 * 86400), ("PT36H", 36 * 3600), ("P1DT2H30M", 95400), ("PT90S", 90)],
)
def test_targets(text: str, seconds: int) -> None:
    assert parse_target(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["P1M", "P1Y", "10 days", "P", "PT", "P1DT", "P0D", "P99999D", "P-1D"])
def test_bad_targets_name_the_element(text: str) -> None:
    with pytest.raises(KpiError, match="review"):
        parse_target(text, element="review")


def test_definitions_reject_negative_costs_and_duplicate_stages() -> None:
    with pytest.raises(KpiError, match="'review' in service 'permit' is negative"):
        KpiDefinition(service="permit", processing_target=dt.timedelta(days=1), task_costs={"review": -1})
    stage = StageDefinition(element="review", label="Review", target=dt.timedelta(days=1))
    with pytest.raises(KpiError, match="stage twice"):
        KpiDefinition(service="permit", processing_target=dt.timedelta(days=1), stages=(stage, stage))


def test_nearest_rank() -> None:
    values = [15.0, 20.0, 35.0, 40.0, 50.0]
    # ranks ceil(p/100 * 5): p5 -> 1, p30 -> 2, p40 -> 2, p50 -> 3, p100 -> 5
    assert [nearest_rank(values, p) for p in (5, 30, 40, 50, 100)] == [15.0, 20.0, 20.0, 35.0, 50.0]
    assert nearest_rank([], 50) is None
    assert nearest_rank([7.0], 95) == 7.0
