"""Arithmetic and comparison of FEEL temporal values (DMN 1.5 §10.3.2.3 and table 57).

Every function returns None (FEEL null) when the combination has no meaning, for example subtracting
a local date and time from one with a time zone.
"""

from __future__ import annotations

from decimal import Decimal

from civicflow.feel._calendar import days_from_civil, days_in_month
from civicflow.feel.temporal import (
    MAX_YEAR,
    NANOS_PER_DAY,
    NANOS_PER_SECOND,
    DaysTimeDuration,
    FeelDate,
    FeelDateTime,
    FeelTime,
    YearsMonthsDuration,
)

__all__ = [
    "add_days_time",
    "add_months",
    "compare_times",
    "duration_from_nanos",
    "duration_nanos",
    "months_between",
    "subtract_date_times",
    "subtract_times",
    "to_date_time",
]


def duration_nanos(duration: DaysTimeDuration) -> int:
    """The duration in whole nanoseconds (finer fractions are dropped)."""
    return int(duration.seconds.scaleb(9))


def duration_from_nanos(nanos: int) -> DaysTimeDuration:
    seconds, rest = divmod(abs(nanos), NANOS_PER_SECOND)
    value = Decimal(seconds) if rest == 0 else Decimal(abs(nanos)).scaleb(-9)
    return DaysTimeDuration(-value if nanos < 0 else value)


def to_date_time(value: FeelDate | FeelDateTime) -> FeelDateTime:
    """A date is midnight UTC when it meets a date and time (DMN 1.5 §10.3.2.3.6)."""
    if isinstance(value, FeelDate):
        return FeelDateTime(value.year, value.month, value.day, 0, 0, 0, 0, 0, None)
    return value


def add_months(value: FeelDate | FeelDateTime, months: int) -> FeelDate | FeelDateTime | None:
    """Shift by whole months, clamping the day to the end of the target month."""
    index = value.year * 12 + value.month - 1 + months
    year, month0 = divmod(index, 12)
    if abs(year) > MAX_YEAR:
        return None
    day = min(value.day, days_in_month(year, month0 + 1))
    if isinstance(value, FeelDate):
        return FeelDate(year, month0 + 1, day)
    return FeelDateTime(
        year, month0 + 1, day, value.hour, value.minute, value.second, value.nanosecond, value.offset, value.zone
    )


def add_days_time(
    value: FeelDate | FeelDateTime | FeelTime, duration: DaysTimeDuration, sign: int = 1
) -> FeelDate | FeelDateTime | FeelTime | None:
    """Add (``sign`` 1) or subtract (``sign`` -1) a days and time duration on the local clock."""
    nanos = duration_nanos(duration) * sign
    if isinstance(value, FeelTime):
        return value.with_nanos_of_day(value.nanos_of_day() + nanos)
    if isinstance(value, FeelDate):
        days = (days_from_civil(value.year, value.month, value.day) * NANOS_PER_DAY + nanos) // NANOS_PER_DAY
        result = FeelDate.from_epoch_day(days)
        return result if abs(result.year) <= MAX_YEAR else None
    return value.with_local_nanos(value.local_nanos() + nanos)


def subtract_date_times(left: FeelDate | FeelDateTime, right: FeelDate | FeelDateTime) -> DaysTimeDuration | None:
    """``left - right``; null when exactly one side has a time zone."""
    if isinstance(left, FeelDate) and isinstance(right, FeelDate):
        return DaysTimeDuration(Decimal((left.epoch_day() - right.epoch_day()) * 86400))
    a, b = to_date_time(left), to_date_time(right)
    if a.has_timezone() != b.has_timezone():
        return None
    return duration_from_nanos(a.epoch_nanos() - b.epoch_nanos())


def subtract_times(left: FeelTime, right: FeelTime) -> DaysTimeDuration | None:
    """``left - right`` within one day; null when exactly one side has an offset or zone."""
    left_offset, right_offset = left.utc_offset(), right.utc_offset()
    if (left_offset is None) != (right_offset is None):
        return None
    nanos = left.nanos_of_day() - right.nanos_of_day()
    nanos -= ((left_offset or 0) - (right_offset or 0)) * NANOS_PER_SECOND
    return duration_from_nanos(nanos)


def compare_times(left: FeelTime, right: FeelTime) -> int | None:
    """Order two times of day; null when exactly one side has an offset or zone."""
    difference = subtract_times(left, right)
    if difference is None:
        return None
    return (difference.seconds > 0) - (difference.seconds < 0)


def months_between(start: FeelDate | FeelDateTime, end: FeelDate | FeelDateTime) -> YearsMonthsDuration:
    """Whole months from ``start`` to ``end`` by calendar date (times and zones are ignored)."""
    months = (end.year * 12 + end.month) - (start.year * 12 + start.month)
    days = end.day - start.day
    if months > 0 and days < 0:
        months -= 1
    elif months < 0 and days > 0:
        months += 1
    return YearsMonthsDuration(months)
