"""Alignment properties on random nets, and bounded search on nets built to explode.

Random nets come from random block structures (sequence, choice, parallel, loop, silent skips),
so they are sound workflow nets. Their language up to a length is enumerated by brute force over
(marking, emitted prefix) and compared with what the alignment search says.
"""

from __future__ import annotations

import itertools
import time
from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicflow.mining import ConformanceError, MoveKind, PetriNet, align, align_trace, compile_net, token_replay
from support.event_logs import log_of

MAX_LENGTH = 5


class _NetBuilder:
    def __init__(self) -> None:
        self.net = PetriNet(name="random")
        self.count = 0

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def place(self) -> str:
        return self.net.add_place(self.fresh("p")).id

    def transition(self, label: str | None, inputs: list[str], outputs: list[str]) -> None:
        t = self.net.add_transition(self.fresh("t"), label).id
        for p in inputs:
            self.net.add_arc(p, t)
        for p in outputs:
            self.net.add_arc(t, p)

    def block(self, tree: object, start: str, end: str) -> None:
        """Connect ``start`` to ``end`` with the behaviour of ``tree``."""
        if isinstance(tree, str):
            self.transition(None if tree == "tau" else tree, [start], [end])
            return
        assert isinstance(tree, tuple)
        operator, children = tree
        if operator == "seq":
            points = [start] + [self.place() for _ in children[:-1]] + [end]
            for child, (a, b) in zip(children, itertools.pairwise(points), strict=True):
                self.block(child, a, b)
        elif operator == "xor":
            for child in children:
                self.block(child, start, end)
        elif operator == "and":
            begins = [self.place() for _ in children]
            ends = [self.place() for _ in children]
            self.transition(None, [start], begins)
            for child, a, b in zip(children, begins, ends, strict=True):
                self.block(child, a, b)
            self.transition(None, ends, [end])
        else:  # loop: do the first child, then redo (second child + first child) any number of times
            middle = self.place()
            self.block(children[0], start, middle)
            back = self.place()
            self.transition(None, [middle], [end])
            self.block(children[1], middle, back)
            self.block(children[0], back, middle)


def trees(alphabet: str = "abcd") -> st.SearchStrategy[object]:
    leaves = st.sampled_from([*alphabet, "tau"])
    return st.recursive(
        leaves,
        lambda inner: (
            st.tuples(st.sampled_from(["seq", "xor", "and"]), st.lists(inner, min_size=2, max_size=3))
            | st.tuples(st.just("loop"), st.lists(inner, min_size=2, max_size=2))
        ),
        max_leaves=6,
    )


def net_of(tree: object) -> PetriNet:
    builder = _NetBuilder()
    source, sink = builder.place(), builder.place()
    builder.block(tree, source, sink)
    builder.net.initial_marking[source] = 1
    builder.net.final_marking[sink] = 1
    return builder.net


def language(net: PetriNet, max_length: int) -> set[tuple[str, ...]]:
    """Every visible sequence of at most ``max_length`` events that ends in the final marking."""
    compiled = compile_net(net)
    start: tuple[bytes, tuple[str, ...]] = (compiled.initial, ())
    seen = {start}
    queue = deque([start])
    words: set[tuple[str, ...]] = set()
    while queue:
        marking, word = queue.popleft()
        if marking == compiled.final:
            words.add(word)
        for t, after in compiled.successors(marking):
            label = compiled.labels[t]
            following = word if label is None else (*word, label)
            if len(following) <= max_length and (after, following) not in seen:
                seen.add((after, following))
                queue.append((after, following))
    return words


@settings(max_examples=60, deadline=None)
@given(tree=trees(), words=st.lists(st.text(alphabet="abcd", max_size=MAX_LENGTH), min_size=1, max_size=4))
def test_alignment_cost_is_zero_exactly_for_traces_of_the_language(tree: object, words: list[str]) -> None:
    net = net_of(tree)
    accepted = language(net, MAX_LENGTH)
    candidates = [tuple(w) for w in words] + sorted(accepted)[:4]
    compiled = compile_net(net)
    for trace in candidates:
        aligned = align_trace(trace, compiled)
        assert aligned.aligned
        assert (aligned.deviations == 0) is (trace in accepted), (tree, trace)
        # the moves replay the trace: log and sync moves spell it out in order
        assert tuple(m.label for m in aligned.moves if m.kind is not MoveKind.MODEL) == trace
        assert aligned.deviations == sum(1 for m in aligned.moves if m.kind is not MoveKind.SYNC and m.label)


@settings(max_examples=30, deadline=None)
@given(tree=trees(), words=st.lists(st.text(alphabet="abcd", max_size=MAX_LENGTH), min_size=1, max_size=4))
def test_token_replay_fits_every_trace_of_the_language(tree: object, words: list[str]) -> None:
    net = net_of(tree)
    accepted = sorted(language(net, MAX_LENGTH))[:5]
    if not accepted:
        return
    # token replay is a heuristic: a fitting trace may still need tokens when silent choices are
    # ambiguous, but a trace with an activity outside the model never counts against it
    replay = token_replay(log_of(*("".join(w) for w in accepted)), net, precision=False)
    alignment = align(log_of(*("".join(w) for w in accepted)), net)
    assert alignment.fitting_traces_share == 1.0
    assert 0.0 <= replay.fitness <= 1.0
    assert 0.0 <= token_replay(log_of(*words), net).precision <= 1.0


def concurrent(width: int) -> PetriNet:
    """``width`` parallel branches, each ``x_i`` then ``y_i``: (2 width)! / 2^width interleavings."""
    builder = _NetBuilder()
    source, sink = builder.place(), builder.place()
    builder.block(("and", [("seq", [f"x{i}", f"y{i}"]) for i in range(width)]), source, sink)
    builder.net.initial_marking[source] = 1
    builder.net.final_marking[sink] = 1
    return builder.net


def test_search_on_a_large_concurrent_net_stops_at_the_state_limit() -> None:
    net = concurrent(8)
    # every y before its x: each branch needs deviations, the search space is large
    events = tuple(f"y{i}" for i in range(8)) + tuple(f"x{i}" for i in range(8))
    started = time.perf_counter()
    result = align_trace(events, net, max_states=500)
    assert not result.aligned
    assert result.moves == ()
    assert time.perf_counter() - started < 30


def test_flower_net_aligns_any_trace_without_deviation() -> None:
    net = PetriNet(name="flower")
    net.add_place("centre")
    net.add_place("end")
    for label in "abcdefgh":
        net.add_transition(label, label)
        net.add_arc("centre", label)
        net.add_arc(label, "centre")
    net.add_transition("stop", None)
    net.add_arc("centre", "stop")
    net.add_arc("stop", "end")
    net.initial_marking["centre"] = 1
    net.final_marking["end"] = 1
    result = align(log_of("abcdefgh" * 8, "hgfedcba", "zz"), net)
    by_trace = {"".join(v.activities): v for v in result.variants}
    assert by_trace["abcdefgh" * 8].cost == 1  # only the silent stop
    assert by_trace["zz"].deviations == 2
    assert result.not_aligned == 0


def test_unbounded_net_is_reported_not_aligned() -> None:
    # a silent transition that keeps adding tokens: the search must not run away
    net = PetriNet(name="pump")
    for place in ("i", "o", "heap"):
        net.add_place(place)
    net.add_transition("pump", None)
    net.add_arc("i", "pump")
    net.add_arc("pump", "i")
    net.add_arc("pump", "heap")
    net.add_transition("a", "a")
    net.add_arc("i", "a")
    net.add_arc("a", "o")
    net.initial_marking["i"] = 1
    net.final_marking["o"] = 1
    net.final_marking["heap"] = 300  # out of the token bound: never reached
    with pytest.raises(ConformanceError, match="tokens"):
        compile_net(net)
    net.final_marking["heap"] = 0
    del net.final_marking["heap"]
    result = align(log_of("b"), net, max_states=5_000)
    assert result.not_aligned == 0
    assert result.variants[0].deviations == 2  # log move b, model move a
