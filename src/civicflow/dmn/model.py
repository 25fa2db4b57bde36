"""The immutable DMN model read from XML: DRG elements, item definitions and boxed expressions.

These classes hold source text only; :mod:`civicflow.dmn.drg` compiles them to closures.
Element references are :class:`Ref` (namespace, id) because imported models may reuse ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "Binding",
    "BusinessKnowledgeModel",
    "Conditional",
    "Context",
    "ContextEntry",
    "Decision",
    "DecisionService",
    "DecisionTable",
    "Definitions",
    "Expression",
    "Filter",
    "FunctionDefinition",
    "FunctionItem",
    "HitPolicy",
    "Import",
    "InformationItem",
    "InputClause",
    "InputData",
    "Invocation",
    "ItemDefinition",
    "Iterator",
    "ListExpression",
    "LiteralExpression",
    "OutputClause",
    "Ref",
    "Relation",
    "Rule",
]


class HitPolicy(StrEnum):
    UNIQUE = "UNIQUE"
    FIRST = "FIRST"
    PRIORITY = "PRIORITY"
    ANY = "ANY"
    COLLECT = "COLLECT"
    RULE_ORDER = "RULE ORDER"
    OUTPUT_ORDER = "OUTPUT ORDER"


@dataclass(frozen=True, slots=True, kw_only=True)
class Ref:
    """A reference to a DRG element: the namespace of its model and its id."""

    namespace: str
    id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InformationItem:
    name: str
    type_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionItem:
    parameters: tuple[InformationItem, ...]
    output_type_ref: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemDefinition:
    name: str
    type_ref: str | None = None
    is_collection: bool = False
    allowed_values: str | None = None
    type_constraint: str | None = None
    components: tuple[ItemDefinition, ...] = ()
    function_item: FunctionItem | None = None


# --- boxed expressions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LiteralExpression:
    id: str | None = None
    type_ref: str | None = None
    text: str = ""
    language: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InputClause:
    id: str | None
    label: str | None
    expression: LiteralExpression
    input_values: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OutputClause:
    id: str | None
    name: str | None
    label: str | None = None
    type_ref: str | None = None
    output_values: str | None = None
    default_output: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    id: str | None
    input_entries: tuple[str, ...]
    output_entries: tuple[str, ...]
    annotations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionTable:
    id: str | None = None
    type_ref: str | None = None
    hit_policy: HitPolicy = HitPolicy.UNIQUE
    aggregation: str | None = None
    inputs: tuple[InputClause, ...] = ()
    outputs: tuple[OutputClause, ...] = ()
    rules: tuple[Rule, ...] = ()
    output_label: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ContextEntry:
    variable: InformationItem | None  # None: the final result entry
    expression: Expression | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    id: str | None = None
    type_ref: str | None = None
    entries: tuple[ContextEntry, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Binding:
    parameter: InformationItem
    expression: Expression | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Invocation:
    id: str | None = None
    type_ref: str | None = None
    called: Expression | None = None
    bindings: tuple[Binding, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionDefinition:
    id: str | None = None
    type_ref: str | None = None
    kind: str = "FEEL"
    parameters: tuple[InformationItem, ...] = ()
    body: Expression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Relation:
    id: str | None = None
    type_ref: str | None = None
    columns: tuple[InformationItem, ...] = ()
    rows: tuple[tuple[Expression | None, ...], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ListExpression:
    id: str | None = None
    type_ref: str | None = None
    items: tuple[Expression | None, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Conditional:
    id: str | None = None
    type_ref: str | None = None
    if_: Expression | None = None
    then: Expression | None = None
    else_: Expression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Filter:
    id: str | None = None
    type_ref: str | None = None
    in_: Expression | None = None
    match: Expression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Iterator:
    """The boxed ``for`` / ``some`` / ``every`` (``kind``); ``body`` is return or satisfies."""

    id: str | None = None
    type_ref: str | None = None
    kind: str = "for"
    variable: str = "item"
    in_: Expression | None = None
    body: Expression | None = None


Expression = (
    LiteralExpression
    | DecisionTable
    | Context
    | Invocation
    | FunctionDefinition
    | Relation
    | ListExpression
    | Conditional
    | Filter
    | Iterator
)

# --- DRG elements ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class InputData:
    id: str
    name: str
    type_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    id: str
    name: str
    type_ref: str | None = None
    required_decisions: tuple[Ref, ...] = ()
    required_inputs: tuple[Ref, ...] = ()
    required_knowledge: tuple[Ref, ...] = ()
    expression: Expression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessKnowledgeModel:
    id: str
    name: str
    type_ref: str | None = None
    logic: FunctionDefinition | None = None
    required_knowledge: tuple[Ref, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionService:
    id: str
    name: str
    type_ref: str | None = None
    output_decisions: tuple[Ref, ...] = ()
    encapsulated_decisions: tuple[Ref, ...] = ()
    input_decisions: tuple[Ref, ...] = ()
    input_data: tuple[Ref, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Import:
    name: str
    namespace: str
    import_type: str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Definitions:
    """One DMN file."""

    id: str | None
    name: str
    namespace: str
    dmn_version: str
    imports: tuple[Import, ...] = ()
    item_definitions: tuple[ItemDefinition, ...] = ()
    input_data: tuple[InputData, ...] = ()
    decisions: tuple[Decision, ...] = ()
    bkms: tuple[BusinessKnowledgeModel, ...] = ()
    decision_services: tuple[DecisionService, ...] = ()
