"""ISO 8601 timer values: dates, durations and repeating intervals (BPMN timer definitions).

``R3/PT10M`` repeats three times every ten minutes, ``R/P1D`` forever, ``R2/2026-01-05T09:00Z/P1D``
starts at an instant. Durations with years or months move by calendar months (day clipped to
the month's end); weeks, days, hours, minutes and seconds are exact.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from civicflow.engine.errors import ExpressionError

__all__ = ["IsoDuration", "TimerValue", "add_duration", "parse_date", "parse_duration", "parse_timer"]

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<y>\d+(?:[.,]\d+)?)Y)?(?:(?P<mo>\d+(?:[.,]\d+)?)M)?(?:(?P<w>\d+(?:[.,]\d+)?)W)?"
    r"(?:(?P<d>\d+(?:[.,]\d+)?)D)?(?:T(?:(?P<h>\d+(?:[.,]\d+)?)H)?(?:(?P<mi>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?$"
)


@dataclass(frozen=True, slots=True)
class IsoDuration:
    """A duration: calendar months plus an exact time span."""

    months: int
    delta: timedelta
    text: str


@dataclass(frozen=True, slots=True)
class TimerValue:
    """When a timer fires first, and for a cycle how often it repeats after that."""

    due: datetime
    repetitions: int | None  # remaining after the first; None = forever; 0 = fires once
    interval: str | None


def parse_duration(text: str) -> IsoDuration:
    m = _DURATION.match(text.strip().upper())
    if m is None or text.strip().upper() in ("P", "PT") or text.strip().upper().endswith("T"):
        raise ExpressionError(f"not an ISO 8601 duration: {text!r}")
    g = {k: float(v.replace(",", ".")) if v else 0.0 for k, v in m.groupdict().items() if k != "sign"}
    sign = -1 if m.group("sign") else 1
    months = int(g["y"] * 12 + g["mo"])
    delta = timedelta(weeks=g["w"], days=g["d"], hours=g["h"], minutes=g["mi"], seconds=g["s"])
    return IsoDuration(months * sign, delta * sign, text.strip())


def add_duration(instant: datetime, duration: IsoDuration) -> datetime:
    if duration.months:
        month_index = instant.year * 12 + instant.month - 1 + duration.months
        year, month = divmod(month_index, 12)
        day = min(instant.day, calendar.monthrange(year, month + 1)[1])
        instant = instant.replace(year=year, month=month + 1, day=day)
    return instant + duration.delta


def parse_date(text: str, now: datetime) -> datetime:
    """An ISO 8601 date-time; without an offset it is read in the clock's zone."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    zone = None
    if value.endswith("]") and "[" in value:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        value, _, name = value[:-1].partition("[")
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ExpressionError(f"unknown time zone {name!r}") from exc
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ExpressionError(f"not an ISO 8601 date-time: {text!r}") from exc
    if zone is not None and instant.tzinfo is None:
        instant = instant.replace(tzinfo=zone)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=now.tzinfo)
    return instant


def parse_timer(kind: str, value: Any, now: datetime) -> TimerValue:
    """The first due instant of a timer of ``kind`` date, duration or cycle."""
    if isinstance(value, datetime):
        return TimerValue(value if value.tzinfo else value.replace(tzinfo=now.tzinfo), 0, None)
    if isinstance(value, timedelta):
        return TimerValue(now + value, 0, None)
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ExpressionError(f"empty timer {kind}")
    if kind == "date":
        return TimerValue(parse_date(text, now), 0, None)
    if kind == "duration":
        return TimerValue(add_duration(now, parse_duration(text)), 0, None)
    parts = text.split("/")
    if not parts[0].upper().startswith("R"):
        if len(parts) == 1 and text.upper().startswith("P"):
            return TimerValue(add_duration(now, parse_duration(text)), 0, None)
        raise ExpressionError(f"not an ISO 8601 repeating interval: {text!r}")
    count_text = parts[0][1:]
    total = int(count_text) if count_text else None
    if total is not None and total < 1:
        raise ExpressionError(f"a timer cycle needs at least one repetition: {text!r}")
    if len(parts) == 2:
        interval = parts[1]
        due = add_duration(now, parse_duration(interval))
    elif len(parts) == 3 and parts[1].upper().startswith("P"):
        interval = parts[1]
        due = parse_date(parts[2], now) - parse_duration(interval).delta
    elif len(parts) == 3:
        interval = parts[2]
        due = parse_date(parts[1], now)
    else:
        raise ExpressionError(f"not an ISO 8601 repeating interval: {text!r}")
    parse_duration(interval)
    return TimerValue(due, None if total is None else total - 1, interval)
