"""FEEL temporal values: date, time, date and time, and the two duration kinds.

Years run from -999999999 to 999999999 (beyond Python's ``datetime``). A time or date and time
carries either nothing (local), a fixed UTC ``offset`` in seconds, or an IANA ``zone``; never both.
Dataclass equality is structural; FEEL equality and ordering live in :mod:`civicflow.feel.operators`.
``str()`` gives the text FEEL's ``string()`` produces.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from civicflow.feel._calendar import civil_from_days, days_from_civil, days_in_month, valid_zone, zone_offset

__all__ = [
    "MAX_YEAR",
    "DaysTimeDuration",
    "FeelDate",
    "FeelDateTime",
    "FeelTime",
    "YearsMonthsDuration",
    "make_date",
    "make_date_time",
    "make_time",
    "parse_at_literal",
    "parse_date",
    "parse_date_time",
    "parse_duration",
    "parse_time",
]

MAX_YEAR = 999_999_999
NANOS_PER_SECOND = 1_000_000_000
SECONDS_PER_DAY = 86_400
NANOS_PER_DAY = SECONDS_PER_DAY * NANOS_PER_SECOND
_MAX_OFFSET = 18 * 3600  # the widest offset ISO 8601 / java.time accept


def _format_year(year: int) -> str:
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


def _format_offset(offset: int) -> str:
    if offset == 0:
        return "Z"
    sign = "-" if offset < 0 else "+"
    hours, rest = divmod(abs(offset), 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    return f"{text}:{seconds:02d}" if seconds else text


def _format_clock(hour: int, minute: int, second: int, nanosecond: int) -> str:
    text = f"{hour:02d}:{minute:02d}:{second:02d}"
    if nanosecond:
        text += "." + f"{nanosecond:09d}".rstrip("0")
    return text


@dataclass(frozen=True, slots=True, order=True)
class FeelDate:
    """A calendar date (proleptic Gregorian, year 0 exists)."""

    year: int
    month: int
    day: int

    def __str__(self) -> str:
        return f"{_format_year(self.year)}-{self.month:02d}-{self.day:02d}"

    def epoch_day(self) -> int:
        """Days since 1970-01-01."""
        return days_from_civil(self.year, self.month, self.day)

    @classmethod
    def from_epoch_day(cls, days: int) -> FeelDate:
        return cls(*civil_from_days(days))

    def weekday(self) -> int:
        """ISO day of week, 1 = Monday .. 7 = Sunday."""
        return (self.epoch_day() + 3) % 7 + 1


@dataclass(frozen=True, slots=True)
class FeelTime:
    """A time of day with an optional UTC offset (seconds) or IANA zone."""

    hour: int
    minute: int
    second: int
    nanosecond: int = 0
    offset: int | None = None
    zone: str | None = None

    def __str__(self) -> str:
        text = _format_clock(self.hour, self.minute, self.second, self.nanosecond)
        if self.zone is not None:
            return f"{text}@{self.zone}"
        if self.offset is not None:
            return text + _format_offset(self.offset)
        return text

    def nanos_of_day(self) -> int:
        return ((self.hour * 60 + self.minute) * 60 + self.second) * NANOS_PER_SECOND + self.nanosecond

    def utc_offset(self) -> int | None:
        """Offset in seconds; a zone is resolved on 1970-01-01; None for a local time."""
        if self.zone is not None:
            return zone_offset(self.zone, 1970, 1, 1, hour=self.hour, minute=self.minute, second=self.second)
        return self.offset

    def with_nanos_of_day(self, nanos: int) -> FeelTime:
        """The same offset/zone at ``nanos`` (taken modulo one day) after midnight."""
        nanos %= NANOS_PER_DAY
        seconds, nanosecond = divmod(nanos, NANOS_PER_SECOND)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        return FeelTime(hour, minute, second, nanosecond, self.offset, self.zone)

    @classmethod
    def from_python(cls, value: _dt.time) -> FeelTime:
        zone, offset = _zone_or_offset(value.tzinfo, value.utcoffset())
        return cls(value.hour, value.minute, value.second, value.microsecond * 1000, offset, zone)


def _zone_or_offset(tz: _dt.tzinfo | None, offset: _dt.timedelta | None) -> tuple[str | None, int | None]:
    """An IANA zone when the tzinfo names one (``ZoneInfo``), else its fixed offset in seconds."""
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        return key, None
    return None, None if offset is None else int(offset.total_seconds())


@dataclass(frozen=True, slots=True)
class FeelDateTime:
    """A date and time of day, local or with a UTC offset (seconds) or IANA zone."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    nanosecond: int = 0
    offset: int | None = None
    zone: str | None = None

    def __str__(self) -> str:
        clock = str(self.time_part())
        return f"{self.date_part()}T{clock}"

    def date_part(self) -> FeelDate:
        return FeelDate(self.year, self.month, self.day)

    def time_part(self) -> FeelTime:
        return FeelTime(self.hour, self.minute, self.second, self.nanosecond, self.offset, self.zone)

    def has_timezone(self) -> bool:
        return self.offset is not None or self.zone is not None

    def local_nanos(self) -> int:
        """Nanoseconds since 1970-01-01T00:00 on the local clock."""
        return days_from_civil(self.year, self.month, self.day) * NANOS_PER_DAY + self.time_part().nanos_of_day()

    def utc_offset(self) -> int | None:
        """Offset in seconds (a zone resolved at this local time); None for a local value."""
        if self.zone is not None:
            return zone_offset(
                self.zone, self.year, self.month, self.day, hour=self.hour, minute=self.minute, second=self.second
            )
        return self.offset

    def epoch_nanos(self) -> int:
        """Nanoseconds since the epoch; a local value is read as if it were UTC."""
        offset = self.utc_offset()
        return self.local_nanos() - (offset or 0) * NANOS_PER_SECOND

    def with_local_nanos(self, nanos: int) -> FeelDateTime | None:
        """The same offset/zone at another local instant; None when the year leaves the FEEL range."""
        days, rest = divmod(nanos, NANOS_PER_DAY)
        year, month, day = civil_from_days(days)
        if abs(year) > MAX_YEAR:
            return None
        clock = self.time_part().with_nanos_of_day(rest)
        return FeelDateTime.combine(FeelDate(year, month, day), clock)

    @classmethod
    def combine(cls, date: FeelDate, time: FeelTime) -> FeelDateTime:
        d, t = date, time
        return cls(d.year, d.month, d.day, t.hour, t.minute, t.second, t.nanosecond, t.offset, t.zone)

    @classmethod
    def from_python(cls, value: _dt.datetime) -> FeelDateTime:
        zone, offset = _zone_or_offset(value.tzinfo, value.utcoffset())
        v = value
        return cls(v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond * 1000, offset, zone)


@dataclass(frozen=True, slots=True, order=True)
class YearsMonthsDuration:
    """A years and months duration, held as a signed number of months."""

    months: int

    def __str__(self) -> str:
        if self.months == 0:
            return "P0M"
        sign = "-" if self.months < 0 else ""
        years, months = divmod(abs(self.months), 12)
        text = (f"{years}Y" if years else "") + (f"{months}M" if months else "")
        return f"{sign}P{text}"


@dataclass(frozen=True, slots=True, order=True)
class DaysTimeDuration:
    """A days and time duration, held as a signed Decimal number of seconds."""

    seconds: Decimal

    def __str__(self) -> str:
        total = self.seconds
        if total == 0:
            return "PT0S"
        sign = "-" if total < 0 else ""
        total = abs(total)
        whole = int(total)
        fraction = total - whole
        days, rest = divmod(whole, SECONDS_PER_DAY)
        hours, rest = divmod(rest, 3600)
        minutes, seconds = divmod(rest, 60)
        text = f"{sign}P" + (f"{days}D" if days else "")
        clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
        if seconds or fraction:
            second_text = f"{Decimal(seconds) + fraction:f}"
            if "." in second_text:
                second_text = second_text.rstrip("0").rstrip(".")
            clock += f"{second_text}S"
        return text + (f"T{clock}" if clock else "")


# ---------------------------------------------------------------------------------------------------
# Construction with validation (None when a field is out of range)


def make_date(year: int, month: int, day: int) -> FeelDate | None:
    if abs(year) > MAX_YEAR or not 1 <= month <= 12 or not 1 <= day <= days_in_month(year, month):
        return None
    return FeelDate(year, month, day)


def make_time(
    hour: int, minute: int, second: int, nanosecond: int = 0, *, offset: int | None = None, zone: str | None = None
) -> FeelTime | None:
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59 and 0 <= nanosecond < NANOS_PER_SECOND):
        return None
    if offset is not None and abs(offset) > _MAX_OFFSET:
        return None
    if zone is not None and not valid_zone(zone):
        return None
    return FeelTime(hour, minute, second, nanosecond, offset, zone)


def make_date_time(date: FeelDate, time: FeelTime) -> FeelDateTime:
    return FeelDateTime.combine(date, time)


# ---------------------------------------------------------------------------------------------------
# Parsing ISO 8601 text as FEEL accepts it

_DATE_RE = re.compile(r"(-?)([0-9]{4,9})-([0-9]{2})-([0-9]{2})")
_TIME_RE = re.compile(
    r"([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?"
    r"(?:(Z)|([+-])([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?|@([A-Za-z0-9_+\-/]+))?"
)
_DURATION_RE = re.compile(
    r"(-)?P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?"
    r"(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\.[0-9]+)?)S)?)?"
)


def parse_date(text: str) -> FeelDate | None:
    """Parse ``YYYY-MM-DD`` (optionally negative, up to 9 year digits, no leading zero beyond 4)."""
    match = _DATE_RE.fullmatch(text)
    if match is None:
        return None
    sign, digits, month, day = match.groups()
    if len(digits) > 4 and digits[0] == "0":
        return None
    year = -int(digits) if sign else int(digits)
    return make_date(year, int(month), int(day))


def _parse_clock(text: str) -> tuple[FeelTime, bool] | None:
    """Parse a time; the flag says the text was ``24:00:00`` (the end of the day)."""
    match = _TIME_RE.fullmatch(text)
    if match is None:
        return None
    hour_s, minute_s, second_s, fraction, zulu, sign, off_h, off_m, off_s, zone = match.groups()
    hour, minute, second = int(hour_s), int(minute_s), int(second_s or 0)
    nanosecond = int((fraction or "0")[:9].ljust(9, "0"))
    end_of_day = hour == 24 and minute == 0 and second == 0 and nanosecond == 0
    if end_of_day:
        hour = 0
    offset: int | None = None
    if zulu:
        offset = 0
    elif sign:
        if int(off_m) > 59 or int(off_s or 0) > 59:
            return None
        offset = int(off_h) * 3600 + int(off_m) * 60 + int(off_s or 0)
        if sign == "-":
            offset = -offset
    parsed = make_time(hour, minute, second, nanosecond, offset=offset, zone=zone)
    return None if parsed is None else (parsed, end_of_day)


def parse_time(text: str) -> FeelTime | None:
    """Parse ``hh:mm:ss[.fffffffff]`` with an optional ``Z``, ``±hh:mm[:ss]`` or ``@Zone/Name``."""
    parsed = _parse_clock(text)
    return None if parsed is None else parsed[0]


def parse_date_time(text: str) -> FeelDateTime | None:
    """Parse ``date T time``; ``T24:00:00`` is midnight of the next day."""
    date_text, sep, time_text = text.partition("T")
    if not sep:
        return None
    date = parse_date(date_text)
    clock = _parse_clock(time_text)
    if date is None or clock is None:
        return None
    value = FeelDateTime.combine(date, clock[0])
    if clock[1]:
        return value.with_local_nanos(value.local_nanos() + NANOS_PER_DAY)
    return value


def parse_duration(text: str) -> YearsMonthsDuration | DaysTimeDuration | None:
    """Parse an ISO 8601 duration into whichever FEEL duration kind its fields belong to."""
    match = _DURATION_RE.fullmatch(text)
    if match is None or text.endswith(("P", "T")):
        return None
    sign, years, months, days, hours, minutes, seconds = match.groups()
    negative = sign is not None
    if (years or months) and not (days or hours or minutes or seconds):
        total_months = int(years or 0) * 12 + int(months or 0)
        return YearsMonthsDuration(-total_months if negative else total_months)
    if years or months:
        return None  # FEEL has no duration mixing both kinds
    total = Decimal(int(days or 0) * SECONDS_PER_DAY + int(hours or 0) * 3600 + int(minutes or 0) * 60)
    total += Decimal(seconds or 0)
    return DaysTimeDuration(-total if negative else total)


def parse_at_literal(text: str) -> Any:
    """Value of an ``@"..."`` literal: a date and time, date, time or duration; None if none fits."""
    if text.startswith(("P", "-P")):
        return parse_duration(text)
    if "T" in text:
        return parse_date_time(text)
    if text.count("-") >= 2 and ":" not in text:
        return parse_date(text)
    return parse_time(text)
