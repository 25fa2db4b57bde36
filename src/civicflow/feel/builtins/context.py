"""Context built-ins (DMN 1.5 §10.3.4.8): get value, get entries, context, context put, context merge."""

from __future__ import annotations

from typing import Any

from civicflow.feel.builtins._registry import as_list, builtin, expect_string
from civicflow.feel.errors import FeelEvalError


def _context(value: Any, what: str = "context") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FeelEvalError(f"{what} must be a context")
    return value


@builtin("get value", ("m", "key"))
def get_value(m: Any, key: Any) -> Any:
    return _context(m, "m").get(expect_string(key, "key"))


@builtin("get entries", ("m",))
def get_entries(m: Any) -> list[Any]:
    return [{"key": key, "value": value} for key, value in _context(m, "m").items()]


@builtin("context", ("entries",))
def context(entries: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for entry in as_list(entries, "entries"):
        if not isinstance(entry, dict) or "key" not in entry or "value" not in entry:
            raise FeelEvalError("each entry must be a context with key and value")
        key = expect_string(entry["key"], "key")
        if key in result:
            raise FeelEvalError(f"duplicate key {key!r}")
        result[key] = entry["value"]
    return result


def _put(target: dict[str, Any], keys: list[str], value: Any) -> dict[str, Any]:
    head, rest = keys[0], keys[1:]
    if rest:
        inner = target.get(head)
        if not isinstance(inner, dict):
            raise FeelEvalError(f"{head!r} is not a context")
        value = _put(inner, rest, value)
    return {**target, head: value}


def _key_is_not_a_path(named: dict[str, Any]) -> bool:
    # A list of keys must be passed as "keys"; "key" names a single entry.
    return not isinstance(named.get("key"), list)


@builtin(
    "context put",
    ("context", "key", "value"),
    signatures=(("context", "keys", "value"),),
    named_check=_key_is_not_a_path,
)
def context_put(target: Any, key: Any, value: Any) -> dict[str, Any]:
    original = _context(target)
    keys = [expect_string(k, "key") for k in key] if isinstance(key, list) else [expect_string(key, "key")]
    if not keys:
        raise FeelEvalError("keys must not be empty")
    return _put(original, keys, value)


@builtin("context merge", ("contexts",))
def context_merge(contexts: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for item in as_list(contexts, "contexts"):
        result.update(_context(item, "each item"))
    return result
