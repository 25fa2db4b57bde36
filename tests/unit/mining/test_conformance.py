"""Token replay and alignments on hand-computed fixtures and on the running example.

The small net used throughout is ``source -a-> p1 -(b | tau)-> p2 -c-> sink``: ``a``, then
optionally ``b``, then ``c``. Figures in the comments are worked out by hand; pm4py 2.7 gives the
same numbers on this net (checked once in a throwaway environment, not a dependency).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from civicflow.mining import (
    ACTIVITY,
    EventLog,
    MoveKind,
    PetriNet,
    align,
    bpmn_to_petri,
    read_xes,
    token_replay,
)
from support.event_logs import log_of

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs" / "pm4py"


def optional_b() -> PetriNet:
    net = PetriNet(name="a (b|tau) c")
    for place in ("source", "p1", "p2", "sink"):
        net.add_place(place)
    for transition, label in (("ta", "a"), ("tb", "b"), ("skip", None), ("tc", "c")):
        net.add_transition(transition, label)
    for source, target in (
        ("source", "ta"),
        ("ta", "p1"),
        ("p1", "tb"),
        ("tb", "p2"),
        ("p1", "skip"),
        ("skip", "p2"),
        ("p2", "tc"),
        ("tc", "sink"),
    ):
        net.add_arc(source, target)
    net.initial_marking["source"] = 1
    net.final_marking["sink"] = 1
    return net


@pytest.mark.parametrize(
    ("trace", "counts", "fitness"),
    [
        # produced: 1 initial + a, b, c = 4; consumed: a, b, c + 1 final = 4; nothing missing or left
        ("abc", (0, 4, 0, 4), 1.0),
        # x is in no transition: skipped without penalty; the skip fires silently (1 in, 1 out)
        ("axc", (0, 4, 0, 4), 1.0),
        # a, b, then the final token is missing from sink and p2's token remains
        # fitness = 1/2 (1 - 1/3) + 1/2 (1 - 1/3) = 2/3
        ("ab", (1, 3, 1, 3), 2 / 3),
        # b needs p1: one missing token; source's token remains at the end
        ("bc", (1, 3, 1, 3), 2 / 3),
        # the second b has no token on p1 (missing 1) and leaves one extra on p2 (remaining 1)
        # fitness = 1/2 (1 - 1/5) + 1/2 (1 - 1/5) = 0.8
        ("abbc", (1, 5, 1, 5), 0.8),
    ],
)
def test_token_replay_by_hand(trace: str, counts: tuple[int, int, int, int], fitness: float) -> None:
    result = token_replay(log_of(trace), optional_b())
    (variant,) = result.variants
    assert (variant.missing, variant.consumed, variant.remaining, variant.produced) == counts
    assert variant.fitness == pytest.approx(fitness)
    assert result.fitness == pytest.approx(fitness)
    assert variant.fitting is (fitness == 1.0)


def test_token_replay_log_fitness_sums_tokens_over_cases() -> None:
    # abc twice (0/4/0/4 each) and ab once (1/3/1/3): missing 1 of 11 consumed, 1 of 11 produced left
    result = token_replay(log_of("abc", "ab", "abc"), optional_b())
    assert result.fitness == pytest.approx(1 - 1 / 11)
    assert result.average_trace_fitness == pytest.approx((1 + 1 + 2 / 3) / 3)
    assert result.fitting_traces_share == pytest.approx(2 / 3)
    assert [(v.activities, v.count) for v in result.variants] == [(("a", "b", "c"), 2), (("a", "b"), 1)]


@pytest.mark.parametrize(
    ("traces", "precision"),
    [
        # prefixes followed by an event: <> allows {a}, sees {a}; <a> allows {b, c}, sees {b};
        # <a b> allows {c}, sees {c}: 1 escaping of 4 allowed
        (("abc",), 0.75),
        # <a x> replays like <a> (x is unknown): allows {b, c}, sees {c}; 3 escaping of 5
        (("axc",), 0.4),
        # both continuations after <a> are seen: nothing escapes
        (("abc", "ac", "ac"), 1.0),
        # <b> does not replay (missing token), so only <> counts: allows {a}, sees {b}
        (("bc",), 0.0),
        # <a b b> misses a token and is left out: 2 escaping of 4
        (("abbc",), 0.5),
    ],
)
def test_precision_by_hand(traces: tuple[str, ...], precision: float) -> None:
    assert token_replay(log_of(*traces), optional_b()).precision == pytest.approx(precision)


def test_alignment_costs_by_hand() -> None:
    # empty trace: a, skip, c = 2 deviations + 1 silent = 20 001; best-worst = that + 10 000 per event
    result = align(log_of("abc", "axc", "ac", "ab"), optional_b())
    by_trace = {"".join(v.activities): v for v in result.variants}
    assert {t: (v.cost, v.best_worst_cost) for t, v in by_trace.items()} == {
        "abc": (0, 50_001),
        "axc": (10_001, 50_001),  # log move on x, silent skip
        "ac": (1, 40_001),  # silent skip only: still a fitting trace
        "ab": (10_000, 40_001),  # model move on c
    }
    assert by_trace["axc"].fitness == pytest.approx(1 - 1 / 5)
    assert by_trace["ab"].fitness == pytest.approx(1 - 1 / 4)
    assert by_trace["ac"].fitting
    assert result.log_fitness == pytest.approx(1 - (10_001 + 1 + 10_000) / (50_001 * 2 + 40_001 * 2))
    assert result.average_fitness == pytest.approx((1 + 0.8 + 1 + 0.75) / 4)
    assert result.fitting_traces_share == pytest.approx(0.5)
    moves = [(m.kind, m.label) for m in by_trace["axc"].moves]
    assert moves == [(MoveKind.SYNC, "a"), (MoveKind.LOG, "x"), (MoveKind.MODEL, None), (MoveKind.SYNC, "c")]
    assert result.deviation_points["x"].log_moves == 1
    assert result.deviation_points["c"].model_moves == 1
    assert result.for_case("case1") is by_trace["axc"]


def test_running_example_fits_its_bpmn_model_perfectly() -> None:
    log = read_xes(DATA / "running-example.xes")
    net = bpmn_to_petri(DATA / "running-example.bpmn")
    replay = token_replay(log, net)
    assert (replay.fitness, replay.fitting_traces_share) == (1.0, 1.0)
    aligned = align(log, net)
    assert aligned.average_fitness == 1.0
    assert aligned.fitting_traces_share == 1.0
    assert all(move.kind is not MoveKind.LOG for v in aligned.variants for move in v.moves)
    assert aligned.deviation_points == {}


def test_running_example_deviations_are_located() -> None:
    # drop "decide" from every case: each case needs exactly one model move on it
    log = read_xes(DATA / "running-example.xes")
    log = EventLog.from_events(log.events.filter(pl.col(ACTIVITY) != "decide"))
    aligned = align(log, bpmn_to_petri(DATA / "running-example.bpmn"))
    decide_count = 9  # "decide" occurs 9 times in the 6 cases (cases with reinitiations decide again)
    assert aligned.deviation_points["decide"].model_moves == decide_count
    assert sum(p.log_moves for p in aligned.deviation_points.values()) == 0
    assert aligned.fitting_traces_share == 0.0
