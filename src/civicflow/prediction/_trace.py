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

__all__ = ["CaseTrace", "OpenCases", "Step", "Transition"]

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


@dataclass(frozen=True, slots=True)
class OpenCases:
    """How many cases were open at a moment: the workload in progress.

    Built from every case's (started, ended) span, finished or not, of the services concerned.
    """

    starts: dict[str, list[dt.datetime]]
    ends: dict[str, list[dt.datetime]]

    @classmethod
    def of(cls, spans: Iterable[tuple[str, dt.datetime, dt.datetime | None]]) -> OpenCases:
        starts: dict[str, list[dt.datetime]] = {}
        ends: dict[str, list[dt.datetime]] = {}
        for service, started, ended in spans:
            starts.setdefault(service, []).append(started)
            if ended is not None:
                ends.setdefault(service, []).append(ended)
        for values in (*starts.values(), *ends.values()):
            values.sort()
        return cls(starts, ends)

    def at(self, service: str, moment: dt.datetime) -> int:
        """Cases of ``service`` started at or before ``moment`` and not ended by then."""
        started = bisect_right(self.starts.get(service, []), moment)
        ended = bisect_right(self.ends.get(service, []), moment)
        return max(0, started - ended)
