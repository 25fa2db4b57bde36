"""A case as the prediction core sees it: when it started, what happened when, and what it declared.

An adapter (``civicflow.runtime.prediction``) builds these from the engine's history. Steps are
lifecycle transitions of activities (tasks, waits, events); ``attributes`` are the case's declared,
non-personal start fields (a building type, a floor area), never names or contact details.
"""

from __future__ import annotations

import datetime as dt
import enum
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["CaseTrace", "OpenCases", "Step", "Transition", "department_spans"]

Attribute = str | float | int | bool | None


class Transition(enum.StrEnum):
    START = "start"
    COMPLETE = "complete"
    ABORT = "abort"


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One lifecycle transition of an activity (an element instance ``key``) at ``at``."""

    at: dt.datetime
    element: str
    key: int
    transition: Transition


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseTrace:
    """One case: ``ended`` is None while it runs; ``steps`` in the order they happened."""

    case_id: str
    service: str
    started: dt.datetime
    ended: dt.datetime | None
    steps: tuple[Step, ...]
    attributes: Mapping[str, Attribute] = field(default_factory=dict)

    @property
    def duration(self) -> dt.timedelta | None:
        return None if self.ended is None else self.ended - self.started


# per key: sorted start times, sorted end times
_Index = tuple[dict[str, list[dt.datetime]], dict[str, list[dt.datetime]]]


def _index(spans: Iterable[tuple[str, dt.datetime, dt.datetime | None]]) -> _Index:
    starts: dict[str, list[dt.datetime]] = {}
    ends: dict[str, list[dt.datetime]] = {}
    for key, started, ended in spans:
        starts.setdefault(key, []).append(started)
        if ended is not None:
            ends.setdefault(key, []).append(ended)
    for values in (*starts.values(), *ends.values()):
        values.sort()
    return starts, ends


def _open(index: _Index, key: str, moment: dt.datetime) -> int:
    starts, ends = index
    return max(0, bisect_right(starts.get(key, []), moment) - bisect_right(ends.get(key, []), moment))


def department_spans(
    traces: Iterable[CaseTrace], departments: Mapping[str, str]
) -> Iterable[tuple[str, dt.datetime, dt.datetime | None]]:
    """(department, opened, closed) of every activity of a department in ``traces``: its open work.

    An activity still open when its case's trace ends closes with the case (None while it runs).
    """
    for trace in traces:
        opened: dict[int, tuple[str, dt.datetime]] = {}
        for step in trace.steps:
            department = departments.get(step.element)
            if department is None:
                continue
            if step.transition is Transition.START:
                opened[step.key] = (department, step.at)
            elif step.key in opened:
                name, at = opened.pop(step.key)
                yield name, at, step.at
        for name, at in opened.values():
            yield name, at, trace.ended


@dataclass(frozen=True, slots=True)
class OpenCases:
    """How much was open at a moment: the workload in progress.

    Cases per service, built from every case's (started, ended) span, finished or not, of the
    services concerned; and, when ``work`` spans are given (:func:`department_spans`), the
    activities open per department: the department's queue.
    """

    cases: _Index
    work: _Index = field(default_factory=lambda: ({}, {}))

    @classmethod
    def of(
        cls,
        spans: Iterable[tuple[str, dt.datetime, dt.datetime | None]],
        *,
        work: Iterable[tuple[str, dt.datetime, dt.datetime | None]] = (),
    ) -> OpenCases:
        return cls(_index(spans), _index(work))

    def at(self, service: str, moment: dt.datetime) -> int:
        """Cases of ``service`` started at or before ``moment`` and not ended by then."""
        return _open(self.cases, service, moment)

    def queue(self, department: str, moment: dt.datetime) -> int:
        """Activities of ``department`` open at ``moment`` (0 when no ``work`` spans were given)."""
        return _open(self.work, department, moment)
