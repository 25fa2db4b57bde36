"""Inductive miner: the textbook tree, guaranteed fitness, IMf simplification, fall-throughs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicflow.mining import (
    ACTIVITY,
    CASE,
    TIMESTAMP,
    EventLog,
    EventLogError,
    Operator,
    ProcessTree,
    discover_process_tree,
    read_xes,
    tree_to_petri,
    variants,
)
from support.token_game import TokenGame

LOGS = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs" / "pm4py"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def log_of(*traces: str | list[str]) -> EventLog:
    """A log with one case per trace; a string trace is one activity per character."""
    rows: dict[str, list[object]] = {CASE: [], ACTIVITY: [], TIMESTAMP: []}
    for case, trace in enumerate(traces):
        for position, activity in enumerate(trace):
            rows[CASE].append(f"c{case}")
            rows[ACTIVITY].append(activity)
            rows[TIMESTAMP].append(T0 + timedelta(minutes=position))
    return EventLog.from_events(
        pl.DataFrame(rows, schema={CASE: pl.Utf8, ACTIVITY: pl.Utf8, TIMESTAMP: pl.Datetime("us", "UTC")})
    )


def fits(tree: ProcessTree, log: EventLog) -> list[list[str]]:
    """The variants of ``log`` that the tree's Petri net does not accept."""
    game = TokenGame(tree_to_petri(tree))
    return [v for v in variants(log)["variant"].to_list() if not game.accepts(v)]


def test_running_example_gives_the_textbook_tree() -> None:
    tree = discover_process_tree(read_xes(LOGS / "running-example.xes"))
    assert str(tree) == (
        "->( 'register request', *( ->( +( 'check ticket', X( 'examine casually', 'examine thoroughly' ) ),"
        " 'decide' ), 'reinitiate request' ), X( 'pay compensation', 'reject request' ) )"
    )
    game = TokenGame(tree_to_petri(tree))
    assert game.accepts(["register request", "check ticket", "examine casually", "decide", "reject request"])
    assert not game.accepts(["register request", "check ticket", "decide", "reject request"])
    assert not game.accepts(["register request", "examine casually", "check ticket", "decide"])
    assert tree.operator is Operator.SEQUENCE
    loop = tree.children[1]
    assert loop.operator is Operator.LOOP
    assert loop.children[1] == ProcessTree.leaf("reinitiate request")


@pytest.mark.parametrize(
    "name",
    [
        "running-example.xes",
        "08_receipt.xes.gz",
        "13_SEPSIS_1t_per_variant.xes.gz",
        "12_roadtraffic_1t_per_variant.xes.gz",
    ],
)
def test_im_fits_every_trace_and_keeps_every_activity_while_imf_simplifies(name: str) -> None:
    log = read_xes(LOGS / name)
    tree = discover_process_tree(log)
    assert tree.activities == set(log.activities)
    assert fits(tree, log) == []
    filtered = discover_process_tree(log, noise_threshold=0.2)
    assert filtered.activities <= set(log.activities)
    if name != "running-example.xes":  # no infrequent behaviour to drop there
        assert filtered.size < tree.size


def test_lifecycle_logs_are_mined_over_complete_events() -> None:
    frame = pl.DataFrame(
        {
            CASE: ["1"] * 6,
            ACTIVITY: ["a", "a", "b", "c", "b", "c"],
            "lifecycle:transition": ["start", "complete", "start", "start", "complete", "complete"],
            TIMESTAMP: [T0 + timedelta(minutes=i) for i in range(6)],
        }
    )
    assert str(discover_process_tree(EventLog.from_events(frame))) == "->( 'a', 'b', 'c' )"


@pytest.mark.parametrize(
    ("traces", "expected"),
    [
        (["a"], "'a'"),
        (["abc", "abc"], "->( 'a', 'b', 'c' )"),
        (["abd", "acd"], "->( 'a', X( 'b', 'c' ), 'd' )"),
        (["abcd", "acbd"], "->( 'a', +( 'b', 'c' ), 'd' )"),
        (["ab", "abcab"], "*( ->( 'a', 'b' ), 'c' )"),
        (["ab", "b"], "->( X( tau, 'a' ), 'b' )"),
        (["a", "aa", "aaa"], "*( 'a', tau )"),
        (["ab", "ba", "aab"], "+( *( 'a', tau ), 'b' )"),
        (["x", "y"], "X( 'x', 'y' )"),
    ],
)
def test_small_logs(traces: list[str], expected: str) -> None:
    log = log_of(*traces)
    tree = discover_process_tree(log)
    assert str(tree) == expected
    assert fits(tree, log) == []


def test_fall_through_to_a_flower_fits() -> None:
    log = log_of("abc", "cab", "bca", "acb", "bb", "ca")
    tree = discover_process_tree(log)
    assert tree.activities == {"a", "b", "c"}
    assert fits(tree, log) == []


def test_imf_drops_infrequent_behaviour() -> None:
    log = log_of(*(["abc"] * 50), *(["acb"] * 50), "cba", "")
    assert str(discover_process_tree(log, noise_threshold=0.2)) == "->( 'a', +( 'b', 'c' ) )"
    assert fits(discover_process_tree(log), log) == []


def test_wide_and_deep_logs_finish_without_recursion_errors() -> None:
    names = [f"a{i:03}" for i in range(400)]
    log = log_of(names, names[::2], names[1::3])
    tree = discover_process_tree(log)
    assert tree.activities == set(names)
    net = tree_to_petri(tree)
    assert net.labels == set(names)


def test_errors_are_clear() -> None:
    with pytest.raises(EventLogError, match="noise threshold"):
        discover_process_tree(log_of("ab"), noise_threshold=1.5)
    with pytest.raises(EventLogError, match="without events"):
        discover_process_tree(log_of())
    with pytest.raises(EventLogError, match="at least two children"):
        ProcessTree(operator=Operator.XOR, children=(ProcessTree.leaf("a"),))


def test_tree_text_quotes_labels() -> None:
    tree = ProcessTree.node(Operator.SEQUENCE, [ProcessTree.leaf("it's"), ProcessTree.tau()])
    assert str(tree) == "'it\\'s'"
    loop = ProcessTree.node(Operator.LOOP, [ProcessTree.tau(), ProcessTree.leaf("a")])
    assert str(loop) == "*( tau, 'a' )"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcde"), max_size=7), min_size=1, max_size=8))
def test_im_net_accepts_every_trace_of_its_log(traces: list[list[str]]) -> None:
    if not any(traces):
        return
    log = log_of(*traces)
    tree = discover_process_tree(log)
    assert tree.activities == {a for t in traces for a in t}
    game = TokenGame(tree_to_petri(tree))
    for trace in traces:
        if trace:  # an empty trace has no events, so the log holds no case for it
            assert game.accepts(trace), (trace, str(tree))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=9), min_size=1, max_size=12),
    st.sampled_from([0.1, 0.2, 0.5, 0.9]),
)
def test_imf_always_finishes_with_a_sound_tree(traces: list[list[str]], noise: float) -> None:
    log = log_of(*traces)
    tree = discover_process_tree(log, noise_threshold=noise)
    assert tree.activities <= {a for t in traces for a in t}
    net = tree_to_petri(tree)
    # the net of any tree is a workflow net: it completes from source to sink
    assert TokenGame(net).accepts(_some_run(tree))


def _some_run(tree: ProcessTree) -> list[str]:
    """A trace in the tree's language: first choice, do parts once, children in order."""
    if tree.operator is None:
        return [] if tree.label is None else [tree.label]
    if tree.operator in {Operator.XOR, Operator.LOOP}:
        return _some_run(tree.children[0])
    return [a for child in tree.children for a in _some_run(child)]
