"""History rows are the engine's event encoding split into columns (no database needed)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from civicflow.engine import decode_event as engine_decode
from civicflow.engine import encode_event as engine_encode
from civicflow.engine import events as ev
from civicflow.runtime.codec import decode_event, encode_event
from conformance.record_histories import HISTORIES, read_history

RECORDED = sorted(HISTORIES.glob("*.jsonl"))


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
def test_recorded_events_survive_a_row(path: Path) -> None:
    for doc in read_history(path)[1]:
        event = engine_decode(doc)
        type_name, element, payload = encode_event(event)
        assert type_name == doc["t"]
        assert element == doc.get("element")
        assert "t" not in payload
        assert "element" not in payload
        assert decode_event(type_name, element, payload) == event
        assert {**payload, "t": type_name, **({"element": element} if element else {})} == engine_encode(event)


def test_rows_written_before_the_engine_codec_still_decode() -> None:
    # payloads exactly as runtime/codec.py wrote them before it used civicflow.engine.encode_event
    assert decode_event("ElementActivated", "review", {"key": 3, "scope": 1, "flow": "f1"}) == ev.ElementActivated(
        key=3, element="review", scope=1, flow="f1"
    )
    assert decode_event(
        "TimerScheduled", "t", {"key": 5, "owner": 3, "due": "2026-01-05T10:00:00+00:00", "interval": "PT1H"}
    ) == ev.TimerScheduled(key=5, owner=3, element="t", due=datetime(2026, 1, 5, 10, tzinfo=UTC), interval="PT1H")
    assert decode_event("LoopAdvanced", None, {"key": 4, "completed": 1, "output": [0, {"$n": "2.5"}]}) == (
        ev.LoopAdvanced(key=4, completed=1, output=(0, Decimal("2.5")))
    )
    assert decode_event("JoinTokensConsumed", "g", {"key": 7, "scope": 1, "flows": ["a", "b"]}) == (
        ev.JoinTokensConsumed(key=7, element="g", scope=1, flows=("a", "b"))
    )


def test_a_runtime_only_row_is_not_an_engine_event() -> None:
    assert decode_event("InstanceMigrated", None, {"from": "p:1", "to": "p:2", "mapping": {}}) is None
