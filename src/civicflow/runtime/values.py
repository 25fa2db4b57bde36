"""Variable values between the engine and JSON columns.

The engine keeps numbers as ``Decimal`` and temporal FEEL values as objects; columns hold JSON.
These mirror the engine's own state encoding (``civicflow.engine.values`` is not part of its
public API, so the runtime keeps its own copy of the few rules it needs).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from civicflow.engine import InstanceState

__all__ = ["decode_value", "encode_value", "key_text", "plain", "visible_variables"]

_TEMPORAL = {
    "FeelDate": "date",
    "FeelTime": "time",
    "FeelDateTime": "date and time",
    "YearsMonthsDuration": "duration",
    "DaysTimeDuration": "duration",
}


def encode_value(value: Any) -> Any:
    """Exact JSON encoding: non-integral numbers as ``{"$n": text}``, temporals as ``{"$s", "$t"}``."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and abs(value) < 2**53:
            return int(value)
        return {"$n": str(value)}
    if isinstance(value, Mapping):
        return {str(k): encode_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode_value(v) for v in value]
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return {"$n": repr(value)}
    return {"$s": str(value), "$t": type(value).__name__}


def decode_value(value: Any) -> Any:
    """Engine values from :func:`encode_value` output (numbers become ``Decimal``)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        if len(value) == 1 and "$n" in value:
            return Decimal(value["$n"])
        if len(value) == 2 and "$s" in value and "$t" in value:
            return _temporal(value["$t"], value["$s"])
        return {k: decode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value


def _temporal(type_name: str, text: str) -> Any:
    function = _TEMPORAL.get(type_name)
    if function is None:
        return text
    from civicflow.feel import evaluate

    result = evaluate(f'{function}("{text}")')
    return text if result.value is None else result.value


def plain(value: Any) -> Any:
    """Engine values as plain Python for callers: integral numbers int, others float, temporals text."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and abs(value) < 10**18:
            return int(value)
        return float(value)
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def key_text(value: Any) -> str | None:
    """A correlation key as the engine compares it (``42`` for the number 42)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def visible_variables(state: InstanceState, key: int) -> dict[str, Any]:
    """The variables element instance ``key`` sees: its own over its scopes' up to its (called) process."""
    chain = []
    inst = state.elements.get(key)
    while inst is not None:
        chain.append(inst.variables or {})
        if inst.role == "process":
            break
        inst = state.elements.get(inst.scope)
    values: dict[str, Any] = {}
    for scope in reversed(chain):
        values.update(scope)
    return values
