"""Reporting periods: day, ISO week, month, quarter, year; half-open ``[start, end)`` in UTC."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from civicflow.kpi._errors import KpiError

__all__ = ["Clock", "Period", "PeriodKind"]

_LABEL = re.compile(
    r"(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|W(?P<week>\d{2})|(?P<month>\d{2})(?:-(?P<day>\d{2}))?))?"
)


class Clock(Protocol):
    """The time source of a report: the core never reads the wall clock itself."""

    def now(self) -> dt.datetime: ...


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _month_start(year: int, month: int) -> dt.date:
    # months past December roll into the next year (end of December, of Q4)
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """One reporting period; ``label`` is how it is written (``2026``, ``2026-Q3``, ``2026-W48``...)."""

    kind: PeriodKind
    label: str
    start: dt.datetime
    end: dt.datetime

    def __contains__(self, instant: object) -> bool:
        return isinstance(instant, dt.datetime) and self.start <= instant < self.end

    @classmethod
    def of(cls, kind: PeriodKind, day: dt.date) -> Period:
        """The period of ``kind`` holding the date ``day``."""
        if kind is PeriodKind.DAY:
            first, last = day, day + dt.timedelta(days=1)
            label = day.isoformat()
        elif kind is PeriodKind.WEEK:
            first = day - dt.timedelta(days=day.weekday())
            last = first + dt.timedelta(days=7)
            iso = first.isocalendar()
            label = f"{iso.year}-W{iso.week:02d}"
        elif kind is PeriodKind.MONTH:
            first, last = _month_start(day.year, day.month), _month_start(day.year, day.month + 1)
            label = f"{day.year}-{day.month:02d}"
        elif kind is PeriodKind.QUARTER:
            quarter = (day.month - 1) // 3 + 1
            first = _month_start(day.year, 3 * quarter - 2)
            last = _month_start(day.year, 3 * quarter + 1)
            label = f"{day.year}-Q{quarter}"
        else:
            first, last = dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1)
            label = str(day.year)
        return cls(kind=kind, label=label, start=_midnight(first), end=_midnight(last))

    @classmethod
    def parse(cls, text: str, *, clock: Clock) -> Period:
        """A label (``2026``, ``2026-Q3``, ``2026-11``, ``2026-W48``, ``2026-11-30``) or a kind
        (``day``, ``week``, ``month``, ``quarter``, ``year``: the one holding the clock's now)."""
        value = text.strip()
        if value.lower() in PeriodKind.__members__.values():
            return cls.of(PeriodKind(value.lower()), clock.now().astimezone(dt.UTC).date())
        match = _LABEL.fullmatch(value)
        if match is None:
            raise KpiError(
                f"bad period {text!r}: expected day, week, month, quarter, year, "
                "or a label such as 2026, 2026-Q3, 2026-11, 2026-W48, 2026-11-30"
            )
        year = int(match["year"])
        try:
            if match["quarter"]:
                return cls.of(PeriodKind.QUARTER, dt.date(year, 3 * int(match["quarter"]) - 2, 1))
            if match["week"]:
                return cls.of(PeriodKind.WEEK, dt.date.fromisocalendar(year, int(match["week"]), 1))
            if match["day"]:
                return cls.of(PeriodKind.DAY, dt.date(year, int(match["month"]), int(match["day"])))
            if match["month"]:
                return cls.of(PeriodKind.MONTH, dt.date(year, int(match["month"]), 1))
            return cls.of(PeriodKind.YEAR, dt.date(year, 1, 1))
        except ValueError as exc:
            raise KpiError(f"bad period {text!r}: {exc}") from exc
