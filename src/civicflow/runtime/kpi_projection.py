"""Keeps the KPI read models (``civicflow.runtime.models.kpi``) up to date from history events.

:func:`advance` applies the history events after the cursor in id order, one batch per call, in
one transaction with the cursor update, so a crash never applies a batch twice or skips one. The
worker calls it as a periodic step; nothing scans the whole history on a page view.

History ids come from a sequence, so a transaction that took a lower id can commit after one that
took a higher id. A gap in the ids is therefore waited for (``gap_grace`` seconds of wall-clock
time, noted on the cursor row) before it is taken to be a rolled-back insert and passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, TypeVar
from uuid import UUID

from django.db import transaction

from civicflow.runtime.clock import SystemClock
from civicflow.runtime.models import HistoryEvent, KpiCase, KpiCursor, KpiIncident, KpiStage, KpiTask, ProcessInstance

__all__ = ["CURSOR", "KpiProjector", "advance", "catch_up"]

CURSOR: Final = "kpi"
# Called processes belong to their caller's case; deeper nesting than this is a cycle in bad data.
_MAX_DEPTH: Final = 32

_M = TypeVar("_M", KpiStage, KpiTask)
_Row = tuple[int, UUID, str, str | None, dict[str, Any], datetime]


@dataclass(slots=True)
class _Batch:
    """The rows one batch creates or changes, keyed by (instance, key) so later events find them."""

    cases: dict[UUID, KpiCase] = field(default_factory=dict)
    stages: dict[tuple[UUID, int], KpiStage] = field(default_factory=dict)
    tasks: dict[tuple[UUID, int], KpiTask] = field(default_factory=dict)
    incidents: list[KpiIncident] = field(default_factory=list)
    new: set[tuple[str, object]] = field(default_factory=set)


def _roots(instance_ids: Iterable[UUID]) -> dict[UUID, tuple[UUID, str]]:
    """Instance -> (root instance, root process id)."""
    parent: dict[UUID, UUID | None] = {}
    process: dict[UUID, str] = {}
    wanted = set(instance_ids)
    for _ in range(_MAX_DEPTH):
        if not wanted:
            break
        rows = ProcessInstance.objects.filter(pk__in=wanted).values_list("pk", "parent_id", "definition__process_id")
        wanted = set()
        for pk, parent_id, process_id in rows:
            parent[pk], process[pk] = parent_id, process_id
            if parent_id is not None and parent_id not in parent:
                wanted.add(parent_id)
    found: dict[UUID, tuple[UUID, str]] = {}
    for pk in parent:
        root, depth = pk, 0
        while parent.get(root) is not None and depth < _MAX_DEPTH:
            root, depth = parent[root] or root, depth + 1
        found[pk] = (root, process.get(root, process[pk]))
    return found


def _load(batch: _Batch, rows: list[_Row]) -> None:
    """Fetch the existing rows the batch's completions and cancellations update."""
    case_ids = {row[1] for row in rows if row[2] in {"InstanceCompleted", "InstanceTerminated"}}
    batch.cases.update(KpiCase.objects.in_bulk(case_ids))
    stage_keys = {(row[1], int(row[4]["key"])) for row in rows if row[2] in {"ElementCompleted", "ElementTerminated"}}
    task_keys = {(row[1], int(row[4]["key"])) for row in rows if row[2] in {"TaskCompleted", "TaskCanceled"}}
    batch.stages.update(_existing(KpiStage, stage_keys))
    batch.tasks.update(_existing(KpiTask, task_keys))


def _existing(model: type[_M], keys: set[tuple[UUID, int]]) -> dict[tuple[UUID, int], _M]:
    instances = {instance for instance, _key in keys}
    numbers = {key for _instance, key in keys}
    found = model.objects.filter(instance_id__in=instances, key__in=numbers)
    return {(row.instance_id, row.key): row for row in found if (row.instance_id, row.key) in keys}


@dataclass(frozen=True, slots=True, kw_only=True)
class _Event:
    instance: UUID
    case_id: UUID  # the root instance
    service: str
    kind: str
    element: str
    key: int
    payload: dict[str, Any]
    at: datetime


def _instance_started(batch: _Batch, e: _Event) -> None:
    if e.case_id == e.instance:  # a called process is part of its caller's case
        batch.cases[e.instance] = KpiCase(instance_id=e.instance, service=e.service, started=e.at)
        batch.new.add(("case", e.instance))


def _instance_ended(batch: _Batch, e: _Event) -> None:
    case = batch.cases.get(e.instance)
    if case is not None:
        case.ended, case.outcome = e.at, "completed" if e.kind == "InstanceCompleted" else "terminated"


def _element_activated(batch: _Batch, e: _Event) -> None:
    if int(e.payload.get("scope", 0)) != 0 and e.element:  # scope 0 is the process itself
        batch.stages[(e.instance, e.key)] = KpiStage(
            instance_id=e.instance, key=e.key, case_id=e.case_id, service=e.service, element=e.element, started=e.at
        )
        batch.new.add(("stage", (e.instance, e.key)))


def _element_ended(batch: _Batch, e: _Event) -> None:
    stage = batch.stages.get((e.instance, e.key))
    if stage is not None:
        stage.ended, stage.terminated = e.at, e.kind == "ElementTerminated"


def _task_created(batch: _Batch, e: _Event) -> None:
    groups = e.payload.get("candidate_groups") or ()
    batch.tasks[(e.instance, e.key)] = KpiTask(
        instance_id=e.instance,
        key=e.key,
        case_id=e.case_id,
        service=e.service,
        task_type=e.element,
        department=str(groups[0]) if groups else "",
        created=e.at,
    )
    batch.new.add(("task", (e.instance, e.key)))


def _task_completed(batch: _Batch, e: _Event) -> None:
    if (task := batch.tasks.get((e.instance, e.key))) is not None:
        task.completed = e.at


def _task_canceled(batch: _Batch, e: _Event) -> None:
    if (task := batch.tasks.get((e.instance, e.key))) is not None:
        task.canceled = e.at


def _incident_raised(batch: _Batch, e: _Event) -> None:
    batch.incidents.append(
        KpiIncident(
            instance_id=e.instance, key=e.key, case_id=e.case_id, service=e.service, element=e.element, raised=e.at
        )
    )


_HANDLERS: Final[dict[str, Callable[[_Batch, _Event], None]]] = {
    "InstanceStarted": _instance_started,
    "InstanceCompleted": _instance_ended,
    "InstanceTerminated": _instance_ended,
    "ElementActivated": _element_activated,
    "ElementCompleted": _element_ended,
    "ElementTerminated": _element_ended,
    "TaskCreated": _task_created,
    "TaskCompleted": _task_completed,
    "TaskCanceled": _task_canceled,
    "IncidentRaised": _incident_raised,
}


def _apply(batch: _Batch, row: _Row, root: tuple[UUID, str]) -> None:
    _id, instance, kind, element, payload, at = row
    event = _Event(
        instance=instance,
        case_id=root[0],
        service=root[1],
        kind=kind,
        element=element or "",
        key=int(payload.get("key", 0)),
        payload=payload,
        at=at,
    )
    _HANDLERS[kind](batch, event)


def _save(batch: _Batch) -> None:
    kinds: tuple[tuple[str, type[Any], dict[Any, Any], tuple[str, ...]], ...] = (
        ("case", KpiCase, batch.cases, ("ended", "outcome")),
        ("stage", KpiStage, batch.stages, ("ended", "terminated")),
        ("task", KpiTask, batch.tasks, ("completed", "canceled")),
    )
    for name, model, rows, changed in kinds:
        new = [row for key, row in rows.items() if (name, key) in batch.new]
        old = [row for key, row in rows.items() if (name, key) not in batch.new]
        model.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        model.objects.bulk_update(old, changed, batch_size=1000)
    KpiIncident.objects.bulk_create(batch.incidents, batch_size=1000, ignore_conflicts=True)


def _contiguous(rows: list[_Row], last_id: int) -> int:
    """How many leading rows follow ``last_id`` without a gap in the ids."""
    expected = last_id + 1
    for index, row in enumerate(rows):
        if row[0] != expected:
            return index
        expected += 1
    return len(rows)


@dataclass(slots=True)
class KpiProjector:
    """Applies history to the read models in batches (``clock`` times how long a gap has been waited on)."""

    batch_size: int = 5000
    gap_grace: float = 10.0
    clock: Callable[[], datetime] = SystemClock().now
    monotonic: Callable[[], float] = time.monotonic  # the worker step's time budget

    def advance(self, *, now: datetime | None = None) -> int:
        """Apply one batch; the number of history events read (0 when up to date or held by a gap)."""
        with transaction.atomic():
            cursor, _created = KpiCursor.objects.select_for_update().get_or_create(name=CURSOR)
            rows: list[_Row] = list(
                HistoryEvent.objects.filter(pk__gt=cursor.last_id)
                .order_by("pk")
                .values_list("pk", "instance_id", "type", "element_id", "payload", "timestamp")[: self.batch_size]
            )
            # a fresh cursor starts wherever history starts (retention may have deleted the first rows)
            usable = _contiguous(rows, rows[0][0] - 1 if rows and cursor.last_id == 0 else cursor.last_id)
            if rows and usable == 0:
                # a gap right after the cursor: an uncommitted insert, or a rolled-back one if it stays
                seen = self.clock()
                if cursor.gap_id != rows[0][0] or cursor.gap_seen is None:
                    cursor.gap_id, cursor.gap_seen = rows[0][0], seen
                    cursor.save(update_fields=["gap_id", "gap_seen"])
                if (seen - cursor.gap_seen).total_seconds() < self.gap_grace:
                    return 0
                usable = len(rows)
            rows = rows[:usable]
            if not rows:
                return 0
            relevant = [row for row in rows if row[2] in _HANDLERS]
            roots = _roots({row[1] for row in relevant})
            batch = _Batch()
            _load(batch, relevant)
            for row in relevant:
                if row[1] in roots:
                    _apply(batch, row, roots[row[1]])
            _save(batch)
            cursor.last_id, cursor.gap_id, cursor.gap_seen = rows[-1][0], None, None
            cursor.updated = now or rows[-1][5]
            cursor.save(update_fields=["last_id", "updated", "gap_id", "gap_seen"])
        return len(rows)


_PROJECTOR = KpiProjector()


def advance(*, budget: float = 2.0) -> int:
    """The worker's periodic step: batches until up to date or ``budget`` seconds are spent.

    The budget keeps the worker's other periodic steps on time during a long catch-up.
    """
    deadline = _PROJECTOR.monotonic() + budget
    total = 0
    while (read := _PROJECTOR.advance()) and _PROJECTOR.monotonic() < deadline:
        total += read
    return total + read


def catch_up(*, batch_size: int = 5000, gap_grace: float = 0.0) -> int:
    """Apply all history there is now: the events read.

    With the default ``gap_grace`` of 0 a gap is passed at once: for callers that know nothing
    else writes history (tests, one-off rebuilds). Others stop at a fresh gap and leave it to
    the worker.
    """
    projector = KpiProjector(batch_size=batch_size, gap_grace=gap_grace)
    total = 0
    while read := projector.advance():
        total += read
    return total
