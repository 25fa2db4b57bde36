"""Working-time durations across weekends, holidays, time zones and whole columns."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from civicflow.mining import BusinessCalendar

UTC = dt.UTC
ROME = dt.timezone(dt.timedelta(hours=1))  # CET in January, for writing local times below
NEW_YEAR = dt.date(2024, 1, 1)  # a Monday
CALENDAR = BusinessCalendar.of(holidays=[NEW_YEAR])  # Mon-Fri 09:00-17:00 UTC


def _hours(start: dt.datetime, end: dt.datetime, calendar: BusinessCalendar = CALENDAR) -> float:
    return calendar.between(start, end).total_seconds() / 3600


def test_same_day_inside_the_window() -> None:
    assert _hours(dt.datetime(2024, 1, 3, 10, tzinfo=UTC), dt.datetime(2024, 1, 3, 12, 30, tzinfo=UTC)) == 2.5


def test_outside_hours_are_clipped() -> None:
    assert _hours(dt.datetime(2024, 1, 3, 6, tzinfo=UTC), dt.datetime(2024, 1, 3, 20, tzinfo=UTC)) == 8


def test_across_a_weekend() -> None:
    # Friday 16:00 -> Monday 10:00: one hour on Friday, one on Monday
    assert _hours(dt.datetime(2024, 1, 5, 16, tzinfo=UTC), dt.datetime(2024, 1, 8, 10, tzinfo=UTC)) == 2


def test_across_a_weekend_and_a_holiday() -> None:
    # Friday 29 Dec 16:00 -> Tuesday 2 Jan 10:00, Monday 1 Jan a holiday
    assert _hours(dt.datetime(2023, 12, 29, 16, tzinfo=UTC), dt.datetime(2024, 1, 2, 10, tzinfo=UTC)) == 2


def test_whole_weeks() -> None:
    assert _hours(dt.datetime(2024, 1, 8, 0, tzinfo=UTC), dt.datetime(2024, 1, 22, 0, tzinfo=UTC)) == 80


def test_entirely_in_a_weekend_is_zero() -> None:
    assert _hours(dt.datetime(2024, 1, 6, 10, tzinfo=UTC), dt.datetime(2024, 1, 7, 15, tzinfo=UTC)) == 0


def test_local_time_zone_and_custom_days() -> None:
    rome = BusinessCalendar.of(working_days=[0, 1, 2, 3, 4, 5], hours=(dt.time(8), dt.time(14)), timezone="Europe/Rome")
    # Saturday 08:00-14:00 local counts; 07:00 UTC on 6 Jan is 08:00 in Rome
    start = dt.datetime(2024, 1, 6, 8, tzinfo=ROME)
    end = dt.datetime(2024, 1, 8, 9, tzinfo=ROME)
    assert _hours(start, end, rome) == 7


def test_column_wise_and_negative() -> None:
    frame = pl.DataFrame(
        {
            "a": [dt.datetime(2024, 1, 5, 16, tzinfo=UTC), dt.datetime(2024, 1, 3, 12, tzinfo=UTC)],
            "b": [dt.datetime(2024, 1, 8, 10, tzinfo=UTC), dt.datetime(2024, 1, 3, 10, tzinfo=UTC)],
        }
    )
    assert CALENDAR.working_seconds(frame, "a", "b").to_list() == [7200.0, -7200.0]


def test_invalid_calendar() -> None:
    with pytest.raises(ValueError, match="day_end"):
        BusinessCalendar.of(hours=(dt.time(17), dt.time(9)))
