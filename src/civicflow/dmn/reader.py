"""Read DMN 1.1-1.5 XML into :class:`~civicflow.dmn.model.Definitions`, safely.

Namespaces are matched by URI, never by prefix. The parser refuses DTDs outright: a DMN
document never needs one, and refusing them shuts out XXE and entity-expansion attacks
(billion laughs) before any entity is read. Documents are also bounded in size.
"""

from __future__ import annotations

import io
from collections.abc import Iterator as PyIterator
from xml.etree.ElementTree import Element, ParseError  # types only; parsing goes through defusedxml  # nosec B405

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from civicflow.dmn.errors import DmnParseError
from civicflow.dmn.model import (
    Binding,
    BusinessKnowledgeModel,
    Conditional,
    Context,
    ContextEntry,
    Decision,
    DecisionService,
    DecisionTable,
    Definitions,
    Expression,
    Filter,
    FunctionDefinition,
    FunctionItem,
    HitPolicy,
    Import,
    InformationItem,
    InputClause,
    InputData,
    Invocation,
    ItemDefinition,
    Iterator,
    ListExpression,
    LiteralExpression,
    OutputClause,
    Ref,
    Relation,
    Rule,
)

__all__ = ["DMN_NAMESPACES", "MAX_DOCUMENT_BYTES", "read_definitions"]

DMN_NAMESPACES: dict[str, str] = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
    "https://www.omg.org/spec/DMN/20211108/MODEL/": "1.4",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "1.5",
}
_FEEL_NAMESPACES = frozenset(
    {
        "http://www.omg.org/spec/FEEL/20140401",
        "http://www.omg.org/spec/DMN/20180521/FEEL/",
        "https://www.omg.org/spec/DMN/20191111/FEEL/",
        "https://www.omg.org/spec/DMN/20211108/FEEL/",
        "https://www.omg.org/spec/DMN/20230324/FEEL/",
    }
)
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024

_HIT_POLICIES = {p.value: p for p in HitPolicy}
_EXPRESSION_TAGS = frozenset(
    {
        "literalExpression",
        "decisionTable",
        "context",
        "invocation",
        "functionDefinition",
        "relation",
        "list",
        "conditional",
        "filter",
        "for",
        "some",
        "every",
    }
)


def read_definitions(data: bytes, *, source: str | None = None, max_bytes: int = MAX_DOCUMENT_BYTES) -> Definitions:
    """Parse one DMN document; raise :class:`DmnParseError` on anything unreadable or unsafe."""
    if len(data) > max_bytes:
        raise DmnParseError(f"document is larger than {max_bytes} bytes", source=source)
    prefixes: dict[str, str] = {}
    root: Element | None = None
    try:
        for event, item in SafeET.iterparse(io.BytesIO(data), events=("start-ns", "start"), forbid_dtd=True):
            if event == "start-ns":
                prefix, uri = item
                prefixes.setdefault(prefix, uri)
            elif root is None:
                root = item
    except DefusedXmlException as exc:
        raise DmnParseError(
            f"unsafe XML refused ({type(exc).__name__}): DTDs and entities are not allowed", source=source
        ) from None
    except ParseError as exc:
        raise DmnParseError(f"malformed XML: {exc}", source=source) from None
    if root is None:  # pragma: no cover - iterparse raises on an empty document
        raise DmnParseError("empty document", source=source)
    return _Reader(prefixes, source).definitions(root)


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return "", tag


class _Reader:
    def __init__(self, prefixes: dict[str, str], source: str | None) -> None:
        self.prefixes = prefixes
        self.source = source
        self.ns = ""
        self.model_namespace = ""
        self.import_names: dict[str, str] = {}

    # --- helpers ------------------------------------------------------------------------------

    def error(self, message: str, element_id: str | None = None) -> DmnParseError:
        return DmnParseError(message, source=self.source, element_id=element_id)

    def children(self, el: Element, local: str | None = None) -> PyIterator[Element]:
        for child in el:
            tag: object = child.tag
            if not isinstance(tag, str):  # comments and processing instructions
                continue
            uri, name = _split(tag)
            if uri == self.ns and (local is None or name == local):
                yield child

    def child(self, el: Element, local: str) -> Element | None:
        return next(self.children(el, local), None)

    def text_of(self, el: Element | None, local: str = "text") -> str | None:
        if el is None:
            return None
        node = self.child(el, local)
        return None if node is None else (node.text or "")

    def element_id(self, el: Element) -> str:
        """The id of a DRG element; one without an id can only be named, so its name stands in."""
        return el.get("id") or f"name:{el.get('name', '')}"

    def local(self, el: Element) -> str:
        return _split(el.tag)[1]

    def type_ref(self, value: str | None) -> str | None:
        """Resolve a typeRef; DMN 1.1 used QNames (``feel:number``, ``tns:tPerson``)."""
        if value is None:
            return None
        value = value.strip()
        prefix, colon, rest = value.partition(":")
        if colon and prefix in self.prefixes and " " not in prefix:
            uri = self.prefixes[prefix]
            if uri in self.import_names:
                return f"{self.import_names[uri]}.{rest}"
            return rest
        return value or None

    def ref(self, el: Element | None) -> Ref | None:
        if el is None:
            return None
        href = el.get("href", "")
        namespace, _, ident = href.rpartition("#")
        return Ref(namespace=namespace or self.model_namespace, id=ident)

    def refs(self, el: Element, local: str) -> tuple[Ref, ...]:
        found = (self.ref(c) for c in self.children(el, local))
        return tuple(r for r in found if r is not None)

    def variable(self, el: Element) -> InformationItem | None:
        var = self.child(el, "variable")
        if var is None:
            return None
        return InformationItem(name=var.get("name", ""), type_ref=self.type_ref(var.get("typeRef")))

    def information_item(self, el: Element) -> InformationItem:
        return InformationItem(name=el.get("name", ""), type_ref=self.type_ref(el.get("typeRef")))

    # --- definitions ----------------------------------------------------------------------

    def definitions(self, root: Element) -> Definitions:
        uri, local = _split(root.tag)
        if local != "definitions" or uri not in DMN_NAMESPACES:
            known = ", ".join(DMN_NAMESPACES)
            raise self.error(f"not a DMN document: root element {root.tag!r} (expected definitions in one of {known})")
        self.ns = uri
        self.model_namespace = root.get("namespace", "")
        imports = tuple(
            Import(
                name=i.get("name", ""),
                namespace=i.get("namespace", ""),
                import_type=i.get("importType"),
                location=i.get("locationURI"),
            )
            for i in self.children(root, "import")
        )
        self.import_names = {i.namespace: i.name for i in imports}
        input_data: list[InputData] = []
        decisions: list[Decision] = []
        bkms: list[BusinessKnowledgeModel] = []
        services: list[DecisionService] = []
        item_definitions: list[ItemDefinition] = []
        for el in self.children(root):
            kind = self.local(el)
            if kind == "itemDefinition":
                item_definitions.append(self.item_definition(el))
            elif kind == "inputData":
                var = self.variable(el)
                input_data.append(
                    InputData(id=self.element_id(el), name=el.get("name", ""), type_ref=var.type_ref if var else None)
                )
            elif kind == "decision":
                decisions.append(self.decision(el))
            elif kind == "businessKnowledgeModel":
                bkms.append(self.bkm(el))
            elif kind == "decisionService":
                services.append(self.decision_service(el))
        return Definitions(
            id=root.get("id"),
            name=root.get("name", ""),
            namespace=self.model_namespace,
            dmn_version=DMN_NAMESPACES[uri],
            imports=imports,
            item_definitions=tuple(item_definitions),
            input_data=tuple(input_data),
            decisions=tuple(decisions),
            bkms=tuple(bkms),
            decision_services=tuple(services),
        )

    def item_definition(self, el: Element) -> ItemDefinition:
        function_item = None
        fi = self.child(el, "functionItem")
        if fi is not None:
            function_item = FunctionItem(
                parameters=tuple(self.information_item(p) for p in self.children(fi, "parameters")),
                output_type_ref=self.type_ref(fi.get("outputTypeRef")),
            )
        return ItemDefinition(
            name=el.get("name", ""),
            type_ref=self.type_ref(self.text_of(el, "typeRef") if self.child(el, "typeRef") is not None else None),
            is_collection=el.get("isCollection", "false").strip() == "true",
            allowed_values=self.text_of(self.child(el, "allowedValues")),
            type_constraint=self.text_of(self.child(el, "typeConstraint")),
            components=tuple(self.item_definition(c) for c in self.children(el, "itemComponent")),
            function_item=function_item,
        )

    def decision(self, el: Element) -> Decision:
        var = self.variable(el)
        decisions: list[Ref] = []
        inputs: list[Ref] = []
        for req in self.children(el, "informationRequirement"):
            decisions.extend(self.refs(req, "requiredDecision"))
            inputs.extend(self.refs(req, "requiredInput"))
        knowledge = [
            r for req in self.children(el, "knowledgeRequirement") for r in self.refs(req, "requiredKnowledge")
        ]
        return Decision(
            id=self.element_id(el),
            name=el.get("name", ""),
            type_ref=var.type_ref if var else None,
            required_decisions=tuple(decisions),
            required_inputs=tuple(inputs),
            required_knowledge=tuple(knowledge),
            expression=self.expression_in(el),
        )

    def bkm(self, el: Element) -> BusinessKnowledgeModel:
        var = self.variable(el)
        logic_el = self.child(el, "encapsulatedLogic")
        logic = self.function_definition(logic_el) if logic_el is not None else None
        knowledge = [
            r for req in self.children(el, "knowledgeRequirement") for r in self.refs(req, "requiredKnowledge")
        ]
        return BusinessKnowledgeModel(
            id=self.element_id(el),
            name=el.get("name", ""),
            type_ref=var.type_ref if var else None,
            logic=logic,
            required_knowledge=tuple(knowledge),
        )

    def decision_service(self, el: Element) -> DecisionService:
        var = self.variable(el)
        return DecisionService(
            id=self.element_id(el),
            name=el.get("name", ""),
            type_ref=var.type_ref if var else None,
            output_decisions=self.refs(el, "outputDecision"),
            encapsulated_decisions=self.refs(el, "encapsulatedDecision"),
            input_decisions=self.refs(el, "inputDecision"),
            input_data=self.refs(el, "inputData"),
        )

    # --- boxed expressions --------------------------------------------------------------------

    def expression_in(self, el: Element | None) -> Expression | None:
        """The single boxed expression among ``el``'s children, if any."""
        if el is None:
            return None
        for child in self.children(el):
            if self.local(child) in _EXPRESSION_TAGS:
                return self.expression(child)
        return None

    def expression(self, el: Element) -> Expression:
        kind = self.local(el)
        ident = el.get("id")
        type_ref = self.type_ref(el.get("typeRef"))
        if kind == "literalExpression":
            return LiteralExpression(
                id=ident, type_ref=type_ref, text=self.text_of(el) or "", language=el.get("expressionLanguage")
            )
        if kind == "decisionTable":
            return self.decision_table(el)
        if kind == "context":
            entries = tuple(
                ContextEntry(variable=self.variable(e), expression=self.expression_in(e))
                for e in self.children(el, "contextEntry")
            )
            return Context(id=ident, type_ref=type_ref, entries=entries)
        if kind == "invocation":
            bindings = []
            for b in self.children(el, "binding"):
                param = self.child(b, "parameter")
                # Element truthiness is its child count: compare with None explicitly
                item = self.information_item(param if param is not None else b)
                bindings.append(Binding(parameter=item, expression=self.expression_in(b)))
            return Invocation(id=ident, type_ref=type_ref, called=self.expression_in(el), bindings=tuple(bindings))
        if kind == "functionDefinition":
            return self.function_definition(el)
        if kind == "relation":
            columns = tuple(self.information_item(c) for c in self.children(el, "column"))
            rows = tuple(
                tuple(self.expression(c) for c in self.children(r) if self.local(c) in _EXPRESSION_TAGS)
                for r in self.children(el, "row")
            )
            return Relation(id=ident, type_ref=type_ref, columns=columns, rows=rows)
        if kind == "list":
            items = tuple(self.expression(c) for c in self.children(el) if self.local(c) in _EXPRESSION_TAGS)
            return ListExpression(id=ident, type_ref=type_ref, items=items)
        if kind == "conditional":
            return Conditional(
                id=ident,
                type_ref=type_ref,
                if_=self.expression_in(self.child(el, "if")),
                then=self.expression_in(self.child(el, "then")),
                else_=self.expression_in(self.child(el, "else")),
            )
        if kind == "filter":
            return Filter(
                id=ident,
                type_ref=type_ref,
                in_=self.expression_in(self.child(el, "in")),
                match=self.expression_in(self.child(el, "match")),
            )
        body_tag = "return" if kind == "for" else "satisfies"
        return Iterator(
            id=ident,
            type_ref=type_ref,
            kind=kind,
            variable=el.get("iteratorVariable", "item"),
            in_=self.expression_in(self.child(el, "in")),
            body=self.expression_in(self.child(el, body_tag)),
        )

    def function_definition(self, el: Element) -> FunctionDefinition:
        return FunctionDefinition(
            id=el.get("id"),
            type_ref=self.type_ref(el.get("typeRef")),
            kind=(el.get("kind") or "FEEL").strip().upper(),
            parameters=tuple(self.information_item(p) for p in self.children(el, "formalParameter")),
            body=self.expression_in(el),
        )

    def decision_table(self, el: Element) -> DecisionTable:
        ident = el.get("id")
        policy_text = (el.get("hitPolicy") or "UNIQUE").strip().upper()
        policy = _HIT_POLICIES.get(policy_text)
        if policy is None:
            raise self.error(f"unknown hit policy {policy_text!r}", ident)
        aggregation = el.get("aggregation")
        inputs = []
        for i in self.children(el, "input"):
            expr_el = self.child(i, "inputExpression")
            inputs.append(
                InputClause(
                    id=i.get("id"),
                    label=i.get("label"),
                    expression=LiteralExpression(
                        id=expr_el.get("id") if expr_el is not None else None,
                        type_ref=self.type_ref(expr_el.get("typeRef")) if expr_el is not None else None,
                        text=self.text_of(expr_el) or "",
                    ),
                    input_values=self.text_of(self.child(i, "inputValues")),
                )
            )
        outputs = tuple(
            OutputClause(
                id=o.get("id"),
                name=o.get("name"),
                label=o.get("label"),
                type_ref=self.type_ref(o.get("typeRef")),
                output_values=self.text_of(self.child(o, "outputValues")),
                default_output=self.text_of(self.child(o, "defaultOutputEntry")),
            )
            for o in self.children(el, "output")
        )
        rules = []
        for r in self.children(el, "rule"):
            rule = Rule(
                id=r.get("id"),
                input_entries=tuple(self.text_of(e) or "" for e in self.children(r, "inputEntry")),
                output_entries=tuple(self.text_of(e) or "" for e in self.children(r, "outputEntry")),
                annotations=tuple(self.text_of(e) or "" for e in self.children(r, "annotationEntry")),
            )
            if len(rule.input_entries) != len(inputs) or len(rule.output_entries) != len(outputs):
                raise self.error("rule has a different number of entries than the table has columns", rule.id)
            rules.append(rule)
        return DecisionTable(
            id=ident,
            type_ref=self.type_ref(el.get("typeRef")),
            hit_policy=policy,
            aggregation=aggregation.strip().upper() if aggregation else None,
            inputs=tuple(inputs),
            outputs=outputs,
            rules=tuple(rules),
            output_label=el.get("outputLabel"),
        )
