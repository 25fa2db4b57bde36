"""When timers fall due, on the engine's clock. Parsing is civicflow.bpmn.timers' (one parser).

A timer's ``interval`` (kept in ``TimerScheduled``) says how a cycle goes on after each firing:
an ISO 8601 duration (``PT10M``), a duration with the cycle's end (``PT1H/2026-01-06T00:00:00+00:00``),
or a cron expression (it contains spaces). Durations with years or months move by calendar
months (day clipped to the month's end); weeks, days, hours, minutes and seconds are exact. Times
without an offset or zone are read in the clock's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from civicflow.bpmn.errors import TimerFormatError
from civicflow.bpmn.timers import next_cron, parse_cycle, parse_date_time, parse_duration
from civicflow.engine.errors import ExpressionError

__all__ = ["TimerValue", "add_iso_duration", "iso_duration_delta", "next_due", "parse_instant", "parse_timer"]


@dataclass(frozen=True, slots=True)
class TimerValue:
    """When a timer fires first, and for a cycle how it goes on after that."""

    due: datetime
    repetitions: int | None  # remaining after the first; None = unbounded; 0 = fires once
    interval: str | None


def parse_instant(text: str, now: datetime) -> datetime:
    """An ISO 8601 date-time; without an offset or zone it is read in ``now``'s zone."""
    try:
        moment = parse_date_time(text)
    except TimerFormatError as exc:
        raise ExpressionError(str(exc)) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=now.tzinfo)


def add_iso_duration(moment: datetime, text: str) -> datetime:
    """``moment`` plus an ISO 8601 duration."""
    try:
        return parse_duration(text).add_to(moment)
    except TimerFormatError as exc:
        raise ExpressionError(str(exc)) from None


def iso_duration_delta(text: str) -> timedelta:
    """The exact length of a duration without years or months (a message time to live)."""
    try:
        return parse_duration(text).exact
    except TimerFormatError as exc:
        raise ExpressionError(str(exc)) from None


def _exact_text(delta: timedelta) -> str:
    return f"PT{int(delta.total_seconds())}S"


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
        return TimerValue(parse_instant(text, now), 0, None)
    if kind == "duration" or text.startswith("P"):
        return TimerValue(add_iso_duration(now, text), 0, None)
    try:
        cycle = parse_cycle(text)
        if cycle.cron is not None:
            return TimerValue(next_cron(cycle.cron, now), None, cycle.cron)
    except TimerFormatError as exc:
        raise ExpressionError(str(exc)) from None
    if cycle.repetitions is not None and cycle.repetitions < 1:
        raise ExpressionError(f"a timer cycle needs at least one repetition: {text!r}")
    left = None if cycle.repetitions is None else cycle.repetitions - 1
    parts = text.split("/")
    if cycle.start is not None:
        start = parse_instant(parts[1], now)
        step = parts[2] if cycle.interval is not None else _exact_text(parse_instant(parts[2], now) - start)
        return TimerValue(start, left, step)
    assert cycle.interval is not None  # parse_cycle gives a start, an interval or a cron # nosec B101
    due = add_iso_duration(now, parts[1])
    if cycle.end is None:
        return TimerValue(due, left, parts[1])
    end = parse_instant(parts[2], now)
    if due > end:
        raise ExpressionError(f"the timer cycle {text!r} ends before it first fires")
    return TimerValue(due, left, f"{parts[1]}/{end.isoformat()}")


def next_due(interval: str, previous: datetime) -> datetime | None:
    """When a cycle fires next after firing at ``previous``; None when its end has passed."""
    try:
        if " " in interval:
            return next_cron(interval, previous)
    except TimerFormatError as exc:
        raise ExpressionError(str(exc)) from None
    step, _, end_text = interval.partition("/")
    due = add_iso_duration(previous, step)
    if end_text and due > parse_instant(end_text, previous):
        return None
    return due
