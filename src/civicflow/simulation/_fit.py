"""Calibration: simulation parameters fitted from an event log and the model it came from.

What is fitted: the arrival rate per weekday and hour, branch probabilities from what followed each
gateway in every case, processing time per element (start -> complete; a step ended by an
interrupting boundary event counts as "did not end by itself"), the delay and share of boundary
events without a fixed timer, and per department (lane) the staff working at once (observed
concurrency of its work) and a working calendar (the weekdays and hours its work happens in).
Waiting for staff is not baked into durations: the simulation queues work at the pools.

With ``case_attributes`` (columns of the log's case table, such as a building permit's type of
building), the cases are also split into profiles by those attributes' values, and durations,
branch probabilities and boundary events are fitted per profile too (``CaseProfile``): what a case
is decides both its path and its pace, and pooled figures lose that link.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from civicflow.mining import ACTIVITY, CASE, LIFECYCLE, TIMESTAMP, BusinessCalendar, EventLog
from civicflow.simulation._calendar import ALWAYS, is_always, working_seconds
from civicflow.simulation._distribution import Distribution, fit_distribution
from civicflow.simulation._errors import CalibrationError
from civicflow.simulation._model import SimKind, SimModel, SimNode
from civicflow.simulation._params import (
    ActivityParams,
    ArrivalParams,
    BoundaryParams,
    CaseProfile,
    ObservedCycleTimes,
    PoolParams,
    SimulationParams,
)
from civicflow.simulation._results import CycleTimes

__all__ = ["FitOptions", "fit_params"]

_GATEWAYS = frozenset({SimKind.EXCLUSIVE, SimKind.PARALLEL, SimKind.INCLUSIVE, SimKind.EVENT_BASED})
_ENDS = frozenset({"complete", "ate_abort"})


@dataclass(frozen=True, slots=True, kw_only=True)
class FitOptions:
    """``capacity_quantile``: the share of the time the fitted staff covers the observed concurrency
    (1.0: as many as ever worked at once; below it, the busiest moments queue). ``sla_seconds``: the
    service level to report against."""

    capacity_quantile: float = 0.95
    sla_seconds: float | None = None
    # case attributes whose values make the profiles (an attribute with more than _MAX_VALUES
    # values is a measure, not a kind of case, and is left out); a value seen in fewer than
    # ``min_profile_cases`` cases joins the other cases, which behave as the pooled figures say
    case_attributes: tuple[str, ...] = ()
    min_profile_cases: int = 30


_MAX_VALUES = 12
# a profile uses its own figures for a step, a gateway or a boundary event seen this often in its cases
_MIN_OWN = 10


@dataclass(frozen=True, slots=True)
class _Event:
    at: dt.datetime
    element: str
    lifecycle: str


def _events_by_case(log: EventLog, model: SimModel) -> dict[str, list[_Event]]:
    frame = log.events
    if "element_id" in frame.columns:
        element = pl.col("element_id")
    else:
        by_name: dict[str, str] = {}
        for node in model.nodes.values():
            by_name.setdefault(node.name, node.id)
            by_name.setdefault(node.id, node.id)
        element = pl.col(ACTIVITY).replace_strict(by_name, default=None)
    lifecycle = pl.col(LIFECYCLE).str.to_lowercase() if LIFECYCLE in frame.columns else pl.lit("complete")
    rows = frame.select(pl.col(CASE), element.alias("_element"), pl.col(TIMESTAMP), lifecycle.alias("_lc"))
    found: dict[str, list[_Event]] = defaultdict(list)
    for case, node_id, at, transition in rows.iter_rows():
        if node_id in model.nodes and at is not None:
            found[case].append(_Event(at=at, element=node_id, lifecycle=transition or "complete"))
    if not found:
        raise CalibrationError("no event of the log matches an element of the model (by id or name)")
    return found


def _case_spans(log: EventLog, events: dict[str, list[_Event]]) -> tuple[dict[str, dt.datetime], list[float]]:
    """Arrival of every case, and cycle times (seconds) of the completed ones."""
    cases = log.cases
    if {"started", "ended", "status"} <= set(cases.columns):
        arrivals = {c: s for c, s in cases.select(CASE, "started").iter_rows() if s is not None and c in events}
        done = [
            (e - s).total_seconds()
            for c, s, e, status in cases.select(CASE, "started", "ended", "status").iter_rows()
            if c in events and s is not None and e is not None and status == "completed"
        ]
        return arrivals, done
    arrivals = {c: min(e.at for e in rows) for c, rows in events.items()}
    done = [(max(e.at for e in rows) - arrivals[c]).total_seconds() for c, rows in events.items()]
    return arrivals, done


def _arrival_rates(arrivals: Iterable[dt.datetime], start: dt.datetime, end: dt.datetime) -> ArrivalParams:
    counts = Counter((a.weekday(), a.hour) for a in arrivals)
    slots: Counter[tuple[int, int]] = Counter()
    moment = start
    while moment < end:
        slots[(moment.weekday(), moment.hour)] += 1
        moment += dt.timedelta(hours=1)
    return ArrivalParams(
        hourly=tuple(
            tuple(counts[(d, h)] / slots[(d, h)] if slots[(d, h)] else 0.0 for h in range(24)) for d in range(7)
        )
    )


@dataclass(frozen=True, slots=True)
class _Instance:
    case: str
    element: str
    start: dt.datetime
    end: dt.datetime | None
    aborted: bool


def _instances(events: dict[str, list[_Event]]) -> list[_Instance]:
    """Pair each start with the next complete/abort of the same element in the same case."""
    found: list[_Instance] = []
    for case, rows in events.items():
        open_starts: dict[str, list[dt.datetime]] = defaultdict(list)
        for event in rows:
            if event.lifecycle == "start":
                open_starts[event.element].append(event.at)
            elif event.lifecycle in _ENDS:
                waiting = open_starts[event.element]
                begin = waiting.pop(0) if waiting else event.at
                found.append(_Instance(case, event.element, begin, event.at, event.lifecycle == "ate_abort"))
        for element, starts in open_starts.items():
            found.extend(_Instance(case, element, begin, None, aborted=False) for begin in starts)
    return found


def _visible_neighbours(model: SimModel, node_id: str, *, forward: bool) -> frozenset[str]:
    incoming: dict[str, list[str]] = defaultdict(list)
    for node in model.nodes.values():
        for flow in node.outgoing:
            incoming[flow.target].append(node.id)
    seen: set[str] = set()
    found: set[str] = set()
    stack = [node_id]
    while stack:
        current = stack.pop()
        nexts = [f.target for f in model.node(current).outgoing] if forward else incoming[current]
        for other in nexts:
            if other in seen:
                continue
            seen.add(other)
            if model.node(other).kind in _GATEWAYS:
                stack.append(other)
            else:
                found.add(other)
    return frozenset(found)


def _branches(model: SimModel, events: dict[str, list[_Event]], *, least: int = 0) -> dict[str, float]:
    """Sequence flow -> probability, for every split gateway passed at least ``least`` times (every
    split gateway when 0: one never passed splits evenly), from what started after its inputs."""
    probabilities: dict[str, float] = {}
    for gateway in model.nodes.values():
        if gateway.kind not in (SimKind.EXCLUSIVE, SimKind.INCLUSIVE, SimKind.EVENT_BASED) or len(gateway.outgoing) < 2:
            continue
        predecessors = _visible_neighbours(model, gateway.id, forward=False)
        candidates = {
            f.id: {f.target}
            if model.node(f.target).kind not in _GATEWAYS
            else set(_visible_neighbours(model, f.target, forward=True))
            for f in gateway.outgoing
        }
        passes, taken = 0, Counter[str]()
        for rows in events.values():
            ends = sorted(e.at for e in rows if e.element in predecessors and e.lifecycle == "complete")
            starts = [e for e in rows if e.lifecycle == "start"]
            for index, begin in enumerate(ends):
                until = ends[index + 1] if index + 1 < len(ends) else None
                window = [e for e in starts if e.at >= begin and (until is None or e.at < until)]
                flows = [f for f, c in candidates.items() for e in window if e.element in c]
                if not flows:
                    continue
                passes += 1
                if gateway.kind == SimKind.INCLUSIVE:
                    taken.update(set(flows))
                else:
                    first = min(
                        (e for e in window if any(e.element in c for c in candidates.values())), key=lambda e: e.at
                    )
                    taken[next(f for f, c in candidates.items() if first.element in c)] += 1
        if passes < least:
            continue
        for flow in gateway.outgoing:
            probabilities[flow.id] = taken[flow.id] / passes if passes else (1.0 / len(gateway.outgoing))
    return probabilities


def _concurrency(spans: Sequence[tuple[dt.datetime, dt.datetime]], quantile: float) -> int:
    """The number at work at once that covers ``quantile`` of the time anybody was at work."""
    changes = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans], key=lambda c: (c[0], c[1]))
    level, durations = 0, Counter[int]()
    for (moment, step), nxt in itertools.pairwise(changes):
        level += step
        if level > 0:
            durations[level] += int((nxt[0] - moment).total_seconds())
    if not durations:
        return 1
    if quantile >= 1.0:
        return max(durations)
    total = sum(durations.values())
    covered = 0
    for level in sorted(durations):
        covered += durations[level]
        if covered >= quantile * total:
            return level
    return max(durations)  # pragma: no cover - the loop reaches the total


def _calendar(moments: Sequence[dt.datetime]) -> BusinessCalendar:
    """Weekdays with a real share of the work, and the hours that hold 99% of it."""
    if len(moments) < 50:
        return ALWAYS
    days = Counter(m.weekday() for m in moments)
    top = max(days.values())
    working = [d for d in range(7) if days[d] >= 0.1 * top]
    hours = Counter(m.hour for m in moments)
    best = (0, 24)
    for width in range(1, 25):
        for first in range(25 - width):
            if sum(hours[h] for h in range(first, first + width)) >= 0.99 * len(moments):
                best = (first, first + width)
                break
        else:
            continue
        break
    end = dt.time.max if best[1] == 24 else dt.time(best[1])
    return BusinessCalendar.of(working_days=working, hours=(dt.time(best[0]), end))


def fit_params(log: EventLog, model: SimModel, options: FitOptions | None = None) -> SimulationParams:
    """Fit parameters for ``model`` from ``log`` (events named by element id or element name)."""
    options = options or FitOptions()
    events = _events_by_case(log, model)
    for rows in events.values():
        rows.sort(key=lambda e: e.at)
    arrivals, cycle = _case_spans(log, events)
    if not arrivals:
        raise CalibrationError("the log has no cases")
    first, last = min(arrivals.values()), max(arrivals.values())
    start = dt.datetime.combine(first.date(), dt.time(0), dt.UTC)
    arrival_end = last.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    log_end = max(e.at for rows in events.values() for e in rows)
    instances = _instances(events)
    by_element: dict[str, list[_Instance]] = defaultdict(list)
    for instance in instances:
        by_element[instance.element].append(instance)
    pools: dict[str, PoolParams] = {}
    calendars: dict[str, BusinessCalendar] = {}
    for pool in model.pools:
        mine = [i for n in model.nodes.values() if n.pool == pool for i in by_element[n.id]]
        spans = [(i.start, i.end or log_end) for i in mine]
        calendar = _calendar([i.start for i in mine] + [i.end for i in mine if i.end is not None])
        calendars[pool] = calendar
        pools[pool] = PoolParams(name=pool, capacity=_concurrency(spans, options.capacity_quantile), calendar=calendar)
    activities, branches, boundaries = _behaviour(model, events, by_element, calendars, least=0)
    observed = CycleTimes.of(cycle)
    quantiles = sorted(cycle)
    return SimulationParams(
        process_id=model.process_id,
        start=start,
        arrival_days=(arrival_end - start).total_seconds() / 86400,
        observation_days=max((log_end - start).total_seconds(), (arrival_end - start).total_seconds()) / 86400,
        arrivals=_arrival_rates(arrivals.values(), start, arrival_end),
        activities=activities,
        branches=branches,
        boundaries=boundaries,
        profiles=_profiles(log, model, events, instances, calendars, options),
        pools=pools,
        sla_seconds=options.sla_seconds,
        observed=ObservedCycleTimes(
            cases=observed.count,
            mean=observed.mean or 0.0,
            median=observed.median or 0.0,
            p90=observed.p90 or 0.0,
            quantiles=tuple(quantiles[round(i * (len(quantiles) - 1) / 99)] for i in range(100)) if quantiles else (),
        )
        if cycle
        else None,
    )


def _behaviour(
    model: SimModel,
    events: dict[str, list[_Event]],
    by_element: Mapping[str, list[_Instance]],
    calendars: Mapping[str, BusinessCalendar],
    *,
    least: int,
) -> tuple[dict[str, ActivityParams], dict[str, float], dict[str, BoundaryParams]]:
    """Durations, branch probabilities and boundary events of ``events``' cases, each only where it
    was seen at least ``least`` times (a step's finished instances, a gateway's passes, a boundary
    event's hosts); with 0, every step seen at all and every gateway."""
    activities = {
        node.id: ActivityParams(duration=_duration(node, by_element[node.id], calendars.get(node.pool or "")))
        for node in model.nodes.values()
        if node.kind in (SimKind.TASK, SimKind.WAIT)
        and by_element.get(node.id)
        and sum(1 for i in by_element[node.id] if i.end is not None and not i.aborted) >= least
    }
    return activities, _branches(model, events, least=least), _boundaries(model, by_element, least=least)


def _profiles(  # noqa: PLR0917 - private, called once, each argument a different thing
    log: EventLog,
    model: SimModel,
    events: dict[str, list[_Event]],
    instances: list[_Instance],
    calendars: Mapping[str, BusinessCalendar],
    options: FitOptions,
) -> tuple[CaseProfile, ...]:
    """The case profiles by ``options.case_attributes`` (none asked for, or none usable: none)."""
    if not options.case_attributes:
        return ()
    missing = [name for name in options.case_attributes if name not in log.cases.columns]
    if missing:
        raise CalibrationError(f"the log's cases have no attribute {missing[0]!r}")
    table = log.cases.filter(pl.col(CASE).is_in(list(events)))
    kinds = [name for name in options.case_attributes if table[name].n_unique() <= _MAX_VALUES]
    if not kinds or table.is_empty():
        return ()
    key_of = {
        str(row[0]): tuple("" if value is None else str(value) for value in row[1:])
        for row in table.select(CASE, *kinds).iter_rows()
    }
    counts = Counter(key_of.values())
    total = sum(counts.values())
    common = sorted(key for key, n in counts.items() if n >= options.min_profile_cases)
    if not common:
        return ()  # no kind common enough: every case behaves as the pooled figures say
    profiles = []
    for key in common:
        cases = {case for case, values in key_of.items() if values == key}
        by_element: dict[str, list[_Instance]] = defaultdict(list)
        for instance in instances:
            if instance.case in cases:
                by_element[instance.element].append(instance)
        own = {case: events[case] for case in cases}
        activities, branches, boundaries = _behaviour(model, own, by_element, calendars, least=_MIN_OWN)
        profiles.append(
            CaseProfile(
                values=dict(zip(kinds, key, strict=True)),
                share=counts[key] / total,
                activities=activities,
                branches=branches,
                boundaries=boundaries,
            )
        )
    rest = total - sum(counts[key] for key in common)
    if rest > 0:  # the rarer kinds together: they behave as the pooled figures say
        profiles.append(CaseProfile(values={}, share=rest / total))
    return tuple(profiles)


def _duration(node: SimNode, instances: list[_Instance], calendar: BusinessCalendar | None) -> Distribution:
    """Processing time; steps cut short by an interrupting boundary event count as "never by itself"."""
    interruptible = bool(node.boundaries)
    finished = [i for i in instances if i.end is not None and not i.aborted]
    if calendar is not None and not is_always(calendar):
        values = [working_seconds(calendar, i.start, i.end) for i in finished if i.end is not None]
    else:
        values = [(i.end - i.start).total_seconds() for i in finished if i.end is not None]
    never = sum(1 for i in instances if i.aborted) if interruptible else 0
    return fit_distribution(values, never=never)


def _boundaries(model: SimModel, by_element: Mapping[str, list[_Instance]], *, least: int) -> dict[str, BoundaryParams]:
    """Share and delay of the boundary events without a fixed timer (messages, errors, signals ...)."""
    fitted: dict[str, BoundaryParams] = {}
    for node in model.nodes.values():
        if node.kind != SimKind.BOUNDARY or node.timer_seconds is not None or node.attached_to is None:
            continue
        hosts = by_element.get(node.attached_to, [])
        if not hosts or len(hosts) < least:
            continue
        starts: dict[str, list[dt.datetime]] = defaultdict(list)
        for host in hosts:
            starts[host.case].append(host.start)
        delays = []
        for fired in by_element.get(node.id, []):
            before = sorted(s for s in starts[fired.case] if s <= fired.start)
            if before:
                delays.append((fired.start - before[-1]).total_seconds())
        fitted[node.id] = BoundaryParams(
            probability=min(1.0, len(delays) / len(hosts)), delay=fit_distribution(delays or [0.0])
        )
    return fitted
