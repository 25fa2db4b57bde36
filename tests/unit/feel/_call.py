"""Call a built-in by name, the way the compiler does."""

from typing import Any

from civicflow.feel.builtins import BUILTINS
from civicflow.feel.evaluation import Evaluation


def call(name: str, *args: Any, **named: Any) -> Any:
    return BUILTINS[name].call(Evaluation(), list(args), named or None)


def call_warns(name: str, *args: Any, **named: Any) -> tuple[Any, int]:
    """The result and how many warnings the call left."""
    ev = Evaluation()
    result = BUILTINS[name].call(ev, list(args), named or None)
    return result, len(ev.warnings)
