"""Optimal alignments of a log on an accepting Petri net (Adriansyah's cost-based replay).

An alignment pairs the trace with a run of the net from the initial to the final marking: a
synchronous move fires a transition carrying the event's activity (cost 0), a log move skips an
event (cost 1), a model move fires a visible transition without an event (cost 1) and a silent
transition costs next to nothing. Costs are kept in pm4py's units, 10 000 per deviation and 1 per
silent step, so the figures compare exactly:

    trace fitness = 1 - (cost // 10 000) / (best_worst // 10 000)
    log fitness   = 1 - sum(cost) / sum(best_worst)        (weighted by cases)

where ``best_worst`` is the cost of aligning the empty trace (the cheapest run of the model) plus
10 000 per event. The search is A* over (marking, trace position) with a consistent heuristic:
every remaining event whose activity no transition structurally reachable from the marked places
carries must become a log move. Each variant is aligned once; a variant whose search visits more
than ``max_states`` states is reported as not aligned instead of hanging.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from civicflow.mining._columns import LogLike
from civicflow.mining._compiled_net import CompiledNet, ConformanceError, compile_net
from civicflow.mining._petri import PetriNet
from civicflow.mining._reachability import UNREACHABLE, CostBound
from civicflow.mining._silent_steps import SilentSteps
from civicflow.mining._token_replay import log_variants

__all__ = [
    "DEVIATION_COST",
    "AlignmentResult",
    "DeviationCounts",
    "Move",
    "MoveKind",
    "VariantAlignment",
    "align",
    "align_trace",
]

DEVIATION_COST = 10_000
SILENT_COST = 1
DEFAULT_MAX_STATES = 250_000


class MoveKind(StrEnum):
    SYNC = "sync"
    LOG = "log"
    MODEL = "model"


@dataclass(frozen=True, slots=True, kw_only=True)
class Move:
    """One alignment step; ``label`` is the activity (None for a silent model move)."""

    kind: MoveKind
    label: str | None
    transition: str | None = None  # the fired transition's id (None for log moves)


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantAlignment:
    """The optimal alignment of one variant, or ``aligned=False`` when the state limit was hit."""

    activities: tuple[str, ...]
    count: int
    cases: tuple[str, ...]
    aligned: bool
    moves: tuple[Move, ...] = ()
    cost: int = 0  # pm4py units: 10 000 per log or visible model move, 1 per silent move
    best_worst_cost: int = 0  # cost of the empty trace plus 10 000 per event
    states: int = 0  # states the search visited

    @property
    def deviations(self) -> int:
        return self.cost // DEVIATION_COST

    @property
    def fitness(self) -> float:
        worst = self.best_worst_cost // DEVIATION_COST
        return 1.0 - self.deviations / worst if worst else 1.0

    @property
    def fitting(self) -> bool:
        return self.aligned and self.deviations == 0


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviationCounts:
    """Cases-weighted log moves and visible model moves of one activity."""

    log_moves: int = 0
    model_moves: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class AlignmentResult:
    """Log-level alignment figures over the aligned variants, and each variant's alignment."""

    log_fitness: float
    average_fitness: float
    fitting_traces_share: float  # 0-1, pm4py's percFitTraces / 100
    variants: tuple[VariantAlignment, ...] = ()
    not_aligned: int = 0  # variants whose search hit the state limit
    deviation_points: Mapping[str, DeviationCounts] = field(default_factory=dict)
    case_index: Mapping[str, int] = field(default_factory=dict, repr=False)  # case id -> variant position

    def for_case(self, case_id: str) -> VariantAlignment:
        """The alignment of the variant that ``case_id`` follows (KeyError for an unknown case)."""
        return self.variants[self.case_index[case_id]]


_EXPAND, _MODEL_MOVES = 0, 1
_State = tuple[bytes, int]
# how a state was reached: (previous state, move kind, transition or event index, marking fired from)
_Step = tuple[_State, MoveKind, int, bytes]


class _Aligner:
    def __init__(self, net: CompiledNet, max_states: int) -> None:
        self.net = net
        self.max_states = max_states
        self.bounds = CostBound(net)
        self.silent = SilentSteps(
            net, safe=self.bounds.safe, alive=lambda marking: self.bounds.to_end(marking)[0] < UNREACHABLE
        )
        self._visible = tuple(t for t, label in enumerate(net.labels) if label is not None)
        self._empty_cost: int | None = None

    def empty_cost(self) -> int:
        """The cost of the cheapest run of the model (aligning the empty trace)."""
        if self._empty_cost is None:
            found = self.search(())
            if found is None:
                raise ConformanceError("the final marking is not reached within the state limit (no model run)")
            self._empty_cost = found[0]
        return self._empty_cost

    def search(self, trace: tuple[str, ...]) -> tuple[int, list[tuple[MoveKind, int]], int] | None:
        """A* over (marking, position): (cost, moves as (kind, transition or event index), states) or None.

        A move is a log move, or a visible transition (synchronous or model move) together with the
        silent transitions fired just before it; the final marking may be reached by silent
        transitions at the end. Every alignment can be reordered into that shape at equal cost (log
        moves never need to wait behind silent ones), so optimality is kept. Visible model moves
        cost a deviation each and are generated only when the search gets that far (a deferred
        queue entry per state: partial expansion); most traces never need them.
        """
        n = len(trace)
        net = self.net
        final = net.final
        bound = self.bounds.bound(trace, DEVIATION_COST, SILENT_COST)
        toward = self.silent.steps_toward
        by_label = net.by_label
        start: _State = (net.initial, 0)
        best: dict[_State, int] = {start: 0}
        parent: dict[_State, _Step] = {}
        closed: set[_State] = set()
        # entries: (f, -position, -g, marking, kind); ties go deeper into the trace, then further along
        queue: list[tuple[int, int, int, bytes, int]] = [(bound(start[0], 0), 0, 0, start[0], _EXPAND)]
        try:
            while queue:
                f, neg_i, neg_g, marking, kind = heapq.heappop(queue)
                i, g = -neg_i, -neg_g
                state = (marking, i)
                successors: list[tuple[bytes, int, int, MoveKind, int, bytes]] = []
                if kind == _MODEL_MOVES:
                    for t in self._visible:
                        for _, after, taus, via in toward(marking, t):
                            successors.append((after, i, taus * SILENT_COST + DEVIATION_COST, MoveKind.MODEL, t, via))
                else:
                    if state in closed:
                        continue
                    closed.add(state)
                    if len(closed) > self.max_states:
                        return None
                    if i == n:
                        # at the end, silent transitions lead to the final marking one by one: a
                        # full silent closure can be huge, while the exact bound steers this search
                        if marking == final:
                            return g, self._moves(parent, state), len(closed)
                        successors.extend(
                            (net.fire(marking, t), n, SILENT_COST, MoveKind.MODEL, t, marking)
                            for t in net.silent
                            if net.enabled(marking, t)
                        )
                    else:
                        successors.append((marking, i + 1, DEVIATION_COST, MoveKind.LOG, i, marking))
                        for t in by_label.get(trace[i], ()):
                            for _, after, taus, via in toward(marking, t):
                                successors.append((after, i + 1, taus * SILENT_COST, MoveKind.SYNC, t, via))
                    heapq.heappush(queue, (max(f, g + DEVIATION_COST), neg_i, neg_g, marking, _MODEL_MOVES))
                for after, j, cost, move, ref, via in successors:
                    key = (after, j)
                    new_g = g + cost
                    if key in closed or best.get(key, new_g + 1) <= new_g:
                        continue
                    h = bound(after, j)
                    if h >= UNREACHABLE:
                        continue
                    best[key] = new_g
                    parent[key] = (state, move, ref, via)
                    heapq.heappush(queue, (new_g + h, -j, -new_g, after, _EXPAND))
        except ConformanceError:
            return None  # a marking exceeded the token or silent-closure bound: reported as not aligned
        return None

    def _moves(self, parent: dict[_State, _Step], state: _State) -> list[tuple[MoveKind, int]]:
        """The moves ending in ``state``, with the silent transitions before each visible one spelled out."""
        path = self.silent.path
        moves: list[tuple[MoveKind, int]] = []
        while state in parent:
            previous, kind, ref, via = parent[state]
            moves.append((kind, ref))
            if kind is not MoveKind.LOG and self.net.labels[ref] is not None:
                moves.extend((MoveKind.MODEL, t) for t in reversed(path(previous[0], via, ref)))
            state = previous
        return moves[::-1]


def align_trace(
    activities: tuple[str, ...], net: PetriNet | CompiledNet, *, max_states: int = DEFAULT_MAX_STATES
) -> VariantAlignment:
    """The optimal alignment of one activity sequence."""
    compiled = net if isinstance(net, CompiledNet) else compile_net(net)
    return _align_variant(_Aligner(compiled, max_states), activities, ())


def _align_variant(aligner: _Aligner, activities: tuple[str, ...], cases: tuple[str, ...]) -> VariantAlignment:
    net = aligner.net
    found = aligner.search(activities)
    worst = aligner.empty_cost() + DEVIATION_COST * len(activities)
    if found is None:
        return VariantAlignment(
            activities=activities, count=len(cases), cases=cases, aligned=False, best_worst_cost=worst
        )
    cost, steps, states = found
    moves = tuple(
        Move(kind=kind, label=activities[ref], transition=None)
        if kind is MoveKind.LOG
        else Move(kind=kind, label=net.labels[ref], transition=net.transitions[ref])
        for kind, ref in steps
    )
    return VariantAlignment(
        activities=activities,
        count=len(cases),
        cases=cases,
        aligned=True,
        moves=moves,
        cost=cost,
        best_worst_cost=worst,
        states=states,
    )


def align(log: LogLike, net: PetriNet | CompiledNet, *, max_states: int = DEFAULT_MAX_STATES) -> AlignmentResult:
    """Align every variant of ``log`` on ``net`` optimally; figures are weighted by cases."""
    compiled = net if isinstance(net, CompiledNet) else compile_net(net)
    aligner = _Aligner(compiled, max_states)
    results = tuple(_align_variant(aligner, activities, cases) for activities, cases in log_variants(log))
    done = [v for v in results if v.aligned]
    cases = sum(v.count for v in done)
    worst = sum(v.best_worst_cost * v.count for v in done)
    log_moves: Counter[str] = Counter()
    model_moves: Counter[str] = Counter()
    for variant in done:
        for move in variant.moves:
            if move.kind is MoveKind.LOG and move.label is not None:
                log_moves[move.label] += variant.count
            elif move.kind is MoveKind.MODEL and move.label is not None:
                model_moves[move.label] += variant.count
    points = {
        label: DeviationCounts(log_moves=log_moves[label], model_moves=model_moves[label])
        for label in sorted(log_moves.keys() | model_moves.keys())
    }
    return AlignmentResult(
        log_fitness=1.0 - sum(v.cost * v.count for v in done) / worst if worst else 1.0,
        average_fitness=sum(v.fitness * v.count for v in done) / cases if cases else 1.0,
        fitting_traces_share=sum(v.count for v in done if v.fitting) / cases if cases else 1.0,
        variants=results,
        not_aligned=len(results) - len(done),
        deviation_points=points,
        case_index={case: i for i, variant in enumerate(results) for case in variant.cases},
    )
