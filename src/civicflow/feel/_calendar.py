"""Proleptic Gregorian calendar arithmetic for any integer year, and IANA zone offsets.

Python's ``datetime`` stops at years 1..9999; FEEL dates reach -999999999..999999999, so day numbers
are computed here with integer arithmetic (year 0 exists, as in ISO 8601).
"""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "civil_from_days",
    "days_from_civil",
    "days_in_month",
    "is_leap",
    "valid_zone",
    "zone_offset",
]

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2 and is_leap(year):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 (negative before it)."""
    # Shift the year to start in March so that the leap day is the last day of the year.
    y = year - 1 if month <= 2 else year
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """Inverse of :func:`days_from_civil`."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    return year, month, day


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def valid_zone(name: str) -> bool:
    """True when ``name`` is a known IANA time zone."""
    return _zone(name) is not None


def zone_offset(name: str, year: int, month: int, day: int, *, hour: int, minute: int, second: int) -> int:
    """UTC offset in seconds of the IANA zone at that local wall-clock time.

    Years outside 1..9999 use the rules of the nearest representable year (the tz database has no
    history there anyway).
    """
    zone = _zone(name)
    if zone is None:
        return 0
    clamped = min(max(year, 1), 9999)
    day = min(day, days_in_month(clamped, month))
    hour = min(hour, 23)
    local = _dt.datetime(clamped, month, day, hour, minute, min(second, 59), tzinfo=zone)
    offset = local.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0
