"""FEEL function values: the ``FeelFunction`` protocol and built-in functions.

A built-in is called with positional or named arguments. A wrong number of arguments, an unknown
parameter name, or a ``FeelEvalError`` raised by the implementation yields null plus a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from civicflow.feel.errors import FeelEvalError
from civicflow.feel.evaluation import Evaluation

__all__ = ["BuiltinFunction", "FeelFunction", "is_function"]


@runtime_checkable
class FeelFunction(Protocol):
    """Anything FEEL can invoke: built-ins, user-defined functions, BKMs, decision services."""

    name: str | None
    parameters: tuple[str, ...]

    def call(self, ev: Evaluation, args: list[Any], named: dict[str, Any] | None) -> Any:
        """Invoke with positional ``args`` or, when ``named`` is given, with named arguments."""
        ...


def is_function(value: object) -> bool:
    """True for a FEEL function value."""
    return hasattr(value, "call") and hasattr(value, "parameters")


_OMITTED = object()


def _unwrap(value: Any) -> Any:
    return value[0] if type(value) is list and len(value) == 1 else value


@dataclass(frozen=True, slots=True, kw_only=True)
class BuiltinFunction:
    """A built-in FEEL function.

    ``impl`` receives the arguments positionally (preceded by the ``Evaluation`` when
    ``needs_evaluation``). ``parameters`` lists the parameter names in order; ``required`` says how many
    must be given (default: all; the others arrive only when passed). With ``variadic`` the last
    parameter collects the remaining positional arguments into a list. ``signatures`` lists further
    parameter lists of an overloaded built-in (``date(from)`` / ``date(year, month, day)``): the
    impl then tells them apart by argument count, and named arguments pick the first list that fits.
    ``named_check`` may refuse a named call the impl could not tell from a positional one.
    With ``scalar`` no parameter takes a list, so a one-item list argument stands for its item
    (DMN 1.5 §10.3.2.9.4: ``upper case(["Bob"])`` is ``"BOB"``).
    """

    name: str
    parameters: tuple[str, ...]
    impl: Callable[..., Any]
    required: int | None = None
    variadic: bool = False
    needs_evaluation: bool = False
    signatures: tuple[tuple[str, ...], ...] = ()
    named_check: Callable[[dict[str, Any]], bool] | None = None
    scalar: bool = False

    def call(self, ev: Evaluation, args: list[Any], named: dict[str, Any] | None) -> Any:
        if self.scalar:
            args = [_unwrap(value) for value in args]
            if named is not None:
                named = {key: _unwrap(value) for key, value in named.items()}
        if named is not None and self.named_check is not None and not self.named_check(named):
            positional = None
        else:
            positional = self._bind_named(named) if named is not None else self._bind_positional(args)
        if positional is None:
            ev.warn("function", f"{self.name}: wrong arguments")
            return None
        try:
            if self.needs_evaluation:
                return self.impl(ev, *positional)
            return self.impl(*positional)
        except FeelEvalError as error:
            ev.warn("function", f"{self.name}: {error}")
            return None

    def _bind_positional(self, args: list[Any]) -> list[Any] | None:
        count = len(self.parameters)
        required = count if self.required is None else self.required
        if self.variadic:
            fixed = count - 1
            if len(args) < max(required, fixed):
                return None
            return [*args[:fixed], args[fixed:]]
        most = max(count, *(len(signature) for signature in self.signatures)) if self.signatures else count
        if not required <= len(args) <= most:
            return None
        return list(args)

    def _bind_named(self, named: dict[str, Any]) -> list[Any] | None:
        # A parameter left out of a named call is null, unless it is a trailing optional one.
        for signature in (self.parameters, *self.signatures):
            if not set(named) <= set(signature):
                continue
            bound = [named.get(name, _OMITTED) for name in signature]
            while bound and bound[-1] is _OMITTED:
                bound.pop()
            required = len(self.parameters) if self.required is None else self.required
            bound.extend([None] * (min(required, len(signature)) - len(bound)))
            return [None if value is _OMITTED else value for value in bound]
        return None
