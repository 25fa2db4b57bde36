"""The processor's hot-path event constructors build the same events as the dataclasses."""

from __future__ import annotations

import dataclasses

import pytest

from civicflow.engine import events as ev
from civicflow.engine.fast_events import (
    element_activated,
    element_completed,
    element_passed,
    flow_taken,
    variables_set,
)


def test_each_constructor_equals_keyword_construction() -> None:
    assert element_activated(3, "t", 1, "f1") == ev.ElementActivated(key=3, element="t", scope=1, flow="f1")
    assert element_activated(4, "j", 1, None, joined=("a", "b"), role="body", origin=2) == ev.ElementActivated(
        key=4, element="j", scope=1, flow=None, joined=("a", "b"), role="body", origin=2
    )
    assert element_completed(3, "t") == ev.ElementCompleted(key=3, element="t")
    assert element_passed(3, "t", 1, "f1") == ev.ElementPassed(key=3, element="t", scope=1, flow="f1")
    assert flow_taken("f1", 1, "j", into_join=True) == ev.SequenceFlowTaken(
        flow="f1", scope=1, target="j", into_join=True
    )
    assert variables_set(1, {"x": 1}) == ev.VariablesSet(scope=1, variables={"x": 1})


def test_every_field_is_set_and_the_event_stays_frozen() -> None:
    built = (
        element_activated(3, "t", 1, "f1"),
        element_completed(3, "t"),
        element_passed(3, "t", 1, None),
        flow_taken("f", 1, "t", into_join=False),
    )
    for event in (*built, variables_set(1, {})):
        fields = dataclasses.fields(event)
        for f in fields:
            getattr(event, f.name)  # an unset slot would raise AttributeError
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(event, fields[0].name, None)
