"""Alignments on small reachability graphs (exact deviation levels, partial expansion) stay optimal.

Every cost is checked against a plain uniform-cost search over single moves written here (no
heuristic, no silent-step shortcuts), and every alignment is replayed: its model moves must run
the net from the initial to the final marking and its log moves plus synchronous moves must spell
the trace.
"""

from __future__ import annotations

import heapq
import random
from pathlib import Path

import pytest

from civicflow.mining import PetriNet, align, read_pnml
from civicflow.mining._alignments import DEVIATION_COST, SILENT_COST, MoveKind, VariantAlignment, _Aligner
from civicflow.mining._compiled_net import CompiledNet, compile_net
from support.event_logs import log_of

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pm4py"


def _reference_cost(net: CompiledNet, trace: tuple[str, ...]) -> int:
    """Dijkstra over (marking, position), one transition or one event per step."""
    n = len(trace)
    start = (net.initial, 0)
    best = {start: 0}
    queue = [(0, net.initial, 0)]
    while queue:
        g, marking, i = heapq.heappop(queue)
        if best.get((marking, i), g) < g:
            continue
        if marking == net.final and i == n:
            return g
        steps = [] if i == n else [(marking, i + 1, DEVIATION_COST)]
        for t in net.enabled_transitions(marking):
            after = net.fire(marking, t)
            label = net.labels[t]
            if label is None:
                steps.append((after, i, SILENT_COST))
            else:
                steps.append((after, i, DEVIATION_COST))
                if i < n and trace[i] == label:
                    steps.append((after, i + 1, 0))
        for after, j, cost in steps:
            if g + cost < best.get((after, j), g + cost + 1):
                best[(after, j)] = g + cost
                heapq.heappush(queue, (g + cost, after, j))
    raise AssertionError("the final marking is unreachable")


def _replays(net: CompiledNet, trace: tuple[str, ...], result: VariantAlignment) -> None:
    index = {t: i for i, t in enumerate(net.transitions)}
    marking = net.initial
    events: list[str] = []
    cost = 0
    for move in result.moves:
        if move.kind is MoveKind.LOG:
            assert move.label is not None
            events.append(move.label)
            cost += DEVIATION_COST
            continue
        assert move.transition is not None
        t = index[move.transition]
        assert net.enabled(marking, t), f"{move} is not enabled"
        marking = net.fire(marking, t)
        if move.kind is MoveKind.SYNC:
            assert move.label is not None
            events.append(move.label)
        else:
            cost += SILENT_COST if net.labels[t] is None else DEVIATION_COST
    assert marking == net.final
    assert tuple(events) == trace
    assert cost == result.cost


def _trap() -> PetriNet:
    """A cheap silent shortcut that strands the rest of the trace, and loops that cost silent steps.

    From ``start`` a silent ``skip`` leads straight to ``c``. The other way splits into a loop of
    ``a b`` (a silent step back per round, one to leave) in parallel with ``d``, joined silently
    before ``c``. A bound steered by structure alone sees ``a`` and ``b`` reachable from almost
    everywhere; the exact levels know at once which markings can still fit the rest.
    """
    net = PetriNet(name="trap")
    for place in ("start", "p1", "p2", "p4", "r", "q1", "q2", "p3", "end"):
        net.add_place(place)
    for tid, label in (
        ("skip", None),
        ("split", None),
        ("a", "a"),
        ("b", "b"),
        ("back", None),
        ("leave", None),
        ("d", "d"),
        ("join", None),
        ("c", "c"),
    ):
        net.add_transition(tid, label)
    for source, target in (
        ("start", "skip"),
        ("skip", "p3"),
        ("start", "split"),
        ("split", "p1"),
        ("split", "q1"),
        ("p1", "a"),
        ("a", "p2"),
        ("p2", "b"),
        ("b", "p4"),
        ("p4", "back"),
        ("back", "p1"),
        ("p4", "leave"),
        ("leave", "r"),
        ("q1", "d"),
        ("d", "q2"),
        ("r", "join"),
        ("q2", "join"),
        ("join", "p3"),
        ("p3", "c"),
        ("c", "end"),
    ):
        net.add_arc(source, target)
    net.initial_marking["start"] = 1
    net.final_marking["end"] = 1
    return net


NETS = {
    "trap": _trap,
    "running-example": lambda: read_pnml(FIXTURES / "pm4py__running-example.pnml"),
    "bpic2012": lambda: read_pnml(FIXTURES / "pm4py__bpic2012.pnml"),
}


def _traces(net: CompiledNet, seed: int, count: int, longest: int) -> list[tuple[str, ...]]:
    labels = [*sorted(net.by_label), "not-in-the-net"]
    rng = random.Random(seed)  # reproducible traces
    return [tuple(rng.choice(labels) for _ in range(rng.randint(0, longest))) for _ in range(count)]


@pytest.mark.parametrize("name", sorted(NETS))
def test_the_graph_search_is_optimal_and_its_alignments_replay(name: str) -> None:
    net = compile_net(NETS[name]())
    aligner = _Aligner(net, 1_000_000)
    assert aligner.bounds.levels is not None, "the reachability graph is small: the graph search runs"
    longest = 6 if name == "bpic2012" else 9
    traces = _traces(net, seed=len(name), count=40, longest=longest)
    traces += [("a", "b", "a", "b", "c"), ("a", "b", "d", "a", "b", "c"), ("c",), ()]
    for trace in traces:
        found = aligner.search(trace)
        assert found is not None
        assert found[0] == _reference_cost(net, trace), trace
        # the structural search (large nets) agrees
        structural = aligner._search(trace)
        assert structural is not None
        assert structural[0] == found[0], trace


def test_alignments_of_the_trap_net_replay() -> None:
    net = compile_net(_trap())
    traces = [("a", "b", "a", "b", "c"), ("a", "b", "d", "a", "b", "c"), ("b", "a", "c"), ("c",), ("d", "d")]
    result = align(log_of(*traces).events, net)
    assert result.not_aligned == 0
    by_trace = {variant.activities: variant for variant in result.variants}
    for trace in traces:
        _replays(net, trace, by_trace[trace])
    # split, a, b, d, back, a, b, leave, join, c: four silent steps and no deviation
    assert by_trace[("a", "b", "d", "a", "b", "c")].cost == 4 * SILENT_COST
    # the same without d: d becomes a model move (the shortcut would cost four log moves)
    assert by_trace[("a", "b", "a", "b", "c")].cost == DEVIATION_COST + 4 * SILENT_COST
    assert by_trace[("c",)].cost == SILENT_COST  # skip, c


def test_the_state_limit_still_holds_on_the_graph_search() -> None:
    net = compile_net(read_pnml(FIXTURES / "pm4py__bpic2012.pnml"))
    aligner = _Aligner(net, 3)
    assert aligner.bounds.levels is not None
    trace = ("A_SUBMITTED", "W_Valideren aanvraag", "A_PARTLYSUBMITTED", "O_SENT", "A_DECLINED")
    assert aligner.search(trace) is None
