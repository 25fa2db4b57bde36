"""KPIs of a reference service for a period: read models brought up to date, portal rows added.

Shared by ``civicflow kpi report``, the workbench dashboards and the public transparency page.

:func:`service_kpis` applies the history the worker has not applied yet and computes from the
read models: right for the CLI, too slow for a page view over a big history. The dashboards use
:func:`cached_figures` (and :func:`trend`), which never catch up themselves and keep computed
figures in :class:`~civicflow.web.models.KpiSnapshot` rows:

- an open period's figures hold while the KPI cursor (last history id applied) has not moved, for
  at most ``OPEN_FOR`` (backlog ageing moves with the clock); while history keeps coming in they
  are recomputed at most every ``REFRESH_EVERY``, so a busy worker does not make every page view
  recompute (the page says how old its figures are: :attr:`KpiFigures.history_until`);
- a closed period's figures (its end lies before the last applied event and before now) are kept
  when the cursor moves, as long as no event applied since falls inside the period: one query for
  the earliest timestamp among the events applied since, then the rows are marked checked.

A page view never recomputes a snapshot that is out of date: it serves it (stale-while-revalidate,
:attr:`KpiFigures.stale`, the page says the figures are being updated) and leaves it to the worker
(``workbench/_kpi_refresh.py``: :func:`behind`, :func:`due`, ``refresh=True``). A closed period's
snapshot that an event landed in is reopened (``closed=False``), which is how it is marked for the
worker. Only a (service, period) with no usable snapshot at all is computed in the request, and the
worker pre-computes the periods the pages show by default, so that is rare.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeVar

from civicflow.kpi import (
    AGEING_BUCKETS,
    IncidentRecord,
    KpiDefinition,
    KpiInput,
    Period,
    ServiceKpis,
    StageRecord,
    TaskRecord,
    compute_kpis,
    kpis_as_dict,
    kpis_from_dict,
)
from civicflow.services import ReferenceService

__all__ = [
    "OPEN_FOR",
    "REFRESH_EVERY",
    "KpiFigures",
    "behind",
    "cached_current",
    "cached_figures",
    "cached_service_kpis",
    "due",
    "kpi_definition",
    "read_models_updated",
    "service_kpis",
    "service_rows",
    "trend",
    "trend_periods",
]

_DAY = 86_400.0
# An open period's cached figures are recomputed after this even when no history came in.
OPEN_FOR: Final = dt.timedelta(minutes=5)
# ... and at most this often while the read models move on (a recomputation can take a second).
REFRESH_EVERY: Final = dt.timedelta(seconds=60)
# Bumped when the cached payload's shape changes: old rows are then recomputed, not misread.
_CODEC = 1


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class KpiFigures:
    """What a dashboard shows of one service and period.

    ``department_ageing`` counts the user tasks open at ``kpis.as_of`` per department, split by
    age like the case backlog (``AGEING_BUCKETS`` days, then the open-ended bucket).
    """

    kpis: ServiceKpis
    department_ageing: Mapping[str, tuple[int, ...]]
    computed: dt.datetime
    # the time of the last history event the figures include (None: no history applied yet)
    history_until: dt.datetime | None = None
    # out of date: served while the worker recomputes them
    stale: bool = False


# The portal's rows (each case's channel, unsubmitted drafts, satisfaction answers) live in a layer
# above this one: the portal registers a function that adds them when Django starts (PortalConfig.ready).
PortalRows = Callable[[ReferenceService, KpiInput, Period], KpiInput]
_row_sources: list[PortalRows] = []


def add_row_source(source: PortalRows) -> None:
    """Have ``source`` add rows from above the web layer to every KPI input (idempotent)."""
    if source not in _row_sources:
        _row_sources.append(source)


def _portal_rows(service: ReferenceService, rows: KpiInput, period: Period) -> KpiInput:
    for source in _row_sources:
        rows = source(service, rows, period)
    return rows


def kpi_definition(service: ReferenceService) -> KpiDefinition:
    """The service's KPI definition: its targets, the configured holidays and task costs."""
    from django.conf import settings

    from civicflow.mining import BusinessCalendar
    from civicflow.runtime.kpi_sources import definition_for

    # optional settings: holidays (dates) and task costs per service id ({task element: cents})
    calendar = BusinessCalendar.of(timezone=settings.TIME_ZONE, holidays=getattr(settings, "KPI_HOLIDAYS", ()))
    costs = getattr(settings, "KPI_TASK_COSTS", {}).get(service.id, {})
    return definition_for(service, calendar=calendar, task_costs=costs)


def _department_ageing(tasks: Sequence[TaskRecord], as_of: dt.datetime) -> dict[str, tuple[int, ...]]:
    found: dict[str, list[int]] = {}
    for task in tasks:
        end = task.completed or task.canceled
        if task.created < as_of and (end is None or end >= as_of):
            days = (as_of - task.created).total_seconds() / _DAY
            bucket = next((i for i, bound in enumerate(AGEING_BUCKETS) if days <= bound), len(AGEING_BUCKETS))
            found.setdefault(task.department, [0] * (len(AGEING_BUCKETS) + 1))[bucket] += 1
    return {name: tuple(counts) for name, counts in sorted(found.items())}


def service_rows(service: ReferenceService, period: Period) -> KpiInput:
    """The KPI input of ``service`` over ``period``: read models plus the rows sources above add."""
    from civicflow.runtime.kpi_sources import read_model_input

    return _portal_rows(service, read_model_input(service.process_id, period), period)


def _compute(service: ReferenceService, period: Period, now: dt.datetime) -> KpiFigures:
    rows = service_rows(service, period)
    kpis = compute_kpis(kpi_definition(service), rows, period, now=now)
    return KpiFigures(kpis=kpis, department_ageing=_department_ageing(rows.tasks, kpis.as_of), computed=now)


def _compute_many(service: ReferenceService, periods: Sequence[Period], now: dt.datetime) -> list[KpiFigures]:
    """The figures of several periods from one read of the read models (a trend's cold start).

    The rows of the periods' span are read once; each period gets exactly the cases
    ``read_model_input`` would read for it (open during it or started in it) with their rows, and
    the portal rows of the span, which ``compute_kpis`` narrows to the period itself.
    """
    from civicflow.runtime.kpi_sources import read_model_input

    if len(periods) == 1:
        return [_compute(service, periods[0], now)]
    span = Period(
        kind=periods[0].kind, label="span", start=min(p.start for p in periods), end=max(p.end for p in periods)
    )
    rows = _portal_rows(service, read_model_input(service.process_id, span), span)
    stages, tasks, incidents = _by_case(rows.stages), _by_case(rows.tasks), _by_case(rows.incidents)
    definition = kpi_definition(service)
    found = []
    for period in periods:
        cases = tuple(c for c in rows.cases if c.started < period.end and (c.ended is None or c.ended >= period.start))
        subset = dataclasses.replace(
            rows,
            cases=cases,
            stages=tuple(row for case in cases for row in stages.get(case.case_id, ())),
            tasks=tuple(row for case in cases for row in tasks.get(case.case_id, ())),
            incidents=tuple(row for case in cases for row in incidents.get(case.case_id, ())),
        )
        kpis = compute_kpis(definition, subset, period, now=now)
        found.append(
            KpiFigures(kpis=kpis, department_ageing=_department_ageing(subset.tasks, kpis.as_of), computed=now)
        )
    return found


_R = TypeVar("_R", StageRecord, TaskRecord, IncidentRecord)


def _by_case(rows: Sequence[_R]) -> dict[str, list[_R]]:
    found: dict[str, list[_R]] = {}
    for row in rows:
        found.setdefault(row.case_id, []).append(row)
    return found


def service_kpis(service: ReferenceService, period: Period) -> ServiceKpis:
    """The KPIs of ``service`` in ``period``, after applying the history the worker has not yet applied."""
    from civicflow.runtime.clock import current_clock
    from civicflow.runtime.kpi_projection import catch_up

    catch_up(gap_grace=10.0)
    return _compute(service, period, current_clock().now()).kpis


# -- the cache ------------------------------------------------------------------------------------


def _fingerprint(service: ReferenceService) -> str:
    """Changes when what the figures are computed with changes (targets, calendar, costs)."""
    definition = kpi_definition(service)
    text = repr((_CODEC, definition.processing_target, definition.stages, definition.calendar, definition.task_costs))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _cursor() -> tuple[int, dt.datetime | None]:
    """The KPI cursor: last history id applied, and the timestamp of that event."""
    from civicflow.runtime.kpi_projection import CURSOR
    from civicflow.runtime.models import KpiCursor

    row = KpiCursor.objects.filter(name=CURSOR).values_list("last_id", "updated").first()
    return row if row is not None else (0, None)


def read_models_updated() -> dt.datetime | None:
    """When the last history event applied to the read models happened ("figures as of")."""
    return _cursor()[1]


def _fresh(snapshot: Any, last_id: int, now: dt.datetime) -> bool:
    age = now - snapshot.computed
    return bool(age < REFRESH_EVERY or (snapshot.last_id == last_id and age < OPEN_FOR))


def _history_until(snapshot: Any, last_id: int, applied_until: dt.datetime | None) -> dt.datetime | None:
    if snapshot.last_id == last_id:
        return applied_until
    stored = snapshot.payload.get("history_until")
    return None if stored is None else dt.datetime.fromisoformat(stored)


def _save(rows: list[Any]) -> None:
    from civicflow.web.models import KpiSnapshot

    # two page views may compute the same figures at once: the later write wins, both are right
    KpiSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=("service", "key"),
        update_fields=("last_id", "closed", "computed", "payload"),
    )


@dataclasses.dataclass(slots=True, kw_only=True)
class _Found:
    """The snapshots found for some requests, and what each request's snapshot is worth."""

    now: dt.datetime
    last_id: int
    applied_until: dt.datetime | None
    prints: dict[str, str]
    rows: dict[int, Any]  # request index -> snapshot row with the current fingerprint
    holds: set[int]  # closed periods no event applied since falls in
    checked: list[int]  # pks of closed rows to mark checked up to the cursor


def _lookup(requests: Sequence[tuple[ReferenceService, Period]]) -> _Found:
    from django.db.models import Min

    from civicflow.runtime.clock import current_clock
    from civicflow.runtime.models import HistoryEvent
    from civicflow.web.models import KpiSnapshot

    last_id, applied_until = _cursor()
    prints = {service.id: _fingerprint(service) for service in {s.id: s for s, _p in requests}.values()}
    wanted = {(service.id, period.label) for service, period in requests}
    snapshots = {
        (row.service, row.key): row
        for row in KpiSnapshot.objects.filter(
            service__in={s for s, _k in wanted}, key__in={k for _s, k in wanted}
        ).exclude(key="at-risk")
        if (row.service, row.key) in wanted and row.payload.get("fingerprint") == prints[row.service]
    }
    behind_rows = [row.last_id for row in snapshots.values() if row.closed and row.last_id < last_id]
    # the earliest moment any event applied since the oldest closed snapshot happened at
    earliest: dt.datetime | None = None
    if behind_rows:
        earliest = HistoryEvent.objects.filter(pk__gt=min(behind_rows), pk__lte=last_id).aggregate(at=Min("timestamp"))[
            "at"
        ]
    found = _Found(
        now=current_clock().now(),
        last_id=last_id,
        applied_until=applied_until,
        prints=prints,
        rows={},
        holds=set(),
        checked=[],
    )
    for index, (service, period) in enumerate(requests):
        row = snapshots.get((service.id, period.label))
        if row is None:
            continue
        found.rows[index] = row
        # a closed period still holds when nothing applied since its check falls inside it
        if row.closed and (row.last_id == last_id or earliest is None or earliest >= period.end):
            found.holds.add(index)
            if row.last_id != last_id:
                found.checked.append(row.pk)
                row.last_id = last_id
    return found


def _current(found: _Found, index: int, *, refresh: bool) -> bool:
    """Whether request ``index``'s snapshot may be served as it is."""
    row = found.rows[index]
    return index in found.holds or (not refresh and _fresh(row, found.last_id, found.now))


def due(requests: Sequence[tuple[ReferenceService, Period]]) -> list[int]:
    """Indexes of the requests whose snapshot is missing or out of date: what the worker computes."""
    found = _lookup(requests)
    _mark_checked(found)
    return [i for i in range(len(requests)) if i not in found.rows or not _current(found, i, refresh=False)]


def _mark_checked(found: _Found) -> None:
    """Closed snapshots found to hold are checked up to the cursor: the next look starts there."""
    from civicflow.web.models import KpiSnapshot

    if found.checked:
        KpiSnapshot.objects.filter(pk__in=found.checked).update(last_id=found.last_id)


def cached_figures(
    requests: Sequence[tuple[ReferenceService, Period]], *, refresh: bool = False, serve_stale: bool = True
) -> list[KpiFigures]:
    """The figures of each (service, period), from the snapshots.

    Never applies history itself (the worker does); figures are as of :func:`read_models_updated`.
    A snapshot that is out of date is served as it is (``stale``) and left to the worker; only
    requests without a snapshot are computed, unless ``serve_stale`` is false. ``refresh``
    recomputes open periods' snapshots however young (the worker's refresh step).
    """
    from civicflow.web.models import KpiSnapshot

    found = _lookup(requests)
    now, last_id, applied_until = found.now, found.last_id, found.applied_until
    results: dict[int, KpiFigures] = {}
    reopen: list[int] = []
    missing: dict[str, list[int]] = {}  # service -> indexes of the requests to compute
    for index, (service, period) in enumerate(requests):
        row = found.rows.get(index)
        current = row is not None and _current(found, index, refresh=refresh)
        if row is None or not (current or (serve_stale and not refresh)):
            missing.setdefault(service.id, []).append(index)
            continue
        if not current and row.closed:
            reopen.append(row.pk)  # an event landed in it: the worker's behind() now finds it
        payload = row.payload
        results[index] = KpiFigures(
            kpis=kpis_from_dict(payload["kpis"], period),
            department_ageing={k: tuple(v) for k, v in payload["department_ageing"].items()},
            computed=row.computed,
            history_until=_history_until(row, last_id, applied_until),
            stale=not current,
        )
    computed: list[KpiSnapshot] = []
    for indexes in missing.values():
        service = requests[indexes[0]][0]
        periods = [requests[index][1] for index in indexes]
        for index, period, fresh in zip(indexes, periods, _compute_many(service, periods, now), strict=True):
            results[index] = dataclasses.replace(fresh, history_until=applied_until)
            payload = {
                "history_until": None if applied_until is None else applied_until.isoformat(),
                "fingerprint": found.prints[service.id],
                "kpis": kpis_as_dict(fresh.kpis),
                "department_ageing": {k: list(v) for k, v in fresh.department_ageing.items()},
            }
            closed = applied_until is not None and period.end <= min(now, applied_until)
            computed.append(
                KpiSnapshot(
                    service=service.id, key=period.label, last_id=last_id, closed=closed, computed=now, payload=payload
                )
            )
    _mark_checked(found)
    if reopen:
        KpiSnapshot.objects.filter(pk__in=reopen).update(closed=False)
    if computed:
        _save(computed)
    return [results[index] for index in range(len(requests))]


def cached_service_kpis(service: ReferenceService, period: Period) -> ServiceKpis:
    """:func:`service_kpis` from the snapshots: no catch-up, figures as of :func:`read_models_updated`."""
    (figures,) = cached_figures([(service, period)])
    return figures.kpis


def trend_periods(period: Period, count: int = 12) -> list[Period]:
    """The ``count`` periods of ``period``'s kind up to and including it, oldest first."""
    periods = [period]
    while len(periods) < count:
        try:
            periods.insert(0, Period.of(period.kind, periods[0].start.date() - dt.timedelta(days=1)))
        except (OverflowError, ValueError):  # before year 1: fewer periods
            break
    return periods


def trend(service: ReferenceService, period: Period, count: int = 12) -> list[KpiFigures]:
    """The figures of the ``count`` periods of ``period``'s kind up to and including it, oldest first."""
    return cached_figures([(service, item) for item in trend_periods(period, count)])


def cached_current(
    service: ReferenceService, key: str, compute: Callable[[dt.datetime], dict[str, Any]], *, refresh: bool = False
) -> tuple[dict[str, Any], dt.datetime]:
    """A payload about the present (``compute(now)``), cached like an open period's figures.

    Returns the payload and when it was computed. Like an open period's figures it is out of date
    once the KPI cursor has moved (at most every ``REFRESH_EVERY``) and after ``OPEN_FOR``; it is
    then still served, and the worker recomputes it (:func:`behind`). Computed here only when
    there is no row yet, or with ``refresh``.
    """
    from civicflow.runtime.clock import current_clock
    from civicflow.web.models import KpiSnapshot

    now = current_clock().now()
    last_id, _applied = _cursor()
    row = KpiSnapshot.objects.filter(service=service.id, key=key).first()
    if row is not None and not refresh:
        return row.payload, row.computed
    payload = compute(now)
    _save([KpiSnapshot(service=service.id, key=key, last_id=last_id, closed=False, computed=now, payload=payload)])
    return payload, now


def behind(min_age: dt.timedelta) -> list[tuple[str, str]]:
    """(service id, key) of the open snapshots out of date, stalest first: what the worker's refresh
    step recomputes. Out of date: the read models have moved past it and it was computed at least
    ``min_age`` ago, or it is ``OPEN_FOR`` old (this includes the closed snapshots a page view
    reopened because an event landed in their period)."""
    from django.db.models import Q

    from civicflow.runtime.clock import current_clock
    from civicflow.web.models import KpiSnapshot

    last_id, _applied = _cursor()
    now = current_clock().now()
    rows = (
        KpiSnapshot.objects.filter(closed=False)
        .filter((~Q(last_id=last_id) & Q(computed__lte=now - min_age)) | Q(computed__lte=now - OPEN_FOR))
        .order_by("computed")
        .values_list("service", "key")
    )
    return list(rows)
