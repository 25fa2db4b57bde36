"""Optimal alignments of a log on an accepting Petri net (Adriansyah's cost-based replay).

An alignment pairs the trace with a run of the net from the initial to the final marking: a
synchronous move fires a transition carrying the event's activity (cost 0), a log move skips an
event (cost 1), a model move fires a visible transition without an event (cost 1) and a silent
transition costs next to nothing. Costs are kept in pm4py's units, 10 000 per deviation and 1 per
silent step, so the figures compare exactly:

    trace fitness = 1 - (cost // 10 000) / (best_worst // 10 000)
    log fitness   = 1 - sum(cost) / sum(best_worst)        (weighted by cases)

where ``best_worst`` is the cost of aligning the empty trace (the cheapest run of the model) plus
10 000 per event. The search is A* over (marking, trace position) with a consistent heuristic.
When the net's reachability graph is small (most discovered models: bpic2012's has 722 markings)
the heuristic is the exact number of deviations still needed, computed per trace by backward bit
sets over the graph, plus a lower bound on the silent steps, and a state's moves come in order of
what they can cost (partial expansion); otherwise every remaining event whose activity no
transition structurally reachable from the marked places carries must become a log move. Each
variant is aligned once; a variant whose search visits more than ``max_states`` states is
reported as not aligned instead of hanging.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from civicflow.mining._columns import LogLike
from civicflow.mining._compiled_net import CompiledNet, ConformanceError, compile_net
from civicflow.mining._petri import PetriNet
from civicflow.mining._reachability import UNREACHABLE, CostBound, DeviationLevels, ReachabilityGraph
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
# the graph search's deferred entries (model moves into the next lower level, every other move)
# and which moves _GraphSearch._moves yields
_MODEL, _REST, _TIGHT, _ALL = 2, 3, 4, 5
_State = tuple[bytes, int]
# how a state was reached: (previous state, move kind, transition or event index, marking fired from)
_Step = tuple[_State, MoveKind, int, bytes]
_S = TypeVar("_S", _State, int)
# (marking index reached, position reached, cost, move, transition or event index, marking fired from)
_Successor = tuple[int, int, int, MoveKind, int, bytes]


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
        if self.bounds.levels is not None and self.bounds.graph is not None:
            self._graph = _GraphSearch(self, self.bounds.levels, self.bounds.graph)

    def empty_cost(self) -> int:
        """The cost of the cheapest run of the model (aligning the empty trace)."""
        if self._empty_cost is None:
            found = self.search(())
            if found is None:
                raise ConformanceError("the final marking is not reached within the state limit (no model run)")
            self._empty_cost = found[0]
        return self._empty_cost

    def search(self, trace: tuple[str, ...]) -> tuple[int, list[tuple[MoveKind, int]], int] | None:
        if self.bounds.levels is not None:
            return self._graph.search(trace)
        return self._search(trace)

    def _search(self, trace: tuple[str, ...]) -> tuple[int, list[tuple[MoveKind, int]], int] | None:
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
        return self._moves_by(parent, state, lambda previous: previous[0])

    def _moves_by(
        self, parent: Mapping[_S, tuple[_S, MoveKind, int, bytes]], state: _S, marking: Callable[[_S], bytes]
    ) -> list[tuple[MoveKind, int]]:
        """The moves ending in ``state``, with the silent transitions before each visible one spelled out."""
        path = self.silent.path
        moves: list[tuple[MoveKind, int]] = []
        while state in parent:
            previous, kind, ref, via = parent[state]
            moves.append((kind, ref))
            if kind is not MoveKind.LOG and self.net.labels[ref] is not None:
                moves.extend((MoveKind.MODEL, t) for t in reversed(path(marking(previous), via, ref)))
            state = previous
        return moves[::-1]


# (marking index reached, cost, transition, marking it fired from)
_Step4 = tuple[int, int, int, bytes]


class _Fan:
    """The moves out of one marking, grouped by the marking they reach (also kept as a bit set)."""

    __slots__ = ("_by_target", "_mask")

    def __init__(self, steps: list[_Step4]) -> None:
        self._by_target: dict[int, list[_Step4]] = {}
        for step in steps:
            self._by_target.setdefault(step[0], []).append(step)
        self._mask = sum(1 << v for v in self._by_target)

    def into(self, markings: int) -> list[_Step4]:
        """The moves reaching a marking in the bit set ``markings`` (-1: all)."""
        common = self._mask & markings
        found: list[_Step4] = []
        while common:
            low = common & -common
            found.extend(self._by_target[low.bit_length() - 1])
            common ^= low
        return found


class _GraphSearch:
    """A* on a small enumerated reachability graph, with the exact deviations to go as the bound.

    States are integers ``marking index * (n + 1) + position``; the moves out of a marking (silent
    steps then a visible transition) are computed once per net. The bound is the exact count of
    deviations still needed (:class:`DeviationLevels`) in units of 10 000 plus the fewest silent
    transitions to the final marking; the deferred model moves of a state are keyed by the
    cheapest state they can reach, so they are generated only where a model move can pay.
    """

    def __init__(self, aligner: _Aligner, levels: DeviationLevels, graph: ReachabilityGraph) -> None:
        net = aligner.net
        self.aligner = aligner
        self.levels = levels
        self.order = graph.order
        self.index = graph.index
        end = aligner.bounds.to_end
        self.tau_end = [end(marking)[1] for marking in graph.order]
        self.final = graph.index.get(net.final, -1)
        # per marking, the silent transitions out of it, as moves: (marking reached, cost, transition, from)
        silent_out: list[list[_Step4]] = [[] for _ in graph.order]
        for source, t, target in graph.edges:
            if net.labels[t] is None and self.tau_end[target] < UNREACHABLE:
                silent_out[source].append((target, SILENT_COST, t, graph.order[source]))
        self.silent_out = [_Fan(steps) for steps in silent_out]
        self._sync: dict[tuple[int, str], _Fan] = {}
        self._model: dict[int, _Fan] = {}
        self._fitting_bounds(net, graph)

    def _fitting_bounds(self, net: CompiledNet, graph: ReachabilityGraph) -> None:
        """Silent firings a fitting rest of a trace needs at least, from tables over the graph.

        ``enable[a][u]``: fewest silent steps from marking u until a transition carrying ``a`` is
        enabled; ``between[a][b]``: the fewest from any marking a transition carrying ``a`` leads
        to until ``b`` is enabled (``b`` None: until the final marking). A rest aligned without
        deviations fires its events in order, so it needs the sum of those along the trace.
        """
        size = len(graph.order)
        silent_in: list[list[int]] = [[] for _ in range(size)]
        enabled: dict[str, list[int]] = {label: [] for label in net.by_label}
        after: dict[str, set[int]] = {label: set() for label in net.by_label}
        for source, t, target in graph.edges:
            if (label := net.labels[t]) is None:
                silent_in[target].append(source)
            else:
                enabled[label].append(source)
                after[label].add(target)

        def distances(sources: list[int]) -> list[int]:
            dist = [UNREACHABLE] * size
            frontier = list(dict.fromkeys(sources))
            for v in frontier:
                dist[v] = 0
            while frontier:
                following = []
                for v in frontier:
                    for w in silent_in[v]:
                        if dist[w] == UNREACHABLE:
                            dist[w] = dist[v] + 1
                            following.append(w)
                frontier = following
            return dist

        self.enable = {label: distances(sources) for label, sources in enabled.items()}
        self.silent_final = distances([self.final] if self.final >= 0 else [])
        ends: dict[str | None, list[int]] = {None: self.silent_final}
        ends.update(self.enable)
        self.between = {
            a: {b: min((dist[v] for v in targets), default=UNREACHABLE) for b, dist in ends.items()}
            for a, targets in after.items()
        }

    def _steps(self, u: int, transitions: tuple[int, ...]) -> _Fan:
        """(marking reached, cost of the silent firings, transition, marking it fired from) per visible firing."""
        toward = self.aligner.silent.steps_toward
        index, marking = self.index, self.order[u]
        return _Fan(
            [
                (index[after], taus * SILENT_COST, t, via)
                for t in transitions
                for _, after, taus, via in toward(marking, t)
            ]
        )

    def search(self, trace: tuple[str, ...]) -> tuple[int, list[tuple[MoveKind, int]], int] | None:
        """A* with partial expansion: a state first yields the moves that keep its deviations to go.

        Those are synchronous moves into the same level, log moves into the next lower one, and
        (deferred, as they are many) model moves into the next lower one; each keeps ``f``'s
        deviations. Every other move costs a level more, so all of them wait in one deferred entry
        keyed by that. Beyond the last level built, a state yields all its moves at once.
        """
        n = len(trace)
        width = n + 1
        levels, modelled = self.levels.levels(trace)
        beyond = len(levels)
        tau_end = self.tau_end
        max_states = self.aligner.max_states

        def to_go(u: int, i: int) -> int:
            bit = 1 << u
            for d, level in enumerate(levels):
                if level[i] & bit:
                    return d
            return beyond

        # fitting[i]: silent firings the events after i need at least when all are synchronous
        fitting = [0] * width
        enable = [self.enable.get(label) for label in trace]
        if n and all(e is not None for e in enable):
            fitting[n - 1] = self.between[trace[n - 1]][None]
            for i in range(n - 2, -1, -1):
                fitting[i] = min(UNREACHABLE, fitting[i + 1] + self.between[trace[i]][trace[i + 1]])
        silent_final = self.silent_final
        cap = DEVIATION_COST - 1

        def h(v: int, j: int) -> int:
            """Deviations to go in 10 000s, plus silent firings: for a fitting rest, the sum above."""
            d = to_go(v, j)
            if d:
                return d * DEVIATION_COST + tau_end[v] * SILENT_COST
            if j == n:
                taus = silent_final[v]
            else:
                need = enable[j]
                taus = need[v] + fitting[j] if need is not None else UNREACHABLE
            return max(tau_end[v], min(taus, cap)) * SILENT_COST

        u0 = self.index[self.aligner.net.initial]
        if tau_end[u0] >= UNREACHABLE:
            return None
        best: dict[int, int] = {u0 * width: 0}
        parent: dict[int, tuple[int, MoveKind, int, bytes]] = {}
        closed: set[int] = set()
        # entries: (f, -position, -g, state, kind); ties go deeper into the trace, then further along
        queue = [(h(u0, 0), 0, 0, u0 * width, _EXPAND)]
        push, pop = heapq.heappush, heapq.heappop
        try:
            while queue:
                _, neg_i, neg_g, state, kind = pop(queue)
                i, g = -neg_i, -neg_g
                u = state // width
                d = to_go(u, i)
                if kind == _EXPAND:
                    if state in closed:
                        continue
                    closed.add(state)
                    if len(closed) > max_states:
                        return None
                    if i == n and u == self.final:
                        return g, self.aligner._moves_by(parent, state, self._marking_of(width)), len(closed)
                    if d >= beyond:  # no level to steer by: every move now, model moves deferred
                        moves = self._moves(trace, levels, u, i, d=-1, which=_ALL)
                        push(queue, (g + DEVIATION_COST, neg_i, neg_g, state, _MODEL))
                    else:
                        moves = self._moves(trace, levels, u, i, d=d, which=_TIGHT)
                        if d and modelled[d][i] >> u & 1:
                            push(queue, (g + DEVIATION_COST * d, neg_i, neg_g, state, _MODEL))
                        push(queue, (g + DEVIATION_COST * (d + 1), neg_i, neg_g, state, _REST))
                elif kind == _MODEL:
                    moves = self._model_moves(u, i, levels[d - 1][i] if 0 < d < beyond else -1)
                else:
                    moves = self._moves(trace, levels, u, i, d=d, which=_REST)
                    moves += self._model_moves(u, i, ~levels[d - 1][i] if d else -1)
                for v, j, cost, move, ref, via in moves:
                    key = v * width + j
                    new_g = g + cost
                    if key in closed or best.get(key, new_g + 1) <= new_g:
                        continue
                    best[key] = new_g
                    parent[key] = (state, move, ref, via)
                    push(queue, (new_g + h(v, j), -j, -new_g, key, _EXPAND))
        except ConformanceError:
            return None
        return None

    def _moves(
        self, trace: tuple[str, ...], levels: list[list[int]], u: int, i: int, *, d: int, which: int
    ) -> list[_Successor]:
        """Synchronous and log moves from (u, i) (silent ones at the end): those keeping the level
        (``_TIGHT``), the others (``_REST``) or all (``_ALL``); ``d`` is the level of (u, i)."""
        n = len(trace)
        moves: list[_Successor] = []
        if i == n:
            steps, j, kind = self.silent_out[u], n, MoveKind.MODEL
        else:
            label = trace[i]
            cached = self._sync.get((u, label))
            if cached is None:
                cached = self._sync[(u, label)] = self._steps(u, self.aligner.net.by_label.get(label, ()))
            steps = cached
            j, kind = i + 1, MoveKind.SYNC
            if which == _ALL or (d > 0 and levels[d - 1][j] >> u & 1) == (which == _TIGHT):
                moves.append((u, j, DEVIATION_COST, MoveKind.LOG, i, b""))
        keep = -1 if which == _ALL else levels[d][j] if which == _TIGHT else ~levels[d][j]
        moves.extend((v, j, cost, kind, t, via) for v, cost, t, via in steps.into(keep))
        return moves

    def _model_moves(self, u: int, i: int, into: int) -> list[_Successor]:
        """Visible model moves from (u, i) whose marking is in the bit set ``into``."""
        steps = self._model.get(u)
        if steps is None:
            steps = self._model[u] = self._steps(u, self.aligner._visible)
        cost = DEVIATION_COST
        return [(v, i, cost + taus, MoveKind.MODEL, t, via) for v, taus, t, via in steps.into(into)]

    def _marking_of(self, width: int) -> Callable[[int], bytes]:
        order = self.order
        return lambda state: order[state // width]


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
