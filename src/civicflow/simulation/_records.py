"""What a simulation run leaves behind: log rows, pool work, cases (seconds since the run's start)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from civicflow.simulation._params import PoolParams

__all__ = ["CaseRecord", "LogRow", "RunRecord", "WorkRecord"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LogRow:
    case: int
    element: str
    name: str
    at: float
    lifecycle: str
    lane: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkRecord:
    """One piece of pool work: when it was ready, taken and finished (None: not by the end)."""

    element: str
    pool: str
    ready: float
    started: float | None
    ended: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseRecord:
    number: int
    arrived: float
    ended: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRecord:
    """What a run produced; :mod:`civicflow.simulation._results` turns it into a log and KPIs."""

    start: datetime
    end: float
    rows: tuple[LogRow, ...]
    cases: tuple[CaseRecord, ...]
    work: tuple[WorkRecord, ...]
    pools: dict[str, PoolParams]
