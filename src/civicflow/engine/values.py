"""Variable values at the engine's edges: numbers are Decimal inside, JSON outside."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = ["decode_value", "encode_value", "key_text", "plain", "to_engine"]


def to_engine(value: Any) -> Any:
    """Python/JSON values to engine values: int and float become Decimal (floats via repr)."""
    if isinstance(value, bool) or value is None or isinstance(value, str | Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Mapping):
        return {str(k): to_engine(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_engine(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """Engine values to JSON-friendly Python: integral Decimals to int, others to float."""
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


def key_text(value: Any) -> str:
    """A correlation key as text (``42`` for the number 42)."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value)


def encode_value(value: Any) -> Any:
    """Exact JSON encoding of a variable value: integral numbers below 2**53 as JSON numbers,
    others as ``{"$n": text}``, FEEL temporal values as ``{"$s": literal, "$t": type name}``."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and abs(value) < 2**53:
            return int(value)
        return {"$n": str(value)}
    if isinstance(value, dict):
        return {k: encode_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode_value(v) for v in value]
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return {"$n": repr(value)}
    if isinstance(value, Mapping):  # after the dict fast path: the runtime passes other mappings too
        return {str(k): encode_value(v) for k, v in value.items()}
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
            return _decode_text(value["$t"], value["$s"])
        return {k: decode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value


def _decode_text(type_name: str, text: str) -> Any:
    """Temporal FEEL values round-trip through their FEEL literal."""
    function = {
        "FeelDate": "date",
        "FeelTime": "time",
        "FeelDateTime": "date and time",
        "YearsMonthsDuration": "duration",
        "DaysTimeDuration": "duration",
    }.get(type_name)
    if function is None:
        return text
    try:
        from civicflow.feel import evaluate

        value = evaluate(f'{function}("{text}")').value
    except Exception:  # noqa: BLE001 - an unreadable value stays text rather than losing the state
        return text
    return text if value is None else value
