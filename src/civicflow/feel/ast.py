"""FEEL abstract syntax tree: frozen, slotted nodes, each with its source span ``(start, end)``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "AnyTest",
    "Arithmetic",
    "Between",
    "BooleanLit",
    "Comparison",
    "Conjunction",
    "ContextEntry",
    "ContextLit",
    "ContextTypeNode",
    "Disjunction",
    "Expr",
    "FilterExpr",
    "ForExpr",
    "FunctionDef",
    "FunctionTypeNode",
    "IfExpr",
    "InTest",
    "InstanceOf",
    "Invocation",
    "Iteration",
    "ListLit",
    "ListTypeNode",
    "NameRef",
    "NamedType",
    "Negation",
    "Node",
    "NullLit",
    "NumberLit",
    "Parameter",
    "PathExpr",
    "Quantified",
    "RangeLit",
    "RangeTypeNode",
    "Span",
    "StringLit",
    "TemporalLit",
    "TypeNode",
    "UnaryComparison",
    "UnaryTests",
]

Span = tuple[int, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    span: Span


# Literals


@dataclass(frozen=True, slots=True, kw_only=True)
class NumberLit(Node):
    value: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class StringLit(Node):
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BooleanLit(Node):
    value: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class NullLit(Node):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class TemporalLit(Node):
    """``@"2020-01-01"``: the text is decoded at compile time."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ListLit(Node):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ContextEntry(Node):
    key: str
    value: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class ContextLit(Node):
    entries: tuple[ContextEntry, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RangeLit(Node):
    """``[a..b]``, ``(a..b]``, ``]a..b[``; both endpoints are expressions."""

    start: Expr
    end: Expr
    start_included: bool
    end_included: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class UnaryComparison(Node):
    """``< 5`` / ``>= x`` / ``= y`` / ``!= z``: a test against the input, or a range value."""

    op: str
    operand: Expr


# Names, paths, filters, calls


@dataclass(frozen=True, slots=True, kw_only=True)
class NameRef(Node):
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PathExpr(Node):
    base: Expr
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FilterExpr(Node):
    base: Expr
    condition: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Invocation(Node):
    function: Expr
    args: tuple[Expr, ...]
    named: tuple[tuple[str, Expr], ...] | None = None


# Operators


@dataclass(frozen=True, slots=True, kw_only=True)
class Negation(Node):
    operand: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Arithmetic(Node):
    op: str  # + - * / **
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison(Node):
    op: str  # = != < <= > >=
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Conjunction(Node):
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Disjunction(Node):
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Between(Node):
    value: Expr
    low: Expr
    high: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class InTest(Node):
    """``value in tests``; several tests come from ``value in (t1, t2)``."""

    value: Expr
    tests: tuple[Expr, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceOf(Node):
    value: Expr
    type: TypeNode


# Control


@dataclass(frozen=True, slots=True, kw_only=True)
class IfExpr(Node):
    condition: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Iteration(Node):
    """``name in domain`` or ``name in start..end``."""

    name: str
    domain: Expr
    end: Expr | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ForExpr(Node):
    iterations: tuple[Iteration, ...]
    body: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Quantified(Node):
    every: bool
    iterations: tuple[Iteration, ...]
    condition: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameter(Node):
    name: str
    type: TypeNode | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionDef(Node):
    parameters: tuple[Parameter, ...]
    body: Expr
    external: bool = False


# Types (instance of, typed parameters)


@dataclass(frozen=True, slots=True, kw_only=True)
class NamedType(Node):
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ListTypeNode(Node):
    element: TypeNode


@dataclass(frozen=True, slots=True, kw_only=True)
class RangeTypeNode(Node):
    element: TypeNode


@dataclass(frozen=True, slots=True, kw_only=True)
class ContextTypeNode(Node):
    fields: tuple[tuple[str, TypeNode], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionTypeNode(Node):
    parameters: tuple[TypeNode, ...]
    result: TypeNode


TypeNode = NamedType | ListTypeNode | RangeTypeNode | ContextTypeNode | FunctionTypeNode


# Unary tests (decision table input entries)


@dataclass(frozen=True, slots=True, kw_only=True)
class AnyTest(Node):
    """``-``: matches every input."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UnaryTests(Node):
    """Comma-separated positive unary tests, optionally wrapped in ``not(...)``."""

    tests: tuple[Expr, ...]
    negated: bool = False


Expr = (
    NumberLit
    | StringLit
    | BooleanLit
    | NullLit
    | TemporalLit
    | ListLit
    | ContextLit
    | RangeLit
    | UnaryComparison
    | NameRef
    | PathExpr
    | FilterExpr
    | Invocation
    | Negation
    | Arithmetic
    | Comparison
    | Conjunction
    | Disjunction
    | Between
    | InTest
    | InstanceOf
    | IfExpr
    | ForExpr
    | Quantified
    | FunctionDef
)
