"""Temporal built-ins (DMN 1.5 §10.3.4.6 and §10.3.4.7): calendar properties, now, today."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from civicflow.feel._calendar import days_from_civil, is_leap
from civicflow.feel.builtins._registry import builtin
from civicflow.feel.errors import FeelEvalError
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.temporal import FeelDate, FeelDateTime

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _date(value: Any) -> FeelDate:
    if isinstance(value, FeelDate):
        return value
    if isinstance(value, FeelDateTime):
        return value.date_part()
    raise FeelEvalError("date must be a date or date and time")


def _day_of_year(date: FeelDate) -> int:
    return date.epoch_day() - days_from_civil(date.year, 1, 1) + 1


def _weeks_in_year(year: int) -> int:
    jan1 = FeelDate(year, 1, 1).weekday()
    return 53 if jan1 == 4 or (jan1 == 3 and is_leap(year)) else 52


@builtin("day of year", ("date",))
def day_of_year(date: Any) -> Decimal:
    return Decimal(_day_of_year(_date(date)))


@builtin("day of week", ("date",))
def day_of_week(date: Any) -> str:
    return _DAY_NAMES[_date(date).weekday() - 1]


@builtin("month of year", ("date",))
def month_of_year(date: Any) -> str:
    return _MONTH_NAMES[_date(date).month - 1]


@builtin("week of year", ("date",))
def week_of_year(date: Any) -> Decimal:
    """ISO 8601 week number."""
    day = _date(date)
    week = (_day_of_year(day) - day.weekday() + 10) // 7
    if week < 1:
        week = _weeks_in_year(day.year - 1)
    elif week > _weeks_in_year(day.year):
        week = 1
    return Decimal(week)


@builtin("now", (), needs_evaluation=True)
def now(ev: Evaluation) -> FeelDateTime:
    if ev.clock is None:
        raise FeelEvalError("no clock was given to the evaluation")
    return FeelDateTime.from_python(ev.clock.now())


@builtin("today", (), needs_evaluation=True)
def today(ev: Evaluation) -> FeelDate:
    if ev.clock is None:
        raise FeelEvalError("no clock was given to the evaluation")
    instant = ev.clock.now()
    return FeelDate(instant.year, instant.month, instant.day)
