"""Boolean and identity built-ins (DMN 1.5 §10.3.4.2 and §10.3.4.10): not, is."""

from __future__ import annotations

from typing import Any

from civicflow.feel.builtins._registry import builtin


@builtin("not", ("negand",))
def not_(negand: Any) -> bool | None:
    """Three-valued negation: anything but true/false gives null."""
    if type(negand) is bool:
        return not negand
    return None


@builtin("is", ("value1", "value2"))
def is_(value1: Any, value2: Any) -> bool:
    """Same kind and same value, including the same offset or zone (``@"10:00Z"`` is not ``@"11:00+01:00"``)."""
    if type(value1) is not type(value2):
        return False
    return bool(value1 == value2)
