"""Cron expressions for timer cycles: the next instant after a given one.

Camunda 7 (Quartz) and Zeebe (Spring) accept cron text in ``timeCycle``; ``civicflow.bpmn.timers``
recognizes it but computes no instants, and the engine's timers know only ISO 8601 cycles, so the
runtime computes cron instants for timer start events itself.

Fields: ``second minute hour day-of-month month day-of-week`` (6, Spring/Zeebe), the Unix 5
(seconds 0), or Quartz's 7 (a trailing year). Each field takes ``*``, ``?``, numbers, ``a-b``
ranges, ``/step``, comma lists, and month / weekday names (``JAN``, ``MON-FRI``; Sunday is 0 or
7). When both day fields are restricted both must hold (as Spring does). ``@yearly``,
``@monthly``, ``@weekly``, ``@daily``, ``@hourly`` are shorthands. ``L``, ``W`` and ``#`` are
refused with a clear error rather than misread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["CronError", "CronExpression", "is_cron", "parse_cron"]

_MACROS = {
    "@yearly": "0 0 0 1 1 *",
    "@annually": "0 0 0 1 1 *",
    "@monthly": "0 0 0 1 * *",
    "@weekly": "0 0 0 * * 0",
    "@daily": "0 0 0 * * *",
    "@midnight": "0 0 0 * * *",
    "@hourly": "0 0 * * * *",
}
_MONTHS = {
    m: i
    for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)
}
_DAYS = {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
# Never search further than this: "0 0 0 30 2 *" (30 February) would otherwise loop for ever.
_HORIZON_DAYS = 366 * 5


class CronError(ValueError):
    """The text is not a cron expression this runtime can schedule."""


@dataclass(frozen=True, slots=True)
class CronExpression:
    """Allowed values per field; :meth:`next_after` finds the next matching second."""

    text: str
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int] | None  # None: any day of the month
    months: frozenset[int]
    weekdays: frozenset[int] | None  # 0 = Sunday; None: any weekday
    years: frozenset[int] | None = None

    def matches_day(self, moment: datetime) -> bool:
        if self.days is not None and moment.day not in self.days:
            return False
        if self.weekdays is not None and (moment.isoweekday() % 7) not in self.weekdays:
            return False
        return moment.month in self.months and (self.years is None or moment.year in self.years)

    def next_after(self, moment: datetime) -> datetime | None:
        """The first matching instant strictly after ``moment`` (same time zone), or None."""
        candidate = moment.replace(microsecond=0) + timedelta(seconds=1)
        day = candidate.replace(hour=0, minute=0, second=0)
        for _ in range(_HORIZON_DAYS):
            if self.matches_day(day):
                found = self._in_day(day, candidate if day.date() == candidate.date() else day)
                if found is not None:
                    return found
            day = day + timedelta(days=1)
        return None

    def _in_day(self, day: datetime, earliest: datetime) -> datetime | None:
        for hour in sorted(self.hours):
            for minute in sorted(self.minutes):
                for second in sorted(self.seconds):
                    at = day.replace(hour=hour, minute=minute, second=second)
                    if at >= earliest:
                        return at
        return None


def is_cron(text: str) -> bool:
    """True for text shaped like cron (a macro, or 5 to 7 fields), not an ISO 8601 cycle."""
    value = text.strip()
    return value.lower() in _MACROS or (not value.upper().startswith(("R", "P")) and 5 <= len(value.split()) <= 7)


def _value(token: str, names: dict[str, int], low: int, high: int, text: str) -> int:
    upper = token.upper()
    if upper in names:
        return names[upper]
    if not token.isdigit():  # also L, W and # (last day, weekday, nth weekday): not supported
        raise CronError(f"cron field value {token!r} is not supported in {text!r}")
    number = int(token)
    if not low <= number <= high:
        raise CronError(f"cron value {number} outside {low}-{high} in {text!r}")
    return number


def _field(field: str, low: int, high: int, text: str, names: dict[str, int] | None = None) -> frozenset[int] | None:
    """The allowed values, or None for ``*`` / ``?`` (any)."""
    if field in ("*", "?"):
        return None
    allowed: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise CronError(f"cron step {step_text!r} is not a positive number in {text!r}")
        if span in ("*", "?"):
            first, last = low, high
        elif "-" in span:
            a, b = span.split("-", 1)
            first, last = _value(a, names or {}, low, high, text), _value(b, names or {}, low, high, text)
        else:
            first = _value(span, names or {}, low, high, text)
            last = high if step is not None else first
        if first > last:
            raise CronError(f"cron range {span!r} runs backwards in {text!r}")
        allowed.update(range(first, last + 1, step or 1))
    return frozenset(allowed)


def parse_cron(text: str) -> CronExpression:
    """Parse ``text``; raises :class:`CronError` for anything it cannot schedule exactly."""
    value = _MACROS.get(text.strip().lower(), text.strip())
    fields = value.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) not in (6, 7):
        raise CronError(f"a cron expression has 5, 6 or 7 fields: {text!r}")
    every = frozenset
    weekdays = _field(fields[5], 0, 7, text, _DAYS)
    if weekdays is not None and 7 in weekdays:
        weekdays = (weekdays - {7}) | {0}
    return CronExpression(
        text=text.strip(),
        seconds=_field(fields[0], 0, 59, text) or every(range(60)),
        minutes=_field(fields[1], 0, 59, text) or every(range(60)),
        hours=_field(fields[2], 0, 23, text) or every(range(24)),
        days=_field(fields[3], 1, 31, text),
        months=_field(fields[4], 1, 12, text, _MONTHS) or every(range(1, 13)),
        weekdays=weekdays,
        years=_field(fields[6], 1970, 2199, text) if len(fields) == 7 else None,
    )
