"""Working time of a resource pool on :class:`civicflow.mining.BusinessCalendar`, one moment at a time.

The mining calendar measures working time over whole columns; the simulation needs the scalar
questions a scheduler asks: when is the next working instant, and when does a piece of work of so
many working seconds end if it starts now. A day whose window ends at ``time.max`` works until
midnight (a 24-hour day).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from civicflow.mining import BusinessCalendar

__all__ = ["ALWAYS", "add_working", "is_always", "next_working", "working_seconds"]

ALWAYS = BusinessCalendar.of(working_days=range(7), hours=(dt.time(0, 0), dt.time.max))
"""Every hour of every day: the calendar of waits that are not somebody's work."""

# No working day within a year: the calendar is empty, the work never starts.
_SEARCH_DAYS = 400


def is_always(calendar: BusinessCalendar) -> bool:
    return (
        len(calendar.working_days) == 7
        and not calendar.holidays
        and calendar.day_start == dt.time(0, 0)
        and calendar.day_end == dt.time.max
    )


def _window(calendar: BusinessCalendar, day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime] | None:
    if day.weekday() not in calendar.working_days or day in calendar.holidays:
        return None
    start = dt.datetime.combine(day, calendar.day_start, zone)
    if calendar.day_end == dt.time.max:
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), zone)
    else:
        end = dt.datetime.combine(day, calendar.day_end, zone)
    return start, end


def next_working(calendar: BusinessCalendar, moment: dt.datetime) -> dt.datetime | None:
    """The first working instant at or after ``moment``; None when the calendar has none within a year."""
    if is_always(calendar):
        return moment
    zone = ZoneInfo(calendar.timezone)
    day = moment.astimezone(zone).date()
    for offset in range(_SEARCH_DAYS):
        window = _window(calendar, day + dt.timedelta(days=offset), zone)
        if window is not None and moment < window[1]:
            return max(moment, window[0]).astimezone(moment.tzinfo)
    return None


def add_working(calendar: BusinessCalendar, moment: dt.datetime, seconds: float) -> dt.datetime | None:
    """The end of ``seconds`` of work started at ``moment`` (counted in working time only)."""
    if is_always(calendar):
        return moment + dt.timedelta(seconds=seconds)
    zone = ZoneInfo(calendar.timezone)
    remaining = seconds
    current = next_working(calendar, moment)
    while current is not None:
        window = _window(calendar, current.astimezone(zone).date(), zone)
        if window is None:  # pragma: no cover - next_working returns working instants only
            return None
        available = (window[1] - current).total_seconds()
        if remaining <= available:
            return current + dt.timedelta(seconds=remaining)
        remaining -= available
        current = next_working(calendar, window[1])
    return None


def working_seconds(calendar: BusinessCalendar, start: dt.datetime, end: dt.datetime) -> float:
    """Working seconds in ``[start, end)``."""
    if end <= start:
        return 0.0
    if is_always(calendar):
        return (end - start).total_seconds()
    zone = ZoneInfo(calendar.timezone)
    total = 0.0
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    while day <= last:
        window = _window(calendar, day, zone)
        if window is not None:
            low, high = max(start, window[0]), min(end, window[1])
            if high > low:
                total += (high - low).total_seconds()
        day += dt.timedelta(days=1)
    return total
