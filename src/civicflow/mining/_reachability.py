"""Lower bounds for alignment search, judged from the net's structure alone.

Two bounds on the cost still to come from a search state (marking, trace position); both are
consistent (no move lowers a bound by more than the move costs), so their maximum is, and A*
with a closed set stays optimal.

* Reach bound. A transition can fire later only if the net's graph leads to it from a marked
  place. Remaining events whose activity no such transition carries (``miss``) must be log moves.
  Every token on a non-final place must be consumed, along a path of transitions to a final place,
  so at least ``visible`` visible and ``silent`` silent transitions still fire (the longest of the
  per-place shortest paths). The other ``rest`` events can at best pair with the visible ones:
  ``deviation * (miss + max(0, visible - rest)) + silent * silent_cost``.
  When the net's reachability graph has at most ``REACHABILITY_LIMIT`` markings, ``visible`` and
  ``silent`` are exact instead: the fewest visible (silent) transitions of any run to the final
  marking, found once per net by a backward search (shortest paths are consistent by the triangle
  inequality, and a marking that cannot reach the final marking is pruned at once).
* Next-event bound. The next event is a log move (one deviation), or fires after a visible model
  move (one deviation) or after silent transitions only. Those must put a token on every input
  place of a transition carrying its activity, each at least the silent distance from some marked
  place: ``deviation * miss + min(deviation, enabling distance)``.

On a reachability graph of at most ``LEVELS_LIMIT`` markings, :class:`DeviationLevels` gives the
exact fewest deviations still to come instead, per trace, from bit sets of markings (see there);
the alignment search then runs on the graph itself.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from civicflow.mining._compiled_net import CompiledNet, ConformanceError

__all__ = ["UNREACHABLE", "CostBound", "DeviationLevels", "ReachabilityGraph"]

UNREACHABLE = 1 << 40
# Markings enumerated for exact distances to the final marking; larger nets use structural bounds.
REACHABILITY_LIMIT = 50_000


class CostBound:
    """Per-net tables for the two bounds; per-marking results are cached across traces."""

    def __init__(self, net: CompiledNet) -> None:
        self.net = net
        free = frozenset(label for t in net.always_enabled if (label := net.labels[t]) is not None)
        self._per_place = tuple(_reachable_labels(net, place) | free for place in range(len(net.places)))
        self._visible_to_end = _to_end(net, silent=False)
        self._silent_to_end = _to_end(net, silent=True)
        self._silent_distance = tuple(_silent_distances(net, place) for place in range(len(net.places)))
        self._labels: dict[bytes, frozenset[str]] = {}
        # exact distances when the reachability graph is small enough to enumerate, else structural
        graph = _enumerate(net, REACHABILITY_LIMIT)
        self._end: dict[bytes, tuple[int, int]] = _exact_to_end(graph, net) or {}
        self._exact = bool(self._end)
        # safe: no reachable marking puts two tokens on a place (known only when enumerated)
        self.safe = self._exact and all(max(marking) <= 1 for marking in self._end)
        self._enabling: dict[tuple[bytes, str], int] = {}
        small = graph is not None and self._exact and len(graph.order) <= LEVELS_LIMIT
        self.graph = graph if small else None
        self.levels = DeviationLevels(net, graph) if small and graph is not None else None

    def labels(self, marking: bytes) -> frozenset[str]:
        """Activities of transitions the net's graph leads to from the marked places."""
        found = self._labels.get(marking)
        if found is None:
            found = frozenset().union(*(self._per_place[p] for p, tokens in enumerate(marking) if tokens))
            self._labels[marking] = found
        return found

    def to_end(self, marking: bytes) -> tuple[int, int]:
        """Lower bounds on (visible, silent) transitions any run to the final marking fires."""
        found = self._end.get(marking)
        if found is None:
            if self._exact:  # enumerated, so a missing marking cannot reach the final one
                return (UNREACHABLE, UNREACHABLE)
            marked = [p for p, tokens in enumerate(marking) if tokens]
            found = (
                max((self._visible_to_end[p] for p in marked), default=0),
                max((self._silent_to_end[p] for p in marked), default=0),
            )
            self._end[marking] = found
        return found

    def enabling(self, marking: bytes, activity: str) -> int:
        """Fewest silent firings (by place distances) before a transition carrying ``activity`` is enabled."""
        key = (marking, activity)
        found = self._enabling.get(key)
        if found is None:
            marked = [p for p, tokens in enumerate(marking) if tokens]
            found = UNREACHABLE
            for t in self.net.by_label.get(activity, ()):
                need = 0
                for place, weight in self.net.pre[t]:
                    if marking[place] >= weight:
                        continue
                    # a place already holding some tokens still needs more: at least one firing
                    near = min((self._silent_distance[p][place] for p in marked), default=UNREACHABLE)
                    need = max(need, max(near, 1) if marking[place] else near)
                found = min(found, need)
            self._enabling[key] = found
        return found

    def bound(self, trace: tuple[str, ...], deviation: int, silent: int) -> Callable[[bytes, int], int]:
        """``h(marking, position)`` for ``trace``: the larger of the two bounds, or ``UNREACHABLE``."""
        suffix_counts: dict[frozenset[str], list[int]] = {}
        n = len(trace)

        def h(marking: bytes, position: int) -> int:
            labels = self.labels(marking)
            counts = suffix_counts.get(labels)
            if counts is None:
                counts = [0] * (n + 1)
                for i in range(n - 1, -1, -1):
                    counts[i] = counts[i + 1] + (trace[i] not in labels)
                suffix_counts[labels] = counts
            miss = counts[position]
            visible, taus = self.to_end(marking)
            if visible >= UNREACHABLE:
                return UNREACHABLE
            reach = (miss + max(0, visible - (n - position - miss))) * deviation + taus * silent
            if position == n or trace[position] not in labels:
                return reach
            nxt = miss * deviation + min(deviation, self.enabling(marking, trace[position]) * silent)
            return max(reach, nxt)

        return h


def _reachable_labels(net: CompiledNet, place: int) -> frozenset[str]:
    labels: set[str] = set()
    seen_places = {place}
    seen_transitions: set[int] = set()
    stack = [place]
    while stack:
        for t in net.consumers[stack.pop()]:
            if t in seen_transitions:
                continue
            seen_transitions.add(t)
            if (label := net.labels[t]) is not None:
                labels.add(label)
            for target, _ in net.post[t]:
                if target not in seen_places:
                    seen_places.add(target)
                    stack.append(target)
    return frozenset(labels)


def _to_end(net: CompiledNet, *, silent: bool) -> tuple[int, ...]:
    """Per place, the fewest visible (or silent) transitions on a path to a final place or an output-less one."""
    dist = [0 if tokens else UNREACHABLE for tokens in net.final]
    # Bellman-Ford style relaxation: weights are 0/1 and nets are small, so this settles quickly
    changed = True
    while changed:
        changed = False
        for place in range(len(dist)):
            for t in net.consumers[place]:
                step = int((net.labels[t] is None) is silent)
                after = min((dist[q] for q, _ in net.post[t]), default=0)
                if after < UNREACHABLE and step + after < dist[place]:
                    dist[place] = step + after
                    changed = True
    return tuple(dist)


def _silent_distances(net: CompiledNet, source: int) -> tuple[int, ...]:
    """Fewest silent transitions on a path from ``source`` to each place (0 for itself)."""
    dist = [UNREACHABLE] * len(net.places)
    dist[source] = 0
    frontier = [source]
    while frontier:
        following = []
        for place in frontier:
            for t in net.consumers[place]:
                if net.labels[t] is not None:
                    continue
                for target, _ in net.post[t]:
                    if dist[target] == UNREACHABLE:
                        dist[target] = dist[place] + 1
                        following.append(target)
        frontier = following
    return tuple(dist)


class ReachabilityGraph:
    """The enumerated reachability graph: markings in breadth-first order and (from, transition, to) edges."""

    __slots__ = ("edges", "index", "order")

    def __init__(self, order: list[bytes], index: dict[bytes, int], edges: list[tuple[int, int, int]]) -> None:
        self.order = order
        self.index = index
        self.edges = edges


def _enumerate(net: CompiledNet, limit: int) -> ReachabilityGraph | None:
    """Every marking reachable from the initial one, or ``None`` beyond ``limit`` (or the token bound)."""
    index = {net.initial: 0}
    order = [net.initial]
    edges: list[tuple[int, int, int]] = []
    try:
        position = 0
        while position < len(order):
            for t, after in net.successors(order[position]):
                target = index.get(after)
                if target is None:
                    if len(order) >= limit:
                        return None
                    target = index[after] = len(order)
                    order.append(after)
                edges.append((position, t, target))
            position += 1
    except ConformanceError:
        return None
    return ReachabilityGraph(order, index, edges)


def _exact_to_end(graph: ReachabilityGraph | None, net: CompiledNet) -> dict[bytes, tuple[int, int]] | None:
    """Per reachable marking, the fewest (visible, silent) transitions to the final marking.

    ``None`` when the graph was not enumerated; empty when the final marking is unreachable.
    """
    if graph is None:
        return None
    goal = graph.index.get(net.final)
    if goal is None:
        return {}
    # reverse edges: for each marking, (predecessor, transition is silent)
    back: list[list[tuple[int, bool]]] = [[] for _ in graph.order]
    for source, t, target in graph.edges:
        back[target].append((source, net.labels[t] is None))
    visible = _backward_01(back, goal, silent_costs=False)
    silent = _backward_01(back, goal, silent_costs=True)
    return {marking: (visible[i], silent[i]) for i, marking in enumerate(graph.order) if visible[i] < UNREACHABLE}


def _backward_01(back: list[list[tuple[int, bool]]], goal: int, *, silent_costs: bool) -> list[int]:
    """0-1 breadth-first search over reversed edges: an edge costs 1 when its kind is the counted one."""
    dist = [UNREACHABLE] * len(back)
    dist[goal] = 0
    queue = deque([goal])
    while queue:
        node = queue.popleft()
        for previous, is_silent in back[node]:
            step = int(is_silent is silent_costs)
            if dist[node] + step < dist[previous]:
                dist[previous] = dist[node] + step
                if step:
                    queue.append(previous)
                else:
                    queue.appendleft(previous)
    return dist


# --- exact deviations to go, on small reachability graphs ----------------------------------------

# Markings for which deviation levels are kept as bit sets (per-label tables grow with the square).
LEVELS_LIMIT = 2_000
# Positions times levels computed per trace; beyond it the levels stop early (the bound is then capped).
LEVEL_BUDGET = 6_000


class _PreImage:
    """A relation on markings as bit sets: ``image(x)`` is every marking with a step into ``x``.

    Images are unions of per-marking rows, looked up four bits of ``x`` at a time in tables built
    on first use (a dense set of 700 markings costs some 180 lookups instead of 700 unions).
    """

    __slots__ = ("_rows", "_tables")

    def __init__(self, rows: list[int]) -> None:
        self._rows = rows
        self._tables: dict[int, list[int]] = {}

    def _table(self, nibble: int) -> list[int]:
        rows = self._rows
        base = 4 * nibble
        table = [0] * 16
        for value in range(1, 16):
            low = (value & -value).bit_length() - 1
            row = rows[base + low] if base + low < len(rows) else 0
            table[value] = table[value & (value - 1)] | row
        self._tables[nibble] = table
        return table

    def image(self, x: int) -> int:
        out = 0
        tables = self._tables
        for k, byte in enumerate(x.to_bytes((x.bit_length() + 7) // 8, "little")):
            if byte:
                if low := byte & 15:
                    out |= (tables.get(2 * k) or self._table(2 * k))[low]
                if high := byte >> 4:
                    out |= (tables.get(2 * k + 1) or self._table(2 * k + 1))[high]
        return out


class DeviationLevels:
    """Fewest deviations still to come from (marking, position), exactly, by backward bit-set levels.

    ``B[d][i]`` is the set of markings from which ``trace[i:]`` aligns with at most ``d`` log or
    visible model moves (silent transitions free): a synchronous move (silent steps, then a
    transition carrying ``trace[i]``) into ``B[d][i + 1]``, a log move into ``B[d - 1][i + 1]``, or a
    model move (silent steps, then a visible transition) into ``B[d - 1][i]``. Levels are built
    until the initial marking is in one (its level is the trace's fewest deviations) or the budget
    is spent; a state in no level is at least one level beyond the last. The exact count to go
    is consistent, and so is its cap, so A* with it stays optimal.
    """

    def __init__(self, net: CompiledNet, graph: ReachabilityGraph) -> None:
        self.index = graph.index
        size = len(graph.order)
        silent_in: list[list[int]] = [[] for _ in range(size)]
        for source, t, target in graph.edges:
            if net.labels[t] is None and source != target:
                silent_in[target].append(source)
        # closure[v]: markings with a silent path to v (v itself included), iterated to a fixpoint
        closure = [1 << v for v in range(size)]
        changed = True
        while changed:
            changed = False
            for v in range(size):
                grown = closure[v]
                for u in silent_in[v]:
                    grown |= closure[u]
                if grown != closure[v]:
                    closure[v] = grown
                    changed = True
        by_label: dict[str, list[int]] = {label: [0] * size for label in net.by_label}
        visible = [0] * size
        for source, t, target in graph.edges:
            if (label := net.labels[t]) is not None:
                by_label[label][target] |= closure[source]
                visible[target] |= closure[source]
        self._sync = {label: _PreImage(rows) for label, rows in by_label.items()}
        self._model = _PreImage(visible)
        goal = graph.index.get(net.final)
        self._end = 0 if goal is None else closure[goal]
        self._initial = 1 << graph.index[net.initial]

    def levels(self, trace: tuple[str, ...]) -> tuple[list[list[int]], list[list[int]]]:
        """``(B, M)``: the levels, and per level ``d >= 1`` the markings with a model move into ``B[d - 1]``."""
        n = len(trace)
        cap = max(2, LEVEL_BUDGET // (n + 1))
        model = self._model.image
        sync = [self._sync.get(label) for label in trace]
        found: list[list[int]] = []
        modelled: list[list[int]] = [[0] * (n + 1)]  # level 0 has no model move into a lower level
        previous: list[int] | None = None
        while len(found) < cap:
            level = [0] * (n + 1)
            into = [0] * (n + 1)
            if previous is None:
                level[n] = self._end
            else:
                into[n] = model(previous[n])
                level[n] = previous[n] | into[n]
            for i in range(n - 1, -1, -1):
                step = sync[i]
                x = step.image(level[i + 1]) if step is not None else 0
                if previous is not None:
                    into[i] = model(previous[i])
                    x |= previous[i + 1] | previous[i] | into[i]
                level[i] = x
            found.append(level)
            if previous is not None:
                modelled.append(into)
            if level[0] & self._initial:
                break
            previous = level
        return found, modelled
