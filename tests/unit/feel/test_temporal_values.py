"""Parsing and printing of FEEL temporal values (expected texts from the DMN TCK 1115-1117)."""

from decimal import Decimal

import pytest

from civicflow.feel.temporal import (
    DaysTimeDuration,
    FeelDate,
    FeelDateTime,
    FeelTime,
    YearsMonthsDuration,
    parse_at_literal,
    parse_date,
    parse_date_time,
    parse_duration,
    parse_time,
)


@pytest.mark.parametrize(
    "text",
    [
        "2017-12-31",
        "-2017-01-01",
        "999999999-12-31",
        "-999999999-12-31",
        "0001-01-01",
    ],
)
def test_date_round_trips(text: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert str(parsed) == text


@pytest.mark.parametrize(
    "text",
    [
        "2012-12-25T",
        "",
        "2012/12/25",
        "9999999999-12-25",
        "2017-13-10",
        "2017-12-32",
        "998-12-31",
        "01211-12-31",
        "+2012-12-02",
        "2017-02-29",
    ],
)
def test_invalid_dates_are_rejected(text: str) -> None:
    assert parse_date(text) is None


def test_leap_day_exists_in_leap_years_only() -> None:
    assert parse_date("2020-02-29") == FeelDate(2020, 2, 29)
    assert parse_date("1900-02-29") is None
    assert parse_date("2000-02-29") == FeelDate(2000, 2, 29)


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("11:22:33.444", "11:22:33.444"),
        ("11:22:33.123456789", "11:22:33.123456789"),
        ("23:59:00Z", "23:59:00Z"),
        ("13:20:00-05:00", "13:20:00-05:00"),
        ("11:22:33-00:00", "11:22:33Z"),
        ("11:22:33+00:00", "11:22:33Z"),
        ("00:01:00@Europe/Paris", "00:01:00@Europe/Paris"),
        ("10:30:00.0000", "10:30:00"),
    ],
)
def test_time_parse_and_print(text: str, printed: str) -> None:
    parsed = parse_time(text)
    assert parsed is not None
    assert str(parsed) == printed


@pytest.mark.parametrize(
    "text",
    [
        "23:59:60",
        "24:00:01",
        "25:00:00",
        "00:60:00",
        "7:00:00",
        "07:1:00",
        "13:20:00@xyz/abc",
        "13:20:00+19:00",
        "13:20:00+5:00",
        "13:20:00+02:00@Europe/Paris",
        "11:30:00T",
    ],
)
def test_invalid_times_are_rejected(text: str) -> None:
    assert parse_time(text) is None


def test_time_fields() -> None:
    assert parse_time("13:20:00+02:00") == FeelTime(13, 20, 0, 0, 7200, None)
    assert parse_time("01:02:03.5") == FeelTime(1, 2, 3, 500_000_000)


def test_date_time_with_zone_and_large_year() -> None:
    value = parse_date_time("999999999-12-31T23:59:59.999999999@Europe/Paris")
    assert value == FeelDateTime(999999999, 12, 31, 23, 59, 59, 999999999, None, "Europe/Paris")
    assert str(value) == "999999999-12-31T23:59:59.999999999@Europe/Paris"
    assert str(parse_date_time("-99999-12-31T11:22:33")) == "-99999-12-31T11:22:33"


def test_end_of_day_rolls_to_next_midnight() -> None:
    assert parse_date_time("2021-12-31T24:00:00") == FeelDateTime(2022, 1, 1, 0, 0, 0)


def test_zone_offset_follows_daylight_saving() -> None:
    winter = parse_date_time("2018-02-08T00:00:00@Europe/Paris")
    summer = parse_date_time("2018-10-08T00:00:00@Europe/Paris")
    assert winter is not None
    assert summer is not None
    assert winter.utc_offset() == 3600
    assert summer.utc_offset() == 7200


@pytest.mark.parametrize(
    ("text", "value", "printed"),
    [
        ("P1Y2M", YearsMonthsDuration(14), "P1Y2M"),
        ("-P10M", YearsMonthsDuration(-10), "-P10M"),
        ("P0Y", YearsMonthsDuration(0), "P0M"),
        ("P1D", DaysTimeDuration(Decimal(86400)), "P1D"),
        ("PT24H", DaysTimeDuration(Decimal(86400)), "P1D"),
        ("P13DT2H14S", DaysTimeDuration(Decimal(13 * 86400 + 7200 + 14)), "P13DT2H14S"),
        ("-PT1.5S", DaysTimeDuration(Decimal("-1.5")), "-PT1.5S"),
        ("PT0S", DaysTimeDuration(Decimal(0)), "PT0S"),
    ],
)
def test_durations(text: str, value: object, printed: str) -> None:
    parsed = parse_duration(text)
    assert parsed == value
    assert str(parsed) == printed


@pytest.mark.parametrize("text", ["P", "PT", "P1Y2D", "1D", "P1H", "P-1D", "PT1.S"])
def test_invalid_durations_are_rejected(text: str) -> None:
    assert parse_duration(text) is None


def test_at_literal_picks_the_kind() -> None:
    assert parse_at_literal("2019-03-31") == FeelDate(2019, 3, 31)
    assert parse_at_literal("10:30:11") == FeelTime(10, 30, 11)
    assert parse_at_literal("2018-12-08T10:30:11") == FeelDateTime(2018, 12, 8, 10, 30, 11)
    assert parse_at_literal("P10Y") == YearsMonthsDuration(120)
    assert parse_at_literal("foo") is None


def test_weekday_and_epoch_day() -> None:
    assert FeelDate(1970, 1, 1).epoch_day() == 0
    assert FeelDate(1970, 1, 1).weekday() == 4  # a Thursday
    assert FeelDate(2019, 9, 17).weekday() == 2  # a Tuesday
    assert FeelDate.from_epoch_day(FeelDate(-2021, 3, 1).epoch_day()) == FeelDate(-2021, 3, 1)
