"""ISO 8601 timer values: dates (timeDate), durations (timeDuration) and cycles (timeCycle).

Pure functions over text; the engine adds durations to its clock's time. Cycles are
repeating intervals (``R3/PT10M``, ``R/2026-01-05T09:00:00+01:00/P1D``) or cron
expressions (5 or 6 fields, as Camunda 7/8 accept).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from civicflow.bpmn.errors import TimerFormatError

__all__ = [
    "IsoDuration",
    "TimerCycle",
    "is_cron",
    "next_cron",
    "parse_cycle",
    "parse_date_time",
    "parse_duration",
]

_NUM = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(
    rf"^(?P<sign>-)?P(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?(?:T(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?$"
)
_DATE_TIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<time>\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)"
    r"(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?)?"
    r"(?:\[(?P<zone>[A-Za-z0-9_+\-/]+)\])?$"
)
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?/,#LW-]+$")


@dataclass(frozen=True, slots=True, kw_only=True)
class IsoDuration:
    """A duration with calendar parts (years, months) kept apart from exact time."""

    years: Decimal = Decimal(0)
    months: Decimal = Decimal(0)
    weeks: Decimal = Decimal(0)
    days: Decimal = Decimal(0)
    hours: Decimal = Decimal(0)
    minutes: Decimal = Decimal(0)
    seconds: Decimal = Decimal(0)
    negative: bool = False

    @property
    def exact(self) -> timedelta:
        """The weeks/days/hours/minutes/seconds part (days as 24 hours)."""
        total = (self.weeks * 7 + self.days) * 86400 + self.hours * 3600 + self.minutes * 60 + self.seconds
        try:
            delta = timedelta(seconds=float(total))
        except OverflowError:
            raise TimerFormatError("duration out of range", text=repr(self)) from None
        return -delta if self.negative else delta

    def add_to(self, moment: datetime) -> datetime:
        """``moment`` plus this duration: months by the calendar (clamped), then exact time."""
        total_months = self.years * 12 + self.months
        if total_months != total_months.to_integral_value():
            raise TimerFormatError("fractional years or months cannot be added to a date", text=str(self))
        months = int(total_months) * (-1 if self.negative else 1)
        if months:
            index = moment.year * 12 + moment.month - 1 + months
            year, month = divmod(index, 12)
            day = min(moment.day, calendar.monthrange(year, month + 1)[1])
            moment = moment.replace(year=year, month=month + 1, day=day)
        return moment + self.exact


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerCycle:
    """A repeating interval or a cron expression. ``repetitions`` None means unbounded."""

    repetitions: int | None = None
    start: datetime | None = None
    interval: IsoDuration | None = None
    end: datetime | None = None
    cron: str | None = None


def _decimal(text: str | None) -> Decimal:
    return Decimal(0) if text is None else Decimal(text.replace(",", "."))


def parse_duration(text: str) -> IsoDuration:
    """``P1Y2M3DT4H5M6.5S``, ``PT15M``, ``P2W`` ..."""
    value = text.strip()
    match = _DURATION.match(value)
    if match is None or value.rstrip("T").endswith("P") or value.endswith("T"):
        raise TimerFormatError("not an ISO 8601 duration", text=text)
    parts = [_decimal(g) for g in match.groups()[1:]]
    return IsoDuration(
        years=parts[0],
        months=parts[1],
        weeks=parts[2],
        days=parts[3],
        hours=parts[4],
        minutes=parts[5],
        seconds=parts[6],
        negative=match.group("sign") is not None,
    )


def parse_date_time(text: str) -> datetime:
    """``2026-01-05T09:00:00+01:00``, ``...Z``, ``...[Europe/Brussels]``; naive without an offset."""
    value = text.strip()
    match = _DATE_TIME.match(value)
    if match is None:
        raise TimerFormatError("not an ISO 8601 date-time", text=text)
    time_part = (match.group("time") or "00:00").replace(",", ".")
    if time_part.count(":") == 1:
        time_part += ":00"
    whole, _, fraction = time_part.partition(".")
    try:
        moment = datetime.fromisoformat(f"{match.group('date')}T{whole}")
    except ValueError:
        raise TimerFormatError("not a valid calendar date-time", text=text) from None
    if fraction:
        moment = moment.replace(microsecond=int(Decimal("0." + fraction) * 1_000_000))
    offset, zone = match.group("offset"), match.group("zone")
    if zone is not None:
        try:
            moment = moment.replace(tzinfo=ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise TimerFormatError(f"unknown time zone {zone!r}", text=text) from None
    elif offset is not None:
        moment = moment.replace(tzinfo=_offset(offset, text))
    return moment


def _offset(text: str, whole: str) -> timezone:
    if text == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise TimerFormatError("offset out of range", text=whole)
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)


def parse_cycle(text: str) -> TimerCycle:
    """``R/PT1H``, ``R3/PT10M``, ``R3/2026-01-05T09:00:00Z/P1D``, ``R/P1D/2026-12-31T00:00:00Z``, or cron."""
    value = text.strip()
    if not value.startswith("R"):
        return _cron(value, text)
    parts = value.split("/")
    count_text = parts[0][1:]
    if count_text and not count_text.isdigit():
        raise TimerFormatError("repetition count must be a whole number", text=text)
    repetitions = int(count_text) if count_text else None
    try:
        if len(parts) == 2:
            return TimerCycle(repetitions=repetitions, interval=parse_duration(parts[1]))
        if len(parts) == 3 and parts[1].lstrip("-").startswith("P"):
            return TimerCycle(repetitions=repetitions, interval=parse_duration(parts[1]), end=parse_date_time(parts[2]))
        if len(parts) == 3:
            start = parse_date_time(parts[1])
            if parts[2].startswith("P"):
                return TimerCycle(repetitions=repetitions, start=start, interval=parse_duration(parts[2]))
            return TimerCycle(repetitions=repetitions, start=start, end=parse_date_time(parts[2]))
    except TimerFormatError as exc:
        raise TimerFormatError(f"not an ISO 8601 repeating interval ({exc.args[0]})", text=text) from None
    raise TimerFormatError("not an ISO 8601 repeating interval", text=text)


# Macros as Spring and Zeebe accept them, expanded to 6-field cron (with seconds).
_MACROS = {
    "@yearly": "0 0 0 1 1 *",
    "@annually": "0 0 0 1 1 *",
    "@monthly": "0 0 0 1 * *",
    "@weekly": "0 0 0 * * 0",
    "@daily": "0 0 0 * * *",
    "@midnight": "0 0 0 * * *",
    "@hourly": "0 0 * * * *",
}


def is_cron(text: str) -> bool:
    """True for text shaped like cron (a macro, or 5 to 7 fields), not an ISO 8601 cycle."""
    value = text.strip()
    return value.lower() in _MACROS or (not value.upper().startswith(("R", "P")) and 5 <= len(value.split()) <= 7)


def _cron(value: str, text: str) -> TimerCycle:
    value = _MACROS.get(value.lower(), value)
    fields = value.split()
    if len(fields) not in (5, 6, 7) or not all(_CRON_FIELD.match(f) for f in fields):
        raise TimerFormatError("neither an ISO 8601 repeating interval nor a cron expression", text=text)
    return TimerCycle(cron=value)


# cron ------------------------------------------------------------------------------------------
# Fields: [seconds] minutes hours day-of-month month day-of-week [year] (5 fields: no seconds,
# as Camunda 7/Unix; 6: Spring/Zeebe; 7: Quartz with a year). Day of week 0-7 with 0 and 7 Sunday
# (Unix and Spring), or names MON-SUN. When both day fields are restricted, either may match
# (Unix); "?" leaves one open. The Quartz specials L, W and # are refused.
_MONTHS = {
    name: i
    for i, name in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)
}
_DAYS = {name: i for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
_SEARCH_DAYS = 366 * 8  # far enough for any satisfiable expression (29 February included)


def _cron_field(text: str, low: int, high: int, names: dict[str, int], whole: str) -> frozenset[int] | None:
    """The values a field allows; None for ``*`` or ``?`` (anything)."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for item in text.upper().split(","):
        body, _, step_text = item.partition("/")
        step = int(step_text) if step_text.isdigit() else 1
        if (step_text and not step_text.isdigit()) or step < 1:
            raise TimerFormatError("bad cron step", text=whole)
        if body == "*":
            first, last = low, high
        else:
            start, dash, end = body.partition("-")
            try:
                first = names[start] if start in names else int(start)
                last = (names[end] if end in names else int(end)) if dash else (high if step_text else first)
            except ValueError:
                raise TimerFormatError(f"unsupported cron field {text!r}", text=whole) from None
        if not (low <= first <= high and low <= last <= high and first <= last):
            raise TimerFormatError(f"cron field {text!r} out of range", text=whole)
        values.update(range(first, last + 1, step))
    return frozenset(values)


@dataclass(frozen=True, slots=True)
class _Cron:
    seconds: frozenset[int] | None
    minutes: frozenset[int] | None
    hours: frozenset[int] | None
    days: frozenset[int] | None
    months: frozenset[int] | None
    weekdays: frozenset[int] | None
    years: frozenset[int] | None


def _parse_cron(expression: str) -> _Cron:
    fields = _MACROS.get(expression.strip().lower(), expression).split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) == 6:
        fields.append("*")
    if len(fields) != 7:
        raise TimerFormatError("a cron expression has 5, 6 or 7 fields", text=expression)
    sec, minute, hour, day, month, weekday, year = fields
    days = _cron_field(day, 1, 31, {}, expression)
    weekdays = _cron_field(weekday, 0, 7, _DAYS, expression)
    if weekdays is not None and 7 in weekdays:
        weekdays = weekdays | {0}
    return _Cron(
        seconds=_cron_field(sec, 0, 59, {}, expression),
        minutes=_cron_field(minute, 0, 59, {}, expression),
        hours=_cron_field(hour, 0, 23, {}, expression),
        days=days,
        months=_cron_field(month, 1, 12, _MONTHS, expression),
        weekdays=weekdays,
        years=_cron_field(year, 1970, 2199, {}, expression),
    )


def _day_matches(cron: _Cron, day: datetime) -> bool:
    if cron.months is not None and day.month not in cron.months:
        return False
    if cron.years is not None and day.year not in cron.years:
        return False
    by_date = cron.days is None or day.day in cron.days
    by_weekday = cron.weekdays is None or (day.isoweekday() % 7) in cron.weekdays
    if cron.days is not None and cron.weekdays is not None:
        return by_date or by_weekday
    return by_date and by_weekday


def next_cron(expression: str, after: datetime) -> datetime:
    """The first instant strictly after ``after`` that the cron expression allows, in ``after``'s zone."""
    cron = _parse_cron(expression)
    seconds = sorted(cron.seconds) if cron.seconds is not None else list(range(60))
    minutes = sorted(cron.minutes) if cron.minutes is not None else list(range(60))
    hours = sorted(cron.hours) if cron.hours is not None else list(range(24))
    day = after.replace(hour=0, minute=0, second=0, microsecond=0)
    for _ in range(_SEARCH_DAYS):
        if _day_matches(cron, day):
            for hour in hours:
                for minute in minutes:
                    for second in seconds:
                        candidate = day.replace(hour=hour, minute=minute, second=second)
                        if candidate > after:
                            return candidate
        day = (day + timedelta(days=1)).replace(hour=0, minute=0, second=0)
    raise TimerFormatError("the cron expression never fires", text=expression)
