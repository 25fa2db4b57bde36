"""Reading one element: typed attributes and children in, everything else kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from civicflow.bpmn.errors import BpmnParseError
from civicflow.bpmn.expressions import Expression
from civicflow.bpmn.model import Extensions, XmlNode
from civicflow.bpmn.namespaces import BPMN, XSI, clark

__all__ = ["Context", "ElementReader", "line_of", "parse_bool", "read_expression", "strip_prefix", "to_node"]


@dataclass(slots=True)
class Context:
    """Per-file reading state."""

    file: str | None
    namespaces: dict[str, str] = field(default_factory=dict)

    def error(self, message: str, el: etree._Element | None = None, element_id: str | None = None) -> BpmnParseError:
        line = line_of(el) if el is not None else None
        return BpmnParseError(message, file=self.file, line=line, element_id=element_id)


def to_node(el: etree._Element) -> XmlNode:
    """Keep an element as a prefix-free :class:`XmlNode`."""
    text = el.text if el.text is not None and el.text.strip() else None
    return XmlNode(
        tag=str(el.tag),
        attributes=tuple((str(k), str(v)) for k, v in el.attrib.items()),
        text=text,
        children=tuple(to_node(child) for child in el if isinstance(child.tag, str)),
    )


def line_of(el: etree._Element) -> int | None:
    """The source line (lxml's stubs type it loosely)."""
    line: object = el.sourceline
    return line if isinstance(line, int) else None


def strip_prefix(el: etree._Element, value: str) -> str:
    """``tns:Message_1`` -> ``Message_1`` when ``tns`` is a namespace prefix in scope."""
    prefix, sep, local = value.partition(":")
    if sep and prefix in el.nsmap:
        return local
    return value


def parse_bool(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() == "true"


class ElementReader:
    """Wraps an element; what the reader asks for is typed, the rest is kept verbatim."""

    __slots__ = ("_used_attrs", "_used_children", "ctx", "el")

    def __init__(self, ctx: Context, el: etree._Element) -> None:
        self.ctx = ctx
        self.el = el
        self._used_attrs: set[str] = {clark(XSI, "type"), clark(XSI, "schemaLocation")}
        # Holding the proxies keeps their ids unique while we compare them.
        self._used_children: dict[int, etree._Element] = {}

    @property
    def local_name(self) -> str:
        return etree.QName(self.el).localname

    def attr(self, name: str) -> str | None:
        """An attribute by its Clark name (plain name for BPMN's own attributes)."""
        self._used_attrs.add(name)
        value = self.el.get(name)
        return None if value is None else str(value)

    def ref(self, name: str) -> str | None:
        """A reference attribute (an xsd:QName): a prefix bound in scope is dropped."""
        value = self.attr(name)
        return None if value is None else strip_prefix(self.el, value.strip())

    def bool_attr(self, name: str, *, default: bool) -> bool:
        value = parse_bool(self.attr(name))
        return default if value is None else value

    def opt_bool(self, name: str) -> bool | None:
        return parse_bool(self.attr(name))

    def int_attr(self, name: str) -> int | None:
        value = self.attr(name)
        if value is None:
            return None
        try:
            return int(value.strip())
        except ValueError:
            raise self.ctx.error(f"attribute {name} is not an integer: {value!r}", self.el) from None

    def mark(self, child: etree._Element) -> etree._Element:
        self._used_children[id(child)] = child
        return child

    def children(self, local: str, namespace: str = BPMN) -> list[etree._Element]:
        tag = clark(namespace, local)
        return [self.mark(child) for child in self.el if child.tag == tag]

    def child(self, local: str, namespace: str = BPMN) -> etree._Element | None:
        found = self.children(local, namespace)
        return found[0] if found else None

    def child_text(self, local: str) -> str | None:
        child = self.child(local)
        return None if child is None else (child.text or "")

    def child_refs(self, local: str) -> tuple[str, ...]:
        return tuple(strip_prefix(child, (child.text or "").strip()) for child in self.children(local))

    def expression_child(self, local: str) -> Expression | None:
        child = self.child(local)
        return None if child is None else read_expression(child)

    def require_id(self) -> str:
        value = self.el.get("id")
        if not value:
            raise self.ctx.error(f"{self.local_name} without an id", self.el)
        return str(value)

    def common(self, ext: Extensions, extension_elements: tuple[XmlNode, ...]) -> dict[str, Any]:
        """The BaseElement fields; call after every typed attribute and child was read."""
        docs = tuple("".join(str(t) for t in child.itertext()) for child in self.children("documentation"))
        self.children("extensionElements")
        self._used_attrs.add("id")
        attributes = tuple((str(k), str(v)) for k, v in self.el.attrib.items() if str(k) not in self._used_attrs)
        unmodelled = tuple(
            to_node(child) for child in self.el if isinstance(child.tag, str) and id(child) not in self._used_children
        )
        return {
            "id": str(self.el.get("id") or ""),
            "documentation": docs,
            "ext": ext,
            "attributes": attributes,
            "extension_elements": extension_elements,
            "unmodelled": unmodelled,
            "line": line_of(self.el),
        }


def read_expression(el: etree._Element) -> Expression:
    """A formal expression element: its text and ``language``."""
    language = el.get("language")
    return Expression(raw="".join(str(t) for t in el.itertext()), language=None if language is None else str(language))
