"""Conversion between plain Python and FEEL values."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from civicflow.feel.temporal import DaysTimeDuration, FeelDate, FeelDateTime, FeelTime, YearsMonthsDuration
from civicflow.feel.values import Range, from_feel, normalize_number, to_feel


def test_to_feel_numbers_and_collections() -> None:
    assert to_feel(3) == Decimal(3)
    assert str(to_feel(0.1)) == "0.1"
    assert to_feel(float("nan")) is None
    assert to_feel(True) is True
    assert to_feel((1, {"a": [2.5]})) == [Decimal(1), {"a": [Decimal("2.5")]}]
    assert to_feel({1: "x"}) == {"1": "x"}


def test_to_feel_temporal() -> None:
    assert to_feel(dt.date(2020, 2, 29)) == FeelDate(2020, 2, 29)
    assert to_feel(dt.datetime(2020, 1, 2, 3, 4, 5, 600000, tzinfo=ZoneInfo("Europe/Paris"))) == FeelDateTime(
        2020, 1, 2, 3, 4, 5, 600_000_000, None, "Europe/Paris"
    )
    assert to_feel(dt.datetime(2020, 1, 2, tzinfo=dt.UTC)) == FeelDateTime(2020, 1, 2, 0, 0, 0, 0, 0, None)
    assert to_feel(dt.time(1, 2, 3)) == FeelTime(1, 2, 3)
    assert to_feel(dt.timedelta(days=1, seconds=1, microseconds=500000)) == DaysTimeDuration(Decimal("86401.5"))


def test_from_feel() -> None:
    value = {"n": Decimal("2.50"), "i": Decimal("10"), "d": FeelDate(-5, 1, 1), "ym": YearsMonthsDuration(-14)}
    assert from_feel(value) == {"n": Decimal("2.50"), "i": Decimal("10"), "d": "-0005-01-01", "ym": "-P1Y2M"}
    assert from_feel(value, json_safe=True)["n"] == 2.5
    assert from_feel(value, json_safe=True)["i"] == 10
    assert from_feel(Range(Decimal(1), None, True, False)) == {
        "start": Decimal(1),
        "end": None,
        "start included": True,
        "end included": False,
    }


def test_normalize_number() -> None:
    assert normalize_number(Decimal("1.00000000000000000000000000000000001")) == Decimal(
        "1.000000000000000000000000000000000"
    )
    assert normalize_number(Decimal("Infinity")) is None
    assert normalize_number(Decimal("1E+7000")) is None
