"""Inductive miner (IM) and its infrequent-behaviour variant (IMf) on trace variants.

Following Leemans, Fahland and van der Aalst (2013): find a cut (exclusive choice, sequence,
parallel, loop) in the directly-follows graph, split the log along it and recurse; when no cut
exists, fall through (empty traces, an activity once per trace, a concurrent activity, strict tau
loop, tau loop, flower model). IMf first looks for a cut in the full graph and only then in the
graph without infrequent edges: an edge a->b counts when its frequency is at least
``noise_threshold`` times the most frequent edge leaving a (start and end activities likewise).

The log is reduced once, by polars, to its variants with counts; all later work is on those
variants (activities numbered, traces as int tuples), never on single events. Recursion is driven
by an explicit work list, so a log with hundreds of activities cannot exhaust the Python stack.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain, compress, groupby, pairwise
from typing import Any

import polars as pl

from civicflow.mining._columns import ACTIVITY, LogLike, events_of
from civicflow.mining._cuts import Graph, loop_cut, parallel_cut, sequence_cut, xor_cut
from civicflow.mining._dfg import _complete_only
from civicflow.mining._errors import EventLogError
from civicflow.mining._tree import Operator, ProcessTree
from civicflow.mining._variants import variants

__all__ = ["discover_process_tree"]

Trace = tuple[int, ...]
Traces = Counter[Trace]
# one step of the miner: a finished tree, or an operator over finished trees and sub-logs to mine
Step = ProcessTree | tuple[Operator, list[ProcessTree | Traces]]
_CUTS: tuple[tuple[Operator, Callable[[Graph], list[set[int]] | None]], ...] = (
    (Operator.XOR, xor_cut),
    (Operator.SEQUENCE, sequence_cut),
    (Operator.PARALLEL, parallel_cut),
    (Operator.LOOP, loop_cut),
)


def discover_process_tree(log: LogLike, *, noise_threshold: float = 0.0) -> ProcessTree:
    """Discover a process tree with the inductive miner (IMf when ``noise_threshold`` > 0).

    With ``noise_threshold`` 0 the tree fits every trace of the log. Lifecycle-aware like the
    DFG: with start/complete events only complete events count.
    """
    if not 0.0 <= noise_threshold < 1.0:
        raise EventLogError(f"noise threshold must be at least 0 and below 1, not {noise_threshold}")
    events = _complete_only(events_of(log)).filter(pl.col(ACTIVITY).is_not_null())
    if events.height == 0:
        raise EventLogError("cannot discover a process model from a log without events")
    names = sorted(events[ACTIVITY].unique().to_list())
    number = {name: i for i, name in enumerate(names)}
    table = variants(events)
    traces: Traces = Counter()
    for sequence, count in zip(table["variant"].to_list(), table["count"].to_list(), strict=True):
        traces[tuple(map(number.__getitem__, sequence))] += count
    return _Miner(names, noise_threshold).run(traces)


class _Miner:
    def __init__(self, names: list[str], noise: float) -> None:
        self.names = names
        self.noise = noise

    def run(self, traces: Traces) -> ProcessTree:
        # Nodes are numbered as they are created, so a child's number is always above its parent's:
        # building in reverse order finds every child already built.
        nodes: list[ProcessTree | tuple[Operator, list[int]] | None] = [None]
        work: list[tuple[int, Traces]] = [(0, traces)]
        while work:
            index, sublog = work.pop()
            step = self.step(sublog)
            if isinstance(step, ProcessTree):
                nodes[index] = step
                continue
            operator, children = step
            ids: list[int] = []
            for child in children:
                ids.append(len(nodes))
                if isinstance(child, ProcessTree):
                    nodes.append(child)
                else:
                    nodes.append(None)
                    work.append((ids[-1], child))
            nodes[index] = (operator, ids)
        built: dict[int, ProcessTree] = {}
        for index in range(len(nodes) - 1, -1, -1):
            node = nodes[index]
            if isinstance(node, tuple):
                operator, ids = node
                built[index] = ProcessTree.node(operator, [built.pop(i) for i in ids])
            elif node is not None:
                built[index] = node
        return built[0]

    def leaf(self, activity: int) -> ProcessTree:
        return ProcessTree.leaf(self.names[activity])

    def step(self, traces: Traces) -> Step:
        total = sum(traces.values())
        empty = traces.get((), 0)
        if empty == total:
            return ProcessTree.tau()
        if empty:
            rest = Counter({t: n for t, n in traces.items() if t})
            if empty >= self.noise * total:
                return (Operator.XOR, [ProcessTree.tau(), rest])
            traces, total = rest, total - empty
        counts = _Counts.of(traces)
        if len(counts.alphabet) == 1:
            (activity,) = counts.alphabet
            single = traces.get((activity,), 0)
            if single == total or (self.noise > 0 and total - single <= self.noise * total):
                return self.leaf(activity)
        found = self.cut(counts)
        if found is not None:
            operator, parts = found
            return (operator, list(_split(operator, parts, traces)))
        return self.fall_through(traces, counts)

    def cut(self, counts: _Counts) -> tuple[Operator, list[set[int]]] | None:
        if len(counts.alphabet) < 2:
            return None
        graphs = [counts.graph()] + ([counts.graph(self.noise)] if self.noise > 0 else [])
        for graph in graphs:
            for operator, find in _CUTS:
                parts = find(graph)
                if parts is not None:
                    return operator, parts
        return None

    def fall_through(self, traces: Traces, counts: _Counts) -> Step:
        alphabet = sorted(counts.alphabet)
        if len(alphabet) > 1:
            once = set(alphabet)
            for trace in traces:
                seen = Counter(trace)
                once = {a for a in once if seen[a] == 1}
            if once:
                activity = min(once)
                return (Operator.PARALLEL, [self.leaf(activity), _without(traces, activity)])
            for activity, rest in counts.without_each(traces):
                if self.cut(rest) is not None:
                    # the activity's own branch is mined too: it may be skipped or repeated
                    parts = [{activity}, set(counts.alphabet) - {activity}]
                    return (Operator.PARALLEL, list(_split(Operator.PARALLEL, parts, traces)))
        for strict in (True, False):
            split = _split_at(traces, counts.graph(), strict=strict)
            if split is not None:
                return (Operator.LOOP, [split, ProcessTree.tau()])
        return (Operator.LOOP, [ProcessTree.tau(), *(self.leaf(a) for a in alphabet)])


@dataclass(frozen=True, slots=True, kw_only=True)
class _Counts:
    """Directly-follows, start and end frequencies of a log without empty traces."""

    alphabet: frozenset[int]
    edges: Counter[tuple[int, int]]
    starts: Counter[int]
    ends: Counter[int]

    @classmethod
    def of(cls, traces: Traces) -> _Counts:
        # Traces with the same count are counted together, so the per-edge work runs in
        # Counter's C loop; only the distinct counts are multiplied in Python.
        by_count: dict[int, list[Trace]] = {}
        for trace, count in traces.items():
            by_count.setdefault(count, []).append(trace)
        edges: Counter[tuple[int, int]] = Counter()
        starts: Counter[int] = Counter()
        ends: Counter[int] = Counter()
        alphabet: set[int] = set()
        for count, group in by_count.items():
            alphabet.update(chain.from_iterable(group))
            _add(edges, Counter(chain.from_iterable(map(pairwise, group))), count)
            _add(starts, Counter(t[0] for t in group), count)
            _add(ends, Counter(t[-1] for t in group), count)
        return cls(alphabet=frozenset(alphabet), edges=edges, starts=starts, ends=ends)

    def graph(self, noise: float = 0.0) -> Graph:
        """The graph; with ``noise`` > 0 without infrequent edges, start and end activities (IMf)."""
        if noise <= 0:
            return Graph(
                alphabet=self.alphabet,
                edges=frozenset(self.edges),
                starts=frozenset(self.starts),
                ends=frozenset(self.ends),
            )
        strongest: dict[int, int] = {}
        for (a, _), count in self.edges.items():
            strongest[a] = max(strongest.get(a, 0), count)
        top_start, top_end = max(self.starts.values()), max(self.ends.values())
        return Graph(
            alphabet=self.alphabet,
            edges=frozenset(e for e, n in self.edges.items() if n >= noise * strongest[e[0]]),
            starts=frozenset(a for a, n in self.starts.items() if n >= noise * top_start),
            ends=frozenset(a for a, n in self.ends.items() if n >= noise * top_end),
        )

    def without_each(self, traces: Traces) -> Iterator[tuple[int, _Counts]]:
        """For each activity, the counts of the log with that activity removed.

        Removing a leaves every edge that does not touch a and bridges each run of a: x a..a y
        adds x->y. One pass over the traces collects the bridges of every activity at once.
        """
        bridges: dict[int, Counter[tuple[int, int]]] = {a: Counter() for a in self.alphabet}
        new_starts: dict[int, Counter[int]] = {a: Counter() for a in self.alphabet}
        new_ends: dict[int, Counter[int]] = {a: Counter() for a in self.alphabet}
        for trace, count in traces.items():
            runs = [a for a, _ in groupby(trace)]
            if len(runs) == 1:
                continue
            new_starts[runs[0]][runs[1]] += count
            new_ends[runs[-1]][runs[-2]] += count
            for i in range(1, len(runs) - 1):
                bridges[runs[i]][(runs[i - 1], runs[i + 1])] += count
        for activity in sorted(self.alphabet):
            edges = Counter({e: n for e, n in self.edges.items() if activity not in e})
            edges.update(bridges[activity])
            starts = Counter({a: n for a, n in self.starts.items() if a != activity})
            starts.update(new_starts[activity])
            ends = Counter({a: n for a, n in self.ends.items() if a != activity})
            ends.update(new_ends[activity])
            alphabet = self.alphabet - {activity}
            if alphabet and starts:
                yield activity, _Counts(alphabet=alphabet, edges=edges, starts=starts, ends=ends)


def _add(target: Counter[Any], found: Counter[Any], times: int) -> None:
    if times == 1:
        target.update(found)
    else:
        for key, n in found.items():
            target[key] += n * times


def _without(traces: Traces, activity: int) -> Traces:
    out: Traces = Counter()
    for trace, count in traces.items():
        out[tuple(a for a in trace if a != activity)] += count
    return out


def _split(operator: Operator, parts: list[set[int]], traces: Traces) -> list[Traces]:
    logs: list[Traces] = [Counter() for _ in parts]
    part_of = {a: i for i, part in enumerate(parts) for a in part}
    for trace, count in traces.items():
        order = list(map(part_of.__getitem__, trace))
        if operator is Operator.XOR:
            # the part holding most of the trace's events takes it; the other events are noise
            hits = Counter(order)
            best = order[0] if len(hits) == 1 else min(hits, key=lambda i: (-hits[i], i))
            logs[best][_project(trace, order, best)] += count
        elif operator is Operator.PARALLEL:
            for i in range(len(parts)):
                logs[i][_project(trace, order, i)] += count
        elif operator is Operator.SEQUENCE:
            for i, piece in enumerate(_sequence_pieces(trace, order, len(parts))):
                logs[i][piece] += count
        else:
            for i, piece in _loop_pieces(trace, order):
                logs[i][piece] += count
    return logs


def _project(trace: Trace, order: list[int], part: int) -> Trace:
    """The events of ``trace`` in ``part`` (``order`` holds each event's part)."""
    return tuple(compress(trace, map(part.__eq__, order)))


def _sequence_pieces(trace: Trace, order: list[int], count: int) -> list[Trace]:
    """Cut the trace where the fewest events land outside their part (exact on noise-free logs)."""
    if order == sorted(order):
        # the usual case: the trace already runs through the parts in order
        pieces: list[Trace] = [()] * count
        start = 0
        for part, run in groupby(order):
            size = len(list(run))
            pieces[part] = trace[start : start + size]
            start += size
        return pieces
    pieces = []
    position = 0
    for i in range(count):
        if i == count - 1:
            end = len(trace)
        else:
            # cost of cutting at q: events before q of other parts + events from q on of this part
            cost = order[position:].count(i)
            best, end = cost, position
            for q in range(position, len(trace)):
                cost += -1 if order[q] == i else 1
                if cost < best:
                    best, end = cost, q + 1
        pieces.append(_project(trace[position:end], order[position:end], i))
        position = end
    return pieces


def _loop_pieces(trace: Trace, order: list[int]) -> list[tuple[int, Trace]]:
    """Runs of one part each; the do part runs (possibly empty) before, between and after redo runs."""
    pieces: list[tuple[int, Trace]] = []
    last: int | None = None
    start = 0
    for part, run in groupby(order):
        size = len(list(run))
        if part != 0 and last != 0:
            pieces.append((0, ()))
        pieces.append((part, trace[start : start + size]))
        start += size
        last = part
    if last != 0:
        pieces.append((0, ()))
    return pieces


def _split_at(traces: Traces, graph: Graph, *, strict: bool) -> Traces | None:
    """Split traces before each start activity (tau loop); with ``strict`` only after an end activity."""
    out: Traces = Counter()
    split = False
    starts, ends = graph.starts, graph.ends
    for trace, count in traces.items():
        cuts = [i for i in range(1, len(trace)) if trace[i] in starts and (not strict or trace[i - 1] in ends)]
        for begin, end in pairwise([0, *cuts, len(trace)]):
            out[trace[begin:end]] += count
        split = split or bool(cuts)
    return out if split else None
