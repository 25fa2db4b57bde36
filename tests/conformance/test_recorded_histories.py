"""Recorded histories replay (STYLE.md 4, Temporal's Replayer): old history keeps its meaning.

For every ``histories/*.jsonl`` written by ``record_histories.py``:

* the recorded events decode and ``replay()`` into the state the scenario ends in today, and
* the scenario run today writes exactly the recorded events.

A failure means a change altered what existing history means or what the engine writes. When
that is intended, re-record deliberately (docs/bpmn-elements.md, "Event encoding and recorded histories").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from civicflow.engine import EVENT_FORMAT, EVENT_TYPES, decode_event, dumps_state, encode_event, replay
from civicflow.engine.scenario import trace_scenario
from conformance.record_histories import HISTORIES, REPO, SCENARIOS, header_of, read_history

RECORDED = sorted(HISTORIES.glob("*.jsonl"))
RERECORD = "re-record deliberately: .venv/bin/python tests/conformance/record_histories.py {name}"


def _text(doc: dict[str, Any] | None) -> str:
    return "(none)" if doc is None else json.dumps(doc, ensure_ascii=False)


def _first_difference(recorded: list[dict[str, Any]], current: list[dict[str, Any]]) -> str | None:
    """A readable account of where two encoded histories part, with the events just before."""
    for index in range(max(len(recorded), len(current))):
        was = recorded[index] if index < len(recorded) else None
        now = current[index] if index < len(current) else None
        if was != now:
            context = "".join(f"\n      #{i}: {_text(recorded[i])}" for i in range(max(0, index - 3), index))
            return (
                f"event #{index} differs ({len(recorded)} recorded, {len(current)} now)"
                f"\n  after:{context or ' (the start)'}"
                f"\n  recorded: {_text(was)}"
                f"\n  now:      {_text(now)}"
            )
    return None


@pytest.mark.parametrize("restore", [False, True], ids=["straight", "restore"])
@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
def test_recorded_history(path: Path, restore: bool) -> None:
    header, recorded = read_history(path)
    scenario = REPO / header["scenario"]
    assert header["event_format"] == EVENT_FORMAT, (
        f"recorded in event format {header['event_format']}, the engine writes {EVENT_FORMAT}: "
        "keep a reader for the old format, then " + RERECORD.format(name=path.stem)
    )
    # restored after every command, the state must lead to the very same events (STYLE.md 4)
    trace = trace_scenario(scenario, restore=restore)
    now = header_of(scenario, trace)
    for field in ("scenario_hash", "model_hash"):
        assert header[field] == now[field], (
            f"{field.split('_')[0]} changed since recording: the recorded history is of another "
            "process; " + RERECORD.format(name=path.stem)
        )

    # (b) first: when the engine writes other events, the first differing one says most
    difference = _first_difference(recorded, [encode_event(e) for e in trace.history])
    assert difference is None, difference + "\n" + RERECORD.format(name=path.stem)

    # (a) old history, decoded, rebuilds today's state (a changed applier fails here alone)
    events = [decode_event(doc, format=header["event_format"]) for doc in recorded]
    assert len(events) == header["events"]
    assert events == list(trace.history)
    assert dumps_state(replay(events)) == dumps_state(trace.state), "replaying the recorded history"


def test_every_listed_scenario_is_recorded() -> None:
    assert sorted(p.stem for p in RECORDED) == sorted(SCENARIOS)
    assert len(RECORDED) >= 25


def test_recordings_hold_every_event_type() -> None:
    seen = {doc["t"] for path in RECORDED for doc in read_history(path)[1]}
    assert seen == set(EVENT_TYPES)


def test_a_difference_names_the_first_differing_event() -> None:
    recorded = [{"t": "TimerFired", "key": 1}, {"t": "TimerFired", "key": 2}]
    current = [{"t": "TimerFired", "key": 1}, {"t": "TimerCanceled", "key": 2}]
    message = _first_difference(recorded, current)
    assert message is not None
    assert message.startswith("event #1 differs (2 recorded, 2 now)")
    assert '#0: {"t": "TimerFired", "key": 1}' in message
    assert 'now:      {"t": "TimerCanceled", "key": 2}' in message
    assert _first_difference(recorded, recorded) is None
    assert "event #2 differs (2 recorded, 3 now)" in (_first_difference(recorded, [*recorded, recorded[0]]) or "")


def test_history_recorded_before_decision_evaluated_still_replays() -> None:
    """Histories written before business rule tasks emitted ``DecisionEvaluated`` (issue #11) lack
    it: exactly the recorded lines without it, they still rebuild the state a run ends in today."""
    header, recorded = read_history(HISTORIES / "business_rule_task_dmn.jsonl")
    old = [doc for doc in recorded if doc["t"] != "DecisionEvaluated"]
    assert len(old) == len(recorded) - 1
    trace = trace_scenario(REPO / header["scenario"])
    events = [decode_event(doc, format=header["event_format"]) for doc in old]
    assert dumps_state(replay(events)) == dumps_state(trace.state)
