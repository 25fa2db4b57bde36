"""ISO 8601 timer values: durations, date-times, repeating intervals and cron cycles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from civicflow.bpmn import TimerFormatError
from civicflow.bpmn.timers import IsoDuration, next_cron, parse_cycle, parse_date_time, parse_duration


def test_duration_parts() -> None:
    d = parse_duration("P1Y2M3DT4H5M6.5S")
    assert (d.years, d.months, d.days, d.hours, d.minutes, d.seconds) == (1, 2, 3, 4, 5, Decimal("6.5"))
    assert parse_duration("PT15M").exact == timedelta(minutes=15)
    assert parse_duration("P2W").exact == timedelta(days=14)
    assert parse_duration("PT0,5S").exact == timedelta(milliseconds=500)


def test_months_are_added_by_the_calendar() -> None:
    assert parse_duration("P1M").add_to(datetime(2026, 1, 31)) == datetime(2026, 2, 28)
    assert parse_duration("P1Y").add_to(datetime(2024, 2, 29)) == datetime(2025, 2, 28)
    assert parse_duration("P1DT1H").add_to(datetime(2026, 1, 5, 9)) == datetime(2026, 1, 6, 10)
    with pytest.raises(TimerFormatError):
        IsoDuration(months=Decimal("0.5")).add_to(datetime(2026, 1, 1))


@pytest.mark.parametrize("text", ["", "P", "PT", "P1DT", "1D", "PT1D", "P1H", "P-1D", "R/PT1H"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(TimerFormatError):
        parse_duration(text)


def test_date_times_with_offsets_and_zones() -> None:
    assert parse_date_time("2026-01-05T09:00:00+01:00") == datetime(2026, 1, 5, 9, tzinfo=timezone(timedelta(hours=1)))
    assert parse_date_time("2026-01-05T08:00:00Z") == datetime(2026, 1, 5, 8, tzinfo=UTC)
    zoned = parse_date_time("2026-07-01T09:00[Europe/Brussels]")
    assert zoned.tzinfo == ZoneInfo("Europe/Brussels")
    assert zoned.utcoffset() == timedelta(hours=2)
    assert parse_date_time("2026-01-05T09:00:00.250") == datetime(2026, 1, 5, 9, 0, 0, 250000)
    assert parse_date_time("2026-01-05") == datetime(2026, 1, 5)


@pytest.mark.parametrize(
    "text", ["2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "05/01/2026", "2026-01-05T09:00[Mars/Base]", "tomorrow"]
)
def test_bad_date_times(text: str) -> None:
    with pytest.raises(TimerFormatError):
        parse_date_time(text)


def test_cycles() -> None:
    unbounded = parse_cycle("R/PT1H")
    assert unbounded.repetitions is None
    assert unbounded.interval is not None
    assert unbounded.interval.exact == timedelta(hours=1)
    started = parse_cycle("R3/2026-01-05T09:00:00Z/P1D")
    assert started.repetitions == 3
    assert started.start == datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert started.interval == parse_duration("P1D")
    ending = parse_cycle("R/PT10M/2026-12-31T00:00:00Z")
    assert ending.end == datetime(2026, 12, 31, tzinfo=UTC)
    assert parse_cycle("0 0 9-17 * * MON-FRI").cron == "0 0 9-17 * * MON-FRI"


@pytest.mark.parametrize("text", ["R3", "Rx/PT1H", "R/PT", "R/2026-01-01T00:00:00Z/nonsense", "every day", "* *"])
def test_bad_cycles(text: str) -> None:
    with pytest.raises(TimerFormatError):
        parse_cycle(text)


def test_next_cron_instants() -> None:
    monday = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert next_cron("0 0 9-17 * * MON-FRI", monday) == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert next_cron("*/15 * * * *", monday) == datetime(2026, 1, 5, 9, 15, tzinfo=UTC)
    assert next_cron("0 30 8 * * SAT", monday) == datetime(2026, 1, 10, 8, 30, tzinfo=UTC)
    assert next_cron("0 0 0 29 2 ?", monday) == datetime(2028, 2, 29, tzinfo=UTC)
    assert next_cron("0 0 12 1 * 0", monday) == datetime(2026, 1, 11, 12, tzinfo=UTC)  # day 1 or a Sunday


@pytest.mark.parametrize("text", ["0 0 8 L * ?", "0 0 25 * * *", "0 0 8 * * MON#2"])
def test_unsupported_or_bad_cron(text: str) -> None:
    with pytest.raises(TimerFormatError):
        next_cron(text, datetime(2026, 1, 5, tzinfo=UTC))


def test_cron_macros_expand() -> None:
    from datetime import UTC, datetime

    from civicflow.bpmn.timers import is_cron, next_cron

    assert is_cron("@daily")
    assert is_cron("0 9 * * MON-FRI")
    assert not is_cron("R/PT1H")
    after = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    assert next_cron("@daily", after) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert next_cron("@hourly", after) == datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
