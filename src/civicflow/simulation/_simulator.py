"""The discrete-event simulation: cases arrive, tokens move through the model, pools serve work.

One heap of timed events (arrivals, step completions, boundary timers, work starts); ties break by
insertion order, and every random draw comes from the ``random.Random`` the caller passes in, so a
seed reproduces a run exactly. Time is seconds since ``params.start``. Tokens follow BPMN: a
parallel join waits for all its incoming flows, an inclusive join until no token can still reach
it, a step's boundary timer fires unless the step ended first, an interrupting one ends the step.
"""

from __future__ import annotations

import heapq
import math
import random  # noqa: TID251 - only random.Random seeded from the caller's generator; never the module functions
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from civicflow.simulation._arrivals import arrival_times
from civicflow.simulation._calendar import add_working, is_always, next_working
from civicflow.simulation._distribution import Distribution
from civicflow.simulation._errors import ParameterError
from civicflow.simulation._model import SimFlow, SimKind, SimModel, SimNode
from civicflow.simulation._params import ActivityParams, BoundaryParams, CaseProfile, PoolParams, SimulationParams
from civicflow.simulation._records import CaseRecord, LogRow, RunRecord, WorkRecord

__all__ = ["simulate"]

_INSTANT = Distribution.fixed(0.0)


class _State(StrEnum):
    ACTIVE = "active"
    DONE = "done"
    ABORTED = "aborted"


@dataclass(slots=True, eq=False)
class _Case:
    number: int
    arrived: float
    rng: random.Random  # one stream per case: scenarios compared on the same seed see the same cases
    kind: _Kind
    tokens: Counter[tuple[str, int | None]] = field(default_factory=Counter)
    joins: Counter[tuple[str, int | None]] = field(default_factory=Counter)
    ended: float | None = None


@dataclass(frozen=True, slots=True)
class _Kind:
    """How a case of one profile behaves: the profile's own figures over the pooled ones."""

    activities: Mapping[str, ActivityParams]
    branches: Mapping[str, float]
    boundaries: Mapping[str, BoundaryParams]

    @classmethod
    def of(cls, params: SimulationParams, profile: CaseProfile | None) -> _Kind:
        if profile is None:
            return cls(params.activities, params.branches, params.boundaries)
        return cls(
            {**params.activities, **profile.activities},
            {**params.branches, **profile.branches},
            {**params.boundaries, **profile.boundaries},
        )


@dataclass(slots=True, eq=False)
class _Work:
    id: int
    case: _Case
    node: SimNode
    scope: int | None
    ready: float
    state: _State = _State.ACTIVE
    started: float | None = None
    ended: float | None = None
    holds: bool = False  # holds one unit of its pool
    planned: float = 0.0  # processing time, drawn at activation so that draws follow the case's path
    children: int = 0  # live tokens inside, for a subprocess


@dataclass(slots=True, eq=False)
class _Pool:
    params: PoolParams
    busy: int = 0
    queue: list[tuple[int, float, int, _Work]] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class _Run:
    model: SimModel
    params: SimulationParams
    end: float
    heap: list[tuple[float, int, Callable[[float], None]]] = field(default_factory=list)
    seq: int = 0
    rows: list[LogRow] = field(default_factory=list)
    works: dict[int, _Work] = field(default_factory=dict)
    pools: dict[str, _Pool] = field(default_factory=dict)
    cases: list[_Case] = field(default_factory=list)

    # --- scheduling -----------------------------------------------------------------------------

    def at(self, moment: float, action: Callable[[float], None]) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (moment, self.seq, action))

    def log(self, case: _Case, node: SimNode, moment: float, lifecycle: str) -> None:
        self.rows.append(
            LogRow(case=case.number, element=node.id, name=node.name, at=moment, lifecycle=lifecycle, lane=node.lane)
        )

    def moment(self, seconds: float) -> datetime:
        return self.params.start + timedelta(seconds=seconds)

    def seconds(self, moment: datetime) -> float:
        return (moment - self.params.start).total_seconds()

    # --- tokens ---------------------------------------------------------------------------------

    def enter(self, case: _Case, node_id: str, scope: int | None, now: float) -> None:
        node = self.model.node(node_id)
        case.tokens[(node_id, scope)] += 1
        if scope is not None:
            self.works[scope].children += 1
        if node.removed:
            self.follow(case, node, scope, now, node.outgoing)
            return
        handler = _HANDLERS[node.kind]
        handler(self, case, node, scope, now)

    def leave(self, case: _Case, node_id: str, scope: int | None, now: float, count: int = 1) -> None:
        key = (node_id, scope)
        case.tokens[key] -= count
        if case.tokens[key] <= 0:
            del case.tokens[key]
        if scope is not None:
            parent = self.works[scope]
            parent.children -= count
            if parent.children <= 0 and parent.state == _State.ACTIVE:
                self.complete(parent, now)
        if not case.tokens and case.ended is None:
            case.ended = now

    def follow(self, case: _Case, node: SimNode, scope: int | None, now: float, flows: tuple[SimFlow, ...]) -> None:
        """Move the token at ``node`` along ``flows`` (none: it is consumed)."""
        for flow in flows:
            self.enter(case, flow.target, scope, now)
        self.leave(case, node.id, scope, now)

    # --- choices --------------------------------------------------------------------------------

    def choose_one(self, case: _Case, node: SimNode) -> SimFlow:
        flows = node.outgoing
        given = [case.kind.branches.get(f.id) for f in flows]
        if all(p is None for p in given):
            weights = [1.0] * len(flows)
        else:
            weights = [p or 0.0 for p in given]
        if sum(weights) <= 0:
            return next((f for f in flows if f.id == node.default_flow), flows[0])
        return case.rng.choices(flows, weights)[0]

    def choose_some(self, case: _Case, node: SimNode) -> tuple[SimFlow, ...]:
        flows = node.outgoing
        known = any(f.id in case.kind.branches for f in flows)
        chances = [case.kind.branches.get(f.id, 0.0 if known else 1.0) for f in flows]
        chosen = tuple(
            f for f, p in zip(flows, chances, strict=True) if f.id != node.default_flow and case.rng.random() < p
        )
        if chosen:
            return chosen
        default = next((f for f in flows if f.id == node.default_flow), None)
        return (default,) if default else (max(zip(chances, range(len(flows)), flows, strict=True))[2],)

    def duration(self, case: _Case, node: SimNode) -> float:
        if node.kind == SimKind.WAIT and node.timer_seconds is not None:
            return node.timer_seconds
        activity = case.kind.activities.get(node.id)
        return (activity.duration if activity else _INSTANT).sample(case.rng)

    # --- steps ----------------------------------------------------------------------------------

    def activate(self, case: _Case, node: SimNode, scope: int | None, now: float) -> _Work:
        work = _Work(id=len(self.works) + 1, case=case, node=node, scope=scope, ready=now)
        self.works[work.id] = work
        if node.kind != SimKind.SUBPROCESS:
            work.planned = self.duration(case, node)
        for boundary_id in node.boundaries:
            self.arm(work, self.model.node(boundary_id), now)
        return work

    def arm(self, work: _Work, boundary: SimNode, now: float) -> None:
        if boundary.timer_seconds is not None:
            delay = boundary.timer_seconds
        else:
            fitted = work.case.kind.boundaries.get(boundary.id)
            if fitted is None or work.case.rng.random() >= fitted.probability:
                return
            delay = fitted.delay.sample(work.case.rng)
        if math.isfinite(delay):
            self.at(now + delay, lambda moment: self.fire(work, boundary, moment))

    def fire(self, work: _Work, boundary: SimNode, now: float) -> None:
        if work.state != _State.ACTIVE:
            return
        case = work.case
        case.tokens[(boundary.id, work.scope)] += 1
        if work.scope is not None:
            self.works[work.scope].children += 1
        if boundary.interrupting:
            self.abort(work, now)
        self.log(case, boundary, now, "start")
        self.log(case, boundary, now, "complete")
        self.follow(case, boundary, work.scope, now, boundary.outgoing)
        if boundary.interrupting:
            self.leave(case, work.node.id, work.scope, now)
        self.check_joins(case, now)

    def abort(self, work: _Work, now: float) -> None:
        work.state = _State.ABORTED
        work.ended = now
        self.log(work.case, work.node, now, "ate_abort")
        if work.holds:
            self.release(work, now)
        if work.node.kind == SimKind.SUBPROCESS:
            for child in [w for w in self.works.values() if w.scope == work.id and w.state == _State.ACTIVE]:
                self.abort(child, now)
            for key in [k for k in work.case.tokens if k[1] == work.id]:
                del work.case.tokens[key]
            work.children = 0

    def complete(self, work: _Work, now: float) -> None:
        work.state = _State.DONE
        work.ended = now
        self.log(work.case, work.node, now, "complete")
        if work.holds:
            self.release(work, now)
        self.follow(work.case, work.node, work.scope, now, work.node.outgoing)
        self.check_joins(work.case, now)

    # --- pools ----------------------------------------------------------------------------------

    def request(self, work: _Work, now: float) -> None:
        pool = self.pools[work.node.pool or ""]
        if pool.busy < pool.params.capacity:
            self.take(pool, work, now)
            return
        priority = self.params.activities.get(work.node.id)
        self.seq += 1
        heapq.heappush(pool.queue, (-(priority.priority if priority else 0), now, self.seq, work))

    def take(self, pool: _Pool, work: _Work, now: float) -> None:
        pool.busy += 1
        work.holds = True
        calendar = pool.params.calendar
        begin = now if is_always(calendar) else self.seconds_or_never(next_working(calendar, self.moment(now)))
        if math.isfinite(begin):
            self.at(begin, lambda moment: self.begin(work, moment))

    def seconds_or_never(self, moment: datetime | None) -> float:
        return math.inf if moment is None else self.seconds(moment)

    def begin(self, work: _Work, now: float) -> None:
        if work.state != _State.ACTIVE:
            return
        work.started = now
        self.log(work.case, work.node, now, "start")
        seconds = work.planned
        if not math.isfinite(seconds):
            return
        calendar = self.pools[work.node.pool or ""].params.calendar
        if is_always(calendar):
            finish = now + seconds
        else:
            finish = self.seconds_or_never(add_working(calendar, self.moment(now), seconds))
        if math.isfinite(finish):
            self.at(finish, lambda moment: self.complete(work, moment))

    def release(self, work: _Work, now: float) -> None:
        pool = self.pools[work.node.pool or ""]
        work.holds = False
        pool.busy -= 1
        while pool.queue:
            _priority, _ready, _seq, waiting = heapq.heappop(pool.queue)
            if waiting.state == _State.ACTIVE:
                self.take(pool, waiting, now)
                return

    def split(self, case: _Case, node: SimNode, scope: int | None, now: float, *, consumed: int) -> None:
        """Leave a gateway along the chosen flows, consuming the ``consumed`` tokens that came in."""
        flows = self.choose_some(case, node) if len(node.outgoing) > 1 else node.outgoing
        for flow in flows:
            self.enter(case, flow.target, scope, now)
        self.leave(case, node.id, scope, now, count=consumed)

    # --- joins ----------------------------------------------------------------------------------

    def check_joins(self, case: _Case, now: float) -> None:
        """Fire every inclusive join of ``case`` that no live token can still reach."""
        for key in [k for k, waiting in case.joins.items() if waiting > 0]:
            node = self.model.node(key[0])
            if any(n in node.upstream and n != node.id and count > 0 for (n, _s), count in case.tokens.items()):
                continue
            waiting = case.joins.pop(key)
            self.split(case, node, key[1], now, consumed=waiting)


def _event(run: _Run, case: _Case, node: SimNode, scope: int | None, now: float) -> None:
    run.log(case, node, now, "start")
    run.log(case, node, now, "complete")
    if node.terminate:
        for key in list(case.tokens):
            del case.tokens[key]
        for work in [w for w in run.works.values() if w.case is case and w.state == _State.ACTIVE]:
            work.state = _State.ABORTED
            work.ended = now
            if work.holds:
                run.release(work, now)
        case.joins.clear()
        case.ended = now
        return
    run.follow(case, node, scope, now, node.outgoing)


def _step(run: _Run, case: _Case, node: SimNode, scope: int | None, now: float) -> None:
    work = run.activate(case, node, scope, now)
    if node.pool:
        run.request(work, now)
        return
    work.started = now
    run.log(case, node, now, "start")
    if node.kind == SimKind.SUBPROCESS:
        for start in node.starts:
            run.enter(case, start, work.id, now)
        if not node.starts:
            run.complete(work, now)
        return
    seconds = work.planned
    if math.isfinite(seconds):
        run.at(now + seconds, lambda moment: run.complete(work, moment) if work.state == _State.ACTIVE else None)


def _exclusive(run: _Run, case: _Case, node: SimNode, scope: int | None, now: float) -> None:
    flows = (run.choose_one(case, node),) if len(node.outgoing) > 1 else node.outgoing
    run.follow(case, node, scope, now, flows)


def _parallel(run: _Run, case: _Case, node: SimNode, scope: int | None, now: float) -> None:
    if node.incoming > 1:
        key = (node.id, scope)
        case.joins[key] += 1
        if case.joins[key] < node.incoming:
            return
        del case.joins[key]
        for flow in node.outgoing:
            run.enter(case, flow.target, scope, now)
        run.leave(case, node.id, scope, now, count=node.incoming)
        return
    run.follow(case, node, scope, now, node.outgoing)


def _inclusive(run: _Run, case: _Case, node: SimNode, scope: int | None, now: float) -> None:
    if node.incoming > 1:
        case.joins[(node.id, scope)] += 1
        run.check_joins(case, now)
        return
    run.split(case, node, scope, now, consumed=1)


def _event_based(run: _Run, case: _Case, node: SimNode, scope: int | None, now: float) -> None:
    run.follow(case, node, scope, now, (run.choose_one(case, node),))


_Handler = Callable[[_Run, _Case, SimNode, "int | None", float], None]
_HANDLERS: dict[SimKind, _Handler] = {
    SimKind.EVENT: _event,
    SimKind.BOUNDARY: _event,
    SimKind.WAIT: _step,
    SimKind.TASK: _step,
    SimKind.SUBPROCESS: _step,
    SimKind.EXCLUSIVE: _exclusive,
    SimKind.PARALLEL: _parallel,
    SimKind.INCLUSIVE: _inclusive,
    SimKind.EVENT_BASED: _event_based,
}


def simulate(model: SimModel, params: SimulationParams, *, rng: random.Random, cases: int | None = None) -> RunRecord:
    """Run the model: cases arrive over the arrival window (or until ``cases`` have come), the run
    stops ``observation_days - arrival_days`` after the arrivals stop."""
    for pool in model.pools:
        if pool not in params.pools:
            raise ParameterError(f"no parameters for the pool (lane) {pool!r}")
    arrivals = arrival_times(params, rng, cases)
    tail = (params.observation_days - params.arrival_days) * 86400
    last = arrivals[-1] if cases is not None and arrivals else params.arrival_days * 86400
    run = _Run(model=model, params=params, end=last + tail)
    run.pools = {name: _Pool(params=params.pools[name]) for name in model.pools}
    kinds = [_Kind.of(params, profile) for profile in params.profiles] or [_Kind.of(params, None)]
    shares = [profile.share for profile in params.profiles]
    for number, moment in enumerate(arrivals, start=1):
        stream = random.Random(rng.getrandbits(64))  # noqa: S311 - simulation  # nosec B311
        # the profile is the case stream's first draw, and only with profiles: without, the same
        # seed gives the same cases as before profiles existed
        kind = stream.choices(kinds, shares)[0] if params.profiles else kinds[0]
        case = _Case(number=number, arrived=moment, rng=stream, kind=kind)
        run.cases.append(case)
        run.at(moment, lambda now, case=case: run.enter(case, model.start, None, now))  # type: ignore[misc]
    while run.heap and run.heap[0][0] <= run.end:
        moment, _seq, action = heapq.heappop(run.heap)
        action(moment)
    return RunRecord(
        start=params.start,
        end=run.end,
        rows=tuple(run.rows),
        cases=tuple(CaseRecord(number=c.number, arrived=c.arrived, ended=c.ended) for c in run.cases),
        work=tuple(
            WorkRecord(element=w.node.id, pool=w.node.pool, ready=w.ready, started=w.started, ended=w.ended)
            for w in run.works.values()
            if w.node.pool
        ),
        pools={name: params.pools[name] for name in model.pools},
    )
