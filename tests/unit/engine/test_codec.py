"""The event codec: decode(encode(e)) == e for every event class, through JSON text.

Events are generated from the classes' own annotations, so a new event class or field is
covered without touching this file (and a field of a type the strategies do not know fails
:func:`test_every_field_type_has_a_strategy`).
"""

from __future__ import annotations

import dataclasses
import json
import typing
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicflow.engine import (
    EVENT_FORMAT,
    EVENT_TYPES,
    StateFormatError,
    decode_event,
    decode_value,
    encode_event,
    encode_value,
)
from civicflow.engine import events as ev
from civicflow.feel import DaysTimeDuration, FeelDate, FeelDateTime, YearsMonthsDuration

_names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_keys = st.integers(min_value=0, max_value=2**40)
# Engine numbers are Decimal; NaN and infinities are not FEEL numbers (and NaN != NaN).
_numbers = st.decimals(allow_nan=False, allow_infinity=False, places=None) | st.integers(-(2**70), 2**70).map(Decimal)
_offsets = st.integers(-14 * 4, 14 * 4).map(lambda quarters: quarters * 900)
_zones = st.sampled_from(["Europe/Amsterdam", "America/New_York", "Asia/Kolkata", "UTC"])
_nanos = st.integers(0, 999_999_999)


@st.composite
def _date_times(draw: st.DrawFn) -> FeelDateTime:
    d = draw(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
    tz = draw(st.sampled_from(["local", "offset", "zone"]))
    return FeelDateTime(
        d.year,
        d.month,
        d.day,
        d.hour,
        d.minute,
        d.second,
        draw(_nanos),
        draw(_offsets) if tz == "offset" else None,
        draw(_zones) if tz == "zone" else None,
    )


_temporals = st.one_of(
    st.dates().map(lambda d: FeelDate(d.year, d.month, d.day)),
    _date_times(),
    _date_times().map(FeelDateTime.time_part),
    st.integers(-(10**6), 10**6).map(YearsMonthsDuration),
    st.decimals(min_value=-(10**9), max_value=10**9, places=9, allow_nan=False).map(DaysTimeDuration),
)
# "$"-keys are the encoding's own markers ({"$n": ...}); variable names never start with "$".
_var_names = _names.filter(lambda s: not s.startswith("$"))
_scalars = st.none() | st.booleans() | _names | _numbers | _temporals
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_var_names, inner, max_size=4),
    max_leaves=12,
)
_variables = st.dictionaries(_var_names, _values, max_size=5)
_instants = st.datetimes(
    min_value=datetime(1970, 1, 1),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]),
)

_BY_TYPE: dict[Any, st.SearchStrategy[Any]] = {
    str: _names,
    int: _keys,
    bool: st.booleans(),
    str | None: st.none() | _names,
    int | None: st.none() | _keys,
    datetime: _instants,
    datetime | None: st.none() | _instants,
    dict[str, Any]: _variables,
    dict[str, Any] | None: st.none() | _variables,
    list[Any] | None: st.none() | st.lists(_values, max_size=4),
    tuple[str, ...]: st.lists(_names, max_size=4).map(tuple),
    tuple[int, Any] | None: st.none() | st.tuples(st.integers(0, 10_000), _values),
}


def _strategy(cls: type[Any]) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{f.name: _BY_TYPE[hints[f.name]] for f in dataclasses.fields(cls)})


_CLASSES = sorted(EVENT_TYPES.values(), key=lambda c: c.__name__)


def test_every_event_class_is_known() -> None:
    assert set(EVENT_TYPES.values()) == set(typing.get_args(ev.Event))
    assert len(EVENT_TYPES) == len(typing.get_args(ev.Event)) >= 36


def test_every_field_type_has_a_strategy() -> None:
    for cls in _CLASSES:
        for name, hint in typing.get_type_hints(cls).items():
            assert hint in _BY_TYPE, f"{cls.__name__}.{name}: {hint!r}"


@pytest.mark.parametrize("cls", _CLASSES, ids=[c.__name__ for c in _CLASSES])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_round_trip(cls: type[Any], data: st.DataObject) -> None:
    event = data.draw(_strategy(cls))
    encoded = encode_event(event)
    text = json.dumps(encoded, ensure_ascii=False, allow_nan=False)  # JSON-safe: no NaN, no objects
    decoded = decode_event(json.loads(text))
    assert decoded == event
    assert type(decoded) is cls


@settings(max_examples=200, deadline=None)
@given(value=_values)
def test_values_round_trip(value: Any) -> None:
    assert decode_value(json.loads(json.dumps(encode_value(value)))) == value


def test_defaults_are_left_out() -> None:
    event = ev.ElementActivated(key=3, element="review", scope=1)
    assert encode_event(event) == {"t": "ElementActivated", "key": 3, "element": "review", "scope": 1}


def test_numbers_stay_exact() -> None:
    event = ev.VariablesSet(scope=1, variables={"a": Decimal("0.1"), "b": Decimal(2**60), "c": Decimal(7)})
    encoded = encode_event(event)
    assert encoded["variables"] == {"a": {"$n": "0.1"}, "b": {"$n": str(2**60)}, "c": 7}
    assert decode_event(encoded) == event


def test_an_unknown_format_is_refused() -> None:
    encoded = encode_event(ev.TimerFired(key=1))
    with pytest.raises(StateFormatError, match="unknown event format 99"):
        decode_event(encoded, format=99)
    assert decode_event(encoded, format=EVENT_FORMAT) == ev.TimerFired(key=1)


@pytest.mark.parametrize(
    "doc",
    [
        {"t": "NoSuchEvent"},
        {"key": 1},
        {"t": "TimerFired"},  # key missing
        {"t": "TimerFired", "key": 1, "extra": 2},
        {"t": "TimerScheduled", "key": 1, "owner": 1, "element": "t", "due": "not a date"},
    ],
)
def test_malformed_events_are_refused(doc: dict[str, Any]) -> None:
    with pytest.raises(StateFormatError):
        decode_event(doc)
