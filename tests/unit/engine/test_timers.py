"""Timer due instants on the engine clock (parsing is civicflow.bpmn.timers')."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from civicflow.engine.errors import ExpressionError
from civicflow.engine.timers import next_due, parse_timer

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_cycle_with_start_fires_at_the_start_then_each_interval() -> None:
    timer = parse_timer("cycle", "R3/2026-01-07T08:00:00Z/P1D", NOW)
    assert (timer.due, timer.repetitions, timer.interval) == (datetime(2026, 1, 7, 8, tzinfo=UTC), 2, "P1D")
    assert next_due("P1D", timer.due) == datetime(2026, 1, 8, 8, tzinfo=UTC)


def test_cycle_with_end_stops_after_the_end() -> None:
    timer = parse_timer("cycle", "R/PT12H/2026-01-06T09:00:00Z", NOW)
    assert timer.due == datetime(2026, 1, 5, 21, tzinfo=UTC)
    assert timer.interval is not None
    assert next_due(timer.interval, timer.due) == datetime(2026, 1, 6, 9, tzinfo=UTC)
    assert next_due(timer.interval, datetime(2026, 1, 6, 9, tzinfo=UTC)) is None


def test_cron_cycle_and_naive_dates_in_the_clock_zone() -> None:
    timer = parse_timer("cycle", "0 0 8 * * MON-FRI", NOW)
    assert (timer.due, timer.repetitions) == (datetime(2026, 1, 6, 8, tzinfo=UTC), None)
    assert parse_timer("date", "2026-02-01T10:00:00", NOW).due == datetime(2026, 2, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize("text", ["R0/PT1H", "R/PT1H/2026-01-05T09:30:00Z", "every day", "R/PX"])
def test_bad_cycles_are_expression_errors(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse_timer("cycle", text, NOW)
