"""Variable values between the engine and JSON columns.

The engine keeps numbers as ``Decimal`` and temporal FEEL values as objects; columns hold JSON
in the engine's own value encoding (:func:`civicflow.engine.encode_value`), re-exported here
so runtime modules have one place to import it from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civicflow.engine import decode_value, encode_value, plain
from civicflow.engine import key_text as engine_key_text

if TYPE_CHECKING:
    from civicflow.engine import InstanceState

__all__ = ["decode_value", "encode_value", "key_text", "plain", "visible_variables"]


def key_text(value: Any) -> str | None:
    """A correlation key as the engine compares it (``42`` for the number 42).

    Callers of the runtime pass plain Python too: no key stays None, and an integral float
    (``42.0`` from JSON) is the number 42, as it would be once inside the engine.
    """
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return engine_key_text(value)


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
