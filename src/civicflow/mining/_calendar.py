"""Business calendars: durations counted in working time only.

A duration in working time is ``W(end) - W(start)`` where ``W(t)`` is the number of working
seconds between an origin and ``t``. ``W`` is evaluated for whole columns at once: a table with
one row per calendar date (working seconds of that day and of all days before it) is joined on
the local date, and the part of the day up to ``t`` is clipped to the working window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

__all__ = ["BusinessCalendar"]

_MONDAY_TO_FRIDAY = frozenset({0, 1, 2, 3, 4})


def _seconds_of(value: dt.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessCalendar:
    """Working days (0 = Monday), a daily working window in local time, and holidays.

    Timestamps are converted to ``timezone`` before dates and times of day are taken.
    """

    working_days: frozenset[int] = _MONDAY_TO_FRIDAY
    day_start: dt.time = dt.time(9, 0)
    day_end: dt.time = dt.time(17, 0)
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if not self.working_days <= set(range(7)):
            raise ValueError("working_days are weekday numbers 0 (Monday) to 6 (Sunday)")
        if self.day_end <= self.day_start:
            raise ValueError("day_end must be after day_start")

    @classmethod
    def of(
        cls,
        *,
        working_days: Iterable[int] = _MONDAY_TO_FRIDAY,
        hours: tuple[dt.time, dt.time] = (dt.time(9, 0), dt.time(17, 0)),
        holidays: Iterable[dt.date] = (),
        timezone: str = "UTC",
    ) -> BusinessCalendar:
        """Build a calendar from plain iterables."""
        return cls(
            working_days=frozenset(working_days),
            day_start=hours[0],
            day_end=hours[1],
            holidays=frozenset(holidays),
            timezone=timezone,
        )

    def _day_table(self, first: dt.date, last: dt.date) -> pl.DataFrame:
        day_seconds = _seconds_of(self.day_end) - _seconds_of(self.day_start)
        days = pl.date_range(first, last, "1d", eager=True).alias("_date").to_frame()
        working = (pl.col("_date").dt.weekday() - 1).is_in(sorted(self.working_days)) & ~pl.col("_date").is_in(
            sorted(self.holidays)
        )
        return (
            days.with_columns(working.alias("_working"))
            .with_columns(
                (pl.col("_working").cast(pl.Int64) * day_seconds).cum_sum().alias("_through"),
            )
            .with_columns((pl.col("_through") - pl.col("_working").cast(pl.Int64) * day_seconds).alias("_before"))
        )

    def _cumulative(self, frame: pl.DataFrame, column: str, table: pl.DataFrame) -> pl.Series:
        local = pl.col(column).dt.convert_time_zone(self.timezone)
        start, end = _seconds_of(self.day_start), _seconds_of(self.day_end)
        of_day = (
            local.dt.hour().cast(pl.Int64) * 3600
            + local.dt.minute().cast(pl.Int64) * 60
            + local.dt.second().cast(pl.Int64)
            + local.dt.microsecond().cast(pl.Int64) / 1_000_000
        )
        keyed = frame.select(local.dt.date().alias("_date"), of_day.alias("_of_day"))
        joined = keyed.join(table, on="_date", how="left", maintain_order="left")
        within = (pl.col("_of_day").clip(start, end) - start) * pl.col("_working").cast(pl.Int64)
        return joined.select((pl.col("_before") + within).alias(column)).to_series()

    def working_seconds(self, frame: pl.DataFrame, start: str, end: str) -> pl.Series:
        """Working seconds from column ``start`` to column ``end`` (timezone-aware datetimes)."""
        if frame.height == 0:
            return pl.Series("working_seconds", [], dtype=pl.Float64)
        local = frame.select(
            pl.col(start).dt.convert_time_zone(self.timezone).dt.date().alias("a"),
            pl.col(end).dt.convert_time_zone(self.timezone).dt.date().alias("b"),
        )
        bounds = local.select(
            pl.min_horizontal(pl.col("a").min(), pl.col("b").min()).alias("lo"),
            pl.max_horizontal(pl.col("a").max(), pl.col("b").max()).alias("hi"),
        ).row(0)
        if bounds[0] is None:
            return pl.Series("working_seconds", [None] * frame.height, dtype=pl.Float64)
        table = self._day_table(bounds[0], bounds[1])
        until_end = self._cumulative(frame, end, table)
        until_start = self._cumulative(frame, start, table)
        return (until_end - until_start).cast(pl.Float64).alias("working_seconds")

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time between two aware datetimes."""
        frame = pl.DataFrame({"s": [start], "e": [end]}).with_columns(pl.all().dt.convert_time_zone("UTC"))
        return dt.timedelta(seconds=float(self.working_seconds(frame, "s", "e")[0]))
