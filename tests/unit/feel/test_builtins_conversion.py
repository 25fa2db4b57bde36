"""Conversion, numeric, temporal and range built-ins (DMN TCK 1100-1121, 0050-0056, 0096-0098, 0103, 1156)."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicflow.feel.builtins import BUILTINS
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.temporal import FeelDate, FeelDateTime, FeelTime, parse_at_literal
from civicflow.feel.values import Range

from ._call import call, call_warns

D = Decimal


def t(text: str) -> Any:
    return parse_at_literal(text)


def test_date() -> None:
    assert call("date", "-2017-12-31") == FeelDate(-2017, 12, 31)
    assert call("date", D(999999999), D(12), D(31)) == FeelDate(999999999, 12, 31)
    assert call("date", t("2017-08-14T14:25:00.123456789")) == FeelDate(2017, 8, 14)
    assert call("date", year=D(2017), month=D(8), day=D(30)) == FeelDate(2017, 8, 30)
    assert call("date", **{"from": "2012-12-25"}) == FeelDate(2012, 12, 25)
    for bad in (("2017-13-10",), (D(2017), D(-8), D(2)), (D(1),), ([],), (None,), (D(2017), D(1))):
        assert call_warns("date", *bad) == (None, 1)
    assert call_warns("date") == (None, 1)


def test_time() -> None:
    assert call("time", D(11), D(59), D(45), t("-PT2H45M55S")) == FeelTime(11, 59, 45, 0, -9955)
    assert call("time", D(12), D(59), D("1.3"), t("-PT1H")) == FeelTime(12, 59, 1, 300_000_000, -3600)
    assert call("time", D(11), D(59), D(45), None) == FeelTime(11, 59, 45)
    assert call("time", t("2017-08-10")) == FeelTime(0, 0, 0, 0, 0)
    assert str(call("time", t("2017-08-10T10:20:00@Europe/Paris"))) == "10:20:00@Europe/Paris"
    assert call("time", hour=D(11), minute=D(59), second=D(0), offset=t("PT2H1M")) == FeelTime(11, 59, 0, 0, 7260)
    assert call_warns("time", D(24), D(59), D(45), None) == (None, 1)
    assert call_warns("time", D(12), None, D(45), t("P0D")) == (None, 1)


def test_date_and_time() -> None:
    assert call("date and time", "2012-12-24") == FeelDateTime(2012, 12, 24, 0, 0, 0)
    combined = call("date and time", t("2017-08-10T10:20:00+02:00"), t("23:59:01"))
    assert combined == FeelDateTime(2017, 8, 10, 23, 59, 1)
    assert str(call("date and time", date=t("2017-01-01"), time=t("23:59:01@Europe/Paris"))) == (
        "2017-01-01T23:59:01@Europe/Paris"
    )
    for bad in ("11:00:00", "2011-12-0310:15:30", "2017-12-31T13:20:00+02:00@Europe/Paris", "2017-12-31T24:00:01"):
        assert call_warns("date and time", bad) == (None, 1)
    assert call_warns("date and time", t("2017-08-10"), None) == (None, 1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2011-12-22", "2013-08-24", "P1Y8M"),
        ("2013-08-24", "2011-12-22", "-P1Y8M"),
        ("2016-01-01", "2016-01-01", "P0M"),
        ("2016-09-30T23:25:00", "2017-12-28T12:12:12", "P1Y2M"),
        ("-2016-01-30T09:05:00", "-2017-02-28T02:02:02", "-P11M"),
        ("2014-12-31T23:59:59", "-2019-10-01T12:32:59", "-P4033Y2M"),
        ("2015-12-31T23:59:59.9999999", "2018-10-01T12:32:59.111111", "P2Y9M"),
        ("2017-02-28T23:59:59", "2019-07-23", "P2Y4M"),
    ],
)
def test_years_and_months_duration(start: str, end: str, expected: str) -> None:
    assert str(call("years and months duration", t(start), t(end))) == expected


def test_duration_number_string() -> None:
    assert str(call("duration", "P13DT2H14S")) == "P13DT2H14S"
    assert call_warns("duration", "P1Y2D") == (None, 1)
    assert call("number", "1 000,0", " ", ",") == D(1000)
    assert call("number", "1.5e3") == D(1500)
    assert call_warns("number", "1,000", ",", ",") == (None, 1)
    assert call_warns("number", "abc") == (None, 1)
    assert call("string", D("1.10")) == "1.10"
    assert call("string", None) is None


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("decimal", (D(1) / D(3), D("2.5")), D("0.33")),
        ("decimal", (D("2.5"), D(0)), D(2)),
        ("decimal", (D("0.515"), D(2)), D("0.52")),
        ("floor", (D("-1.56"), D(1)), D("-1.6")),
        ("ceiling", (D("-1.56"), D(1)), D("-1.5")),
        ("round up", (D("-5.5"), D(0)), D(-6)),
        ("round down", (D("-1.126"), D(2)), D("-1.12")),
        ("round half up", (D("-5.5"), D(0)), D(-6)),
        ("round half down", (D("-1.126"), D(2)), D("-1.13")),
        ("round down", (D("5.5"), D(6176)), D("5.5")),
        ("abs", (t("-P1Y"),), t("P1Y")),
        ("modulo", (D(-12), D(5)), D(3)),
        ("modulo", (D(12), D(-5)), D(-3)),
        ("modulo", (D("-10.1"), D("4.5")), D("3.4")),
        ("sqrt", (D(4),), D(2)),
        ("even", (D(-2),), True),
        ("odd", (D(0),), False),
    ],
)
def test_numeric(name: str, args: tuple[Any, ...], expected: Any) -> None:
    assert call(name, *args) == expected


def test_transcendental_functions_are_accurate() -> None:
    assert abs(call("exp", D(4)) - D("54.59815003314423907811026120286088")) < D("1e-30")
    assert abs(call("log", D(4)) - D("1.386294361119890618834464242916353")) < D("1e-30")


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("round down", (D("5.5"), D(6177))),
        ("floor", (D("1.5"), None)),
        ("floor", ("1.5",)),
        ("modulo", (D(10), D(0))),
        ("sqrt", (D(-1),)),
        ("log", (D(0),)),
        ("abs", (t("2018-12-06"),)),
        ("even", (D("1.5"),)),
    ],
)
def test_numeric_errors(name: str, args: tuple[Any, ...]) -> None:
    assert call_warns(name, *args) == (None, 1)


def test_numeric_parameter_names() -> None:
    assert call("floor", n=D("1.5")) == D(1)
    assert call("sqrt", number=D(4)) == D(2)
    assert call_warns("sqrt", n=D(4)) == (None, 1)
    assert call_warns("floor", n=D("1.5"), scal=D(1)) == (None, 1)


def test_calendar_functions() -> None:
    assert call("day of week", t("2019-09-17T10:10:10")) == "Tuesday"
    assert call("month of year", t("2019-09-17")) == "September"
    assert call("day of year", t("2020-12-31")) == D(366)
    assert [call("week of year", t(d)) for d in ("2003-12-29", "2010-01-01", "2005-01-01", "2019-09-17")] == [
        D(1),
        D(53),
        D(53),
        D(38),
    ]
    assert call_warns("day of week", "foo") == (None, 1)


class _FixedClock:
    def now(self) -> dt.datetime:
        return dt.datetime(2024, 2, 29, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def test_now_and_today_use_the_injected_clock() -> None:
    ev = Evaluation(clock=_FixedClock())
    assert BUILTINS["now"].call(ev, [], None) == FeelDateTime(2024, 2, 29, 23, 30, 0, 0, -18000)
    assert BUILTINS["today"].call(ev, [], None) == FeelDate(2024, 2, 29)
    assert call_warns("today") == (None, 1)


def test_is() -> None:
    assert call("is", t("23:00:50Z"), t("23:00:50+00:00")) is True
    assert call("is", t("20:00:50+00:00"), t("21:00:50+01:00")) is False
    assert call("is", t("P1D"), t("PT24H")) is True
    assert call("is", t("P0Y"), t("P0D")) is False
    assert call("is", t("2012-12-25"), t("2012-12-25T00:00:00Z")) is False
    assert call("is", value2=t("2021-02-13")) is False
    assert call("not", None) is None
    assert call("not", True) is False


def r(start: Any, end: Any, start_included: bool = True, end_included: bool = True) -> Range:
    return Range(start, end, start_included, end_included)


@pytest.mark.parametrize(
    ("name", "a", "b", "expected"),
    [
        ("before", D(1), D(10), True),
        ("before", D(1), r(D(1), D(10), False), True),
        ("before", D(1), r(D(1), D(10)), False),
        ("before", r(D(1), D(10)), r(D(10), D(20)), False),
        ("before", r(D(1), D(10), True, False), r(D(10), D(20)), True),
        ("after", r(D(11), D(20)), r(D(1), D(10)), True),
        ("meets", r(D(1), D(5)), r(D(5), D(8)), True),
        ("meets", r(D(1), D(5), True, False), r(D(5), D(8)), False),
        ("met by", r(D(5), D(8)), r(D(1), D(5)), True),
        ("overlaps", r(D(1), D(5)), r(D(3), D(8)), True),
        ("overlaps", r(D(1), D(5), True, False), r(D(5), D(8)), False),
        ("overlaps before", r(D(1), D(5)), r(D(3), D(8)), True),
        ("overlaps after", r(D(3), D(8)), r(D(1), D(5)), True),
        ("finishes", D(10), r(D(1), D(10)), True),
        ("finishes", r(D(5), D(10)), r(D(1), D(10)), True),
        ("finished by", r(D(1), D(10)), D(10), True),
        ("includes", r(D(1), D(10)), D(5), True),
        ("includes", r(D(1), D(10)), r(D(1), D(10), False), True),
        ("during", r(D(5), D(6)), r(D(1), D(10)), True),
        ("starts", D(1), r(D(1), D(10)), True),
        ("starts", r(D(1), D(5)), r(D(1), D(10)), True),
        ("started by", r(D(1), D(10)), r(D(1), D(5)), True),
        ("coincides", r(D(1), D(5)), r(D(1), D(5)), True),
        ("coincides", D(1), D(2), False),
        ("includes", Range(None, D(10), False, False, "<"), D(-1000), True),
        ("overlaps", Range(D(5), None, True, False, ">="), r(D(1), D(5)), True),
    ],
)
def test_range_functions(name: str, a: Any, b: Any, expected: bool) -> None:
    assert call(name, a, b) is expected


def test_range_from_text() -> None:
    assert call("range", " [ 1 .. 3 ] ") == r(D(1), D(3))
    assert call("range", "]18..21]") == r(D(18), D(21), False, True)
    assert call("range", '[@"P1D"..@"P2D"]') == r(t("P1D"), t("P2D"))
    assert call("range", '[date("1970-01-01")..date("1970-01-02")]') == r(t("1970-01-01"), t("1970-01-02"))
    assert call("range", '["a".."c"]') == r("a", "c")
    for bad in ("[..2]", ">=10", "[3..1]", '[1.."b"]', '[date(string("1970-01-01"))..date("1970-01-02")]', ""):
        assert call_warns("range", bad) == (None, 1)
