"""The plain input rows KPIs are computed from: what an adapter reads out of history and the portal.

Timestamps are timezone-aware. A record with ``ended``/``completed`` set to None is still open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CaseOutcome",
    "CaseRecord",
    "Channel",
    "DraftRecord",
    "IncidentRecord",
    "KpiInput",
    "SatisfactionRecord",
    "StageRecord",
    "TaskRecord",
]


class CaseOutcome(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"  # the process reached an end event
    TERMINATED = "terminated"  # cancelled, withdrawn or killed by an operator


class Channel(StrEnum):
    ONLINE = "online"  # submitted through the citizen portal
    OTHER = "other"  # started by staff, the API or a connector (paper, phone, counter, partner system)


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseRecord:
    """One case (process instance) of a service."""

    case_id: str
    service: str
    started: dt.datetime
    ended: dt.datetime | None = None
    outcome: CaseOutcome = CaseOutcome.OPEN
    channel: Channel = Channel.OTHER


@dataclass(frozen=True, slots=True, kw_only=True)
class StageRecord:
    """One activation of a BPMN element in a case: from activation to completion or termination."""

    case_id: str
    element: str
    started: dt.datetime
    ended: dt.datetime | None = None
    terminated: bool = False  # ended by an interrupting event or cancellation, not by finishing


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskRecord:
    """One user task; ``department`` is the lane or first candidate group, ``task_type`` its element."""

    case_id: str
    task_type: str
    department: str
    created: dt.datetime
    completed: dt.datetime | None = None
    canceled: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentRecord:
    case_id: str
    element: str
    raised: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftRecord:
    """A portal draft that was never submitted (submitted drafts become applications and are gone)."""

    service: str
    created: dt.datetime
    expires: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class SatisfactionRecord:
    """One answer to the portal's satisfaction question, ``score`` from 1 (very poor) to 5 (very good)."""

    service: str
    score: int
    answered: dt.datetime
    case_id: str | None = None  # the case answered about, when known (a pilot compares versions by it)


@dataclass(frozen=True, slots=True, kw_only=True)
class KpiInput:
    """All rows of one service (cases, their stages, tasks, incidents) and its portal rows."""

    cases: tuple[CaseRecord, ...] = ()
    stages: tuple[StageRecord, ...] = ()
    tasks: tuple[TaskRecord, ...] = ()
    incidents: tuple[IncidentRecord, ...] = ()
    drafts: tuple[DraftRecord, ...] = ()
    answers: tuple[SatisfactionRecord, ...] = ()
