"""FEEL types (DMN 1.5 §10.3.2.9): built-in types, list, context, range and function types.

``type_of`` gives a value's most specific type, ``is_instance`` implements ``instance of``, and
``conforms_to`` is the subtype relation used for coercion of DMN typed values.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from civicflow.feel.temporal import DaysTimeDuration, FeelDate, FeelDateTime, FeelTime, YearsMonthsDuration
from civicflow.feel.values import Range

__all__ = [
    "ANY",
    "BOOLEAN",
    "DATE",
    "DATE_TIME",
    "DT_DURATION",
    "NULL",
    "NUMBER",
    "STRING",
    "TIME",
    "YM_DURATION",
    "BuiltinType",
    "ContextType",
    "FeelType",
    "FunctionType",
    "ListType",
    "RangeType",
    "conforms_to",
    "is_instance",
    "parse_type_name",
    "type_of",
]


@dataclass(frozen=True, slots=True)
class BuiltinType:
    """One of FEEL's named types (``number``, ``date and time``, ``Any``, ``Null`` ...)."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class ListType:
    element: FeelType

    def __str__(self) -> str:
        return f"list<{self.element}>"


@dataclass(frozen=True, slots=True)
class ContextType:
    fields: tuple[tuple[str, FeelType], ...]

    def __str__(self) -> str:
        return "context<" + ", ".join(f"{name}: {t}" for name, t in self.fields) + ">"


@dataclass(frozen=True, slots=True)
class RangeType:
    element: FeelType

    def __str__(self) -> str:
        return f"range<{self.element}>"


@dataclass(frozen=True, slots=True)
class FunctionType:
    parameters: tuple[FeelType, ...]
    result: FeelType

    def __str__(self) -> str:
        return "function<" + ", ".join(str(p) for p in self.parameters) + f">->{self.result}"


FeelType = BuiltinType | ListType | ContextType | RangeType | FunctionType

ANY = BuiltinType("Any")
NULL = BuiltinType("Null")
NUMBER = BuiltinType("number")
STRING = BuiltinType("string")
BOOLEAN = BuiltinType("boolean")
DATE = BuiltinType("date")
TIME = BuiltinType("time")
DATE_TIME = BuiltinType("date and time")
YM_DURATION = BuiltinType("years and months duration")
DT_DURATION = BuiltinType("days and time duration")

_BY_CLASS: dict[type, BuiltinType] = {
    Decimal: NUMBER,
    str: STRING,
    bool: BOOLEAN,
    FeelDate: DATE,
    FeelTime: TIME,
    FeelDateTime: DATE_TIME,
    YearsMonthsDuration: YM_DURATION,
    DaysTimeDuration: DT_DURATION,
}

# Names as DMN typeRefs spell them across versions 1.1-1.5 (with or without a ``feel:`` prefix).
_NAMES: dict[str, BuiltinType] = {
    "any": ANY,
    "null": NULL,
    "number": NUMBER,
    "string": STRING,
    "boolean": BOOLEAN,
    "date": DATE,
    "time": TIME,
    "date and time": DATE_TIME,
    "datetime": DATE_TIME,
    "years and months duration": YM_DURATION,
    "yearmonthduration": YM_DURATION,
    "days and time duration": DT_DURATION,
    "daytimeduration": DT_DURATION,
    "duration": DT_DURATION,
}

_BARE_GENERICS: dict[str, FeelType] = {
    "list": ListType(ANY),
    "context": ContextType(()),
    "range": RangeType(ANY),
}


def type_of(value: Any) -> FeelType:
    """The most specific FEEL type of a value."""
    builtin = _BY_CLASS.get(type(value))
    if builtin is not None:
        return builtin
    if value is None:
        return NULL
    if isinstance(value, list):
        element: FeelType | None = None
        for item in value:
            item_type = type_of(item)
            if element is None or conforms_to(element, item_type):
                element = item_type
            elif not conforms_to(item_type, element):
                element = ANY
                break
        return ListType(element or ANY)
    if isinstance(value, dict):
        return ContextType(tuple((key, type_of(item)) for key, item in value.items()))
    if isinstance(value, Range):
        endpoint = value.start if value.start is not None else value.end
        return RangeType(type_of(endpoint) if endpoint is not None else ANY)
    if hasattr(value, "call"):
        parameters = getattr(value, "parameters", ())
        return FunctionType(tuple(ANY for _ in parameters), ANY)
    return ANY


def is_instance(value: Any, t: FeelType) -> bool:
    """FEEL ``value instance of t``; null is an instance of ``Null`` only."""
    if value is None:
        return t == NULL
    if isinstance(t, BuiltinType):
        if t == ANY:
            return True
        return _BY_CLASS.get(type(value)) == t
    if isinstance(t, ListType):
        return isinstance(value, list) and all(item is None or is_instance(item, t.element) for item in value)
    if isinstance(t, ContextType):
        if not isinstance(value, dict):
            return False
        for name, field_type in t.fields:
            if name not in value:
                return False
            if value[name] is not None and not is_instance(value[name], field_type):
                return False
        return True
    if isinstance(t, RangeType):
        if not isinstance(value, Range):
            return False
        return all(end is None or is_instance(end, t.element) for end in (value.start, value.end))
    if not hasattr(value, "call"):
        return False
    parameters = getattr(value, "parameters", None)
    if parameters is not None and not getattr(value, "variadic", False) and len(parameters) != len(t.parameters):
        return False
    result_type = getattr(value, "result_type", None)
    return result_type is None or conforms_to(result_type, t.result)


def conforms_to(t1: FeelType, t2: FeelType) -> bool:
    """True when every value of type ``t1`` may be used where ``t2`` is expected."""
    if t2 in (t1, ANY) or t1 == NULL:
        return True
    if isinstance(t1, ListType) and isinstance(t2, ListType):
        return conforms_to(t1.element, t2.element)
    if isinstance(t1, RangeType) and isinstance(t2, RangeType):
        return conforms_to(t1.element, t2.element)
    if isinstance(t1, ContextType) and isinstance(t2, ContextType):
        available = dict(t1.fields)
        return all(name in available and conforms_to(available[name], t) for name, t in t2.fields)
    if isinstance(t1, FunctionType) and isinstance(t2, FunctionType):
        if len(t1.parameters) != len(t2.parameters):
            return False
        parameters_ok = all(conforms_to(p2, p1) for p1, p2 in zip(t1.parameters, t2.parameters, strict=True))
        return parameters_ok and conforms_to(t1.result, t2.result)
    return False


def parse_type_name(name: str) -> FeelType | None:
    """Parse a type name such as ``number``, ``feel:date and time`` or ``list<context<a: number>>``.

    Returns None for a name that is not a FEEL type (for example a DMN item definition name).
    """
    parser = _TypeParser(name)
    try:
        result = parser.parse_type()
    except ValueError:
        return None
    return result if parser.at_end() else None


class _TypeParser:
    """Recursive descent over the small grammar of FEEL type expressions."""

    __slots__ = ("pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def at_end(self) -> bool:
        self._skip()
        return self.pos >= len(self.text)

    def _skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def _take(self, token: str) -> bool:
        self._skip()
        if self.text.startswith(token, self.pos):
            self.pos += len(token)
            return True
        return False

    def _name(self) -> str:
        self._skip()
        if self.text.startswith("feel:", self.pos):
            self.pos += len("feel:")
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in "<>,:()":
            if self.text.startswith("->", self.pos):
                break
            self.pos += 1
        name = " ".join(self.text[start : self.pos].split())
        if not name:
            raise ValueError(self.text)
        return name

    def parse_type(self) -> FeelType:
        name = self._name()
        key = name.lower()
        if key in ("list", "range") and self._take("<"):
            element = self.parse_type()
            self._expect(">")
            return ListType(element) if key == "list" else RangeType(element)
        if key == "context" and self._take("<"):
            fields: list[tuple[str, FeelType]] = []
            while not self._take(">"):
                if fields:
                    self._expect(",")
                field_name = self._name()
                self._expect(":")
                fields.append((field_name, self.parse_type()))
            return ContextType(tuple(fields))
        if key == "function" and self._take("<"):
            parameters: list[FeelType] = []
            while not self._take(">"):
                if parameters:
                    self._expect(",")
                parameters.append(self.parse_type())
            self._expect("->")
            return FunctionType(tuple(parameters), self.parse_type())
        if key in _BARE_GENERICS:
            return _BARE_GENERICS[key]
        builtin = _NAMES.get(key)
        if builtin is None:
            raise ValueError(name)
        return builtin

    def _expect(self, token: str) -> None:
        if not self._take(token):
            raise ValueError(self.text)
