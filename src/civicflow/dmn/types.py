"""DMN types: item definitions resolved to checkers, with the conversions of DMN 1.5 §10.3.2.9.4.

A value conforms or it does not; a non-conforming value becomes null with a warning, after the
two implicit conversions (singleton list to its element, element to a singleton list) are tried.
Null conforms to every type.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from civicflow.dmn._feel import UnaryTest
from civicflow.feel import types as ft
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.temporal import DaysTimeDuration, FeelDate, FeelDateTime, FeelTime, YearsMonthsDuration
from civicflow.feel.values import Range

__all__ = [
    "ANY",
    "BUILTIN_TYPES",
    "BuiltinType",
    "ConstrainedType",
    "DmnType",
    "FunctionType",
    "ListType",
    "RangeType",
    "StructureType",
    "coerce",
    "conform_argument",
    "feel_type",
    "parse_feel_type",
]


class DmnType:
    """A type a value can be checked against (the base class itself is Any)."""

    @property
    def label(self) -> str:
        return getattr(self, "name", "Any")

    def conforms(self, value: Any, ev: Evaluation) -> bool:
        return True

    def __repr__(self) -> str:
        return self.label


ANY = DmnType()


@dataclass(frozen=True, slots=True, repr=False, kw_only=True)
class BuiltinType(DmnType):
    name: str
    classes: tuple[type, ...]

    def conforms(self, value: Any, ev: Evaluation) -> bool:
        if value is None:
            return True
        if type(value) is bool:
            return bool in self.classes
        return isinstance(value, self.classes)


@dataclass(frozen=True, slots=True, repr=False, kw_only=True)
class ListType(DmnType):
    element: DmnType
    name: str = "list"

    def conforms(self, value: Any, ev: Evaluation) -> bool:
        if value is None:
            return True
        return isinstance(value, list) and all(self.element.conforms(v, ev) for v in value)


@dataclass(frozen=True, slots=True, repr=False, kw_only=True)
class StructureType(DmnType):
    fields: tuple[tuple[str, DmnType], ...]
    name: str = "context"

    def conforms(self, value: Any, ev: Evaluation) -> bool:
        if value is None:
            return True
        if not isinstance(value, dict):
            return False
        # every component must be present (DMN 1.5 10.3.2.9.1); extra entries are allowed
        return all(k in value and t.conforms(value[k], ev) for k, t in self.fields)


@dataclass(frozen=True, slots=True, repr=False, kw_only=True)
class RangeType(DmnType):
    element: DmnType
    name: str = "range"

    def conforms(self, value: Any, ev: Evaluation) -> bool:
        if value is None:
            return True
        if not isinstance(value, Range):
            return False
        return self.element.conforms(value.start, ev) and self.element.conforms(value.end, ev)


@dataclass(frozen=True, slots=True, repr=False, kw_only=True)
class FunctionType(DmnType):
    output: DmnType = ANY
    name: str = "function"

    def conforms(self, value: Any, ev: Evaluation) -> bool:
        return value is None or (hasattr(value, "call") and hasattr(value, "parameters"))


@dataclass(frozen=True, slots=True, repr=False, kw_only=True)
class ConstrainedType(DmnType):
    """A base type restricted by allowed values (unary tests)."""

    base: DmnType
    allowed: UnaryTest
    allowed_text: str
    name: str = "constrained"

    def conforms(self, value: Any, ev: Evaluation) -> bool:
        if value is None:
            return True
        return self.base.conforms(value, ev) and self.allowed(value, {}, ev) is True


_CONTEXT = BuiltinType(name="context", classes=(dict,))
BUILTIN_TYPES: dict[str, DmnType] = {
    "Any": ANY,
    "any": ANY,
    "number": BuiltinType(name="number", classes=(Decimal,)),
    "string": BuiltinType(name="string", classes=(str,)),
    "boolean": BuiltinType(name="boolean", classes=(bool,)),
    "date": BuiltinType(name="date", classes=(FeelDate,)),
    "time": BuiltinType(name="time", classes=(FeelTime,)),
    "date and time": BuiltinType(name="date and time", classes=(FeelDateTime,)),
    "dateTime": BuiltinType(name="date and time", classes=(FeelDateTime,)),
    "days and time duration": BuiltinType(name="days and time duration", classes=(DaysTimeDuration,)),
    "dayTimeDuration": BuiltinType(name="days and time duration", classes=(DaysTimeDuration,)),
    "years and months duration": BuiltinType(name="years and months duration", classes=(YearsMonthsDuration,)),
    "yearMonthDuration": BuiltinType(name="years and months duration", classes=(YearsMonthsDuration,)),
    "duration": BuiltinType(name="duration", classes=(DaysTimeDuration, YearsMonthsDuration)),
    "context": _CONTEXT,
    "list": ListType(element=ANY),
    "range": RangeType(element=ANY),
    "function": FunctionType(),
    "null": ANY,
}


def _split_top(text: str, sep: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "<":
            depth += 1
        elif ch == ">" and (i == 0 or text[i - 1] != "-"):
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def parse_feel_type(text: str, resolve: Any = None) -> DmnType | None:
    """Parse a FEEL type expression (``list<number>``, ``context<a: string>``, ...).

    ``resolve(name)`` looks up item definition names; None when the text is not a type.
    """
    text = text.strip()
    if text in BUILTIN_TYPES:
        return BUILTIN_TYPES[text]
    lt = text.find("<")
    if lt > 0 and text.endswith(">") and "->" not in text[: lt + 1]:
        head, inner = text[:lt].strip(), text[lt + 1 : -1]
        if head == "list":
            element = parse_feel_type(inner, resolve)
            return ListType(element=element or ANY)
        if head == "range":
            element = parse_feel_type(inner, resolve)
            return RangeType(element=element or ANY)
        if head == "context":
            fields = []
            for part in _split_top(inner, ","):
                key, _, type_text = part.partition(":")
                fields.append((key.strip(), parse_feel_type(type_text, resolve) or ANY))
            return StructureType(fields=tuple(fields))
    if text.startswith("function"):
        return FunctionType()
    if resolve is not None:
        found: DmnType | None = resolve(text)
        return found
    return None


def feel_type(target: DmnType) -> ft.FeelType:
    """The FEEL type of a DMN type, for ``instance of`` (allowed values are not part of it)."""
    if isinstance(target, ConstrainedType):
        return feel_type(target.base)
    if isinstance(target, ListType):
        return ft.ListType(feel_type(target.element))
    if isinstance(target, StructureType):
        return ft.ContextType(tuple((name, feel_type(t)) for name, t in target.fields))
    if isinstance(target, RangeType):
        return ft.RangeType(feel_type(target.element))
    if isinstance(target, FunctionType):
        return ft.FunctionType((), feel_type(target.output))
    if isinstance(target, BuiltinType):
        if target.name == "context":
            return ft.ContextType(())
        return ft.parse_type_name(target.name) or ft.ANY
    return ft.ANY


def conform_argument(value: Any, target: DmnType, ev: Evaluation) -> tuple[bool, Any]:
    """(True, converted value) when ``value`` can be passed for a parameter of type ``target``."""
    if value is None or target is ANY or target.conforms(value, ev):
        return True, value
    if isinstance(value, list) and len(value) == 1 and target.conforms(value[0], ev):
        return True, value[0]
    if isinstance(target, ListType) and not isinstance(value, list) and target.element.conforms(value, ev):
        return True, [value]
    return False, None


def coerce(value: Any, target: DmnType, ev: Evaluation, what: str) -> Any:
    """Return ``value`` converted to ``target``, or null with a warning when it does not conform."""
    if value is None or target is ANY or target.conforms(value, ev):
        return value
    if (
        isinstance(value, list)
        and len(value) == 1
        and not isinstance(target, ListType)
        and target.conforms(value[0], ev)
    ):
        return value[0]
    if isinstance(target, ListType) and not isinstance(value, list) and target.element.conforms(value, ev):
        return [value]
    ev.warn("type", f"{what}: value {_short(value)} does not conform to type {target.label!r}; using null")
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
