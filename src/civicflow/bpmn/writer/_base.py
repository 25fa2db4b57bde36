"""Element building blocks shared by the writer modules."""

from __future__ import annotations

from lxml import etree

from civicflow.bpmn.expressions import Expression
from civicflow.bpmn.model import Attribute, BaseElement, XmlNode
from civicflow.bpmn.namespaces import BPMN, XSI, clark

__all__ = ["Writer", "fmt_bool", "fmt_number"]


def fmt_bool(value: bool) -> str:
    return "true" if value else "false"


def fmt_number(value: float) -> str:
    """``100`` rather than ``100.0``; otherwise the shortest exact repr."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


class Writer:
    """Creates BPMN elements; ``bpmn_prefix`` is needed inside xsi:type values."""

    __slots__ = ("bpmn_prefix",)

    def __init__(self, bpmn_prefix: str | None) -> None:
        self.bpmn_prefix = bpmn_prefix

    def sub(self, parent: etree._Element, local: str, namespace: str = BPMN) -> etree._Element:
        return etree.SubElement(parent, clark(namespace, local))

    @staticmethod
    def set(el: etree._Element, name: str, value: str | None) -> None:
        if value is not None:
            el.set(name, value)

    def set_bool(self, el: etree._Element, name: str, value: bool | None, default: bool | None = None) -> None:
        if value is not None and value != default:
            el.set(name, fmt_bool(value))

    def attributes(self, el: etree._Element, attributes: tuple[Attribute, ...]) -> None:
        for name, value in attributes:
            el.set(name, value)

    def node(self, parent: etree._Element, node: XmlNode) -> etree._Element:
        el = etree.SubElement(parent, node.tag)
        self.attributes(el, node.attributes)
        el.text = node.text
        for child in node.children:
            self.node(el, child)
        return el

    def text_child(self, parent: etree._Element, local: str, text: str) -> etree._Element:
        el = self.sub(parent, local)
        el.text = text
        return el

    def refs(self, parent: etree._Element, local: str, values: tuple[str, ...]) -> None:
        for value in values:
            self.text_child(parent, local, value)

    def expression(self, parent: etree._Element, local: str, expression: Expression | None) -> None:
        if expression is None:
            return
        el = self.sub(parent, local)
        type_name = "tFormalExpression" if self.bpmn_prefix is None else f"{self.bpmn_prefix}:tFormalExpression"
        el.set(clark(XSI, "type"), type_name)
        self.set(el, "language", expression.language)
        el.text = expression.raw

    def start(self, parent: etree._Element, local: str, element: BaseElement) -> etree._Element:
        """The element with id, documentation, extensions and kept attributes."""
        from civicflow.bpmn.writer._extensions import write_extensions

        el = self.sub(parent, local)
        if element.id:
            el.set("id", element.id)
        for text in element.documentation:
            self.text_child(el, "documentation", text)
        write_extensions(self, el, element)
        self.attributes(el, element.attributes)
        return el

    def unmodelled(self, el: etree._Element, element: BaseElement) -> None:
        for node in element.unmodelled:
            self.node(el, node)
