"""All extensions of one element: typed Camunda 7 / Zeebe fields, the rest kept as XML."""

from __future__ import annotations

import dataclasses
from typing import Any

from lxml import etree

from civicflow.bpmn.model import NO_EXTENSIONS, CalledElement, Dialect, Extensions, XmlNode
from civicflow.bpmn.namespaces import BPMN, ZEEBE, clark
from civicflow.bpmn.reader._base import ElementReader, to_node
from civicflow.bpmn.reader._camunda import C7_DIALECTS, read_c7_attributes, read_c7_element
from civicflow.bpmn.reader._zeebe import read_zeebe_element

__all__ = ["read_extensions"]


def _c7_namespace(el: etree._Element, ext: etree._Element | None) -> str | None:
    for name in el.attrib:
        ns = etree.QName(name).namespace
        if ns in C7_DIALECTS:
            return ns
    if ext is not None:
        for child in ext:
            if isinstance(child.tag, str) and etree.QName(child).namespace in C7_DIALECTS:
                return etree.QName(child).namespace
    return None


def read_extensions(r: ElementReader) -> tuple[Extensions, tuple[XmlNode, ...]]:
    """Typed extensions and the unknown extension elements of ``r``'s element."""
    ext_el = r.el.find(clark(BPMN, "extensionElements"))
    c7_ns = _c7_namespace(r.el, ext_el)
    fields: dict[str, Any] = {}
    if c7_ns is not None:
        read_c7_attributes(r, c7_ns, fields)
    unknown: list[XmlNode] = []
    if ext_el is not None:
        for child in ext_el:
            tag: object = child.tag  # comments and entities have a non-str tag
            if not isinstance(tag, str):
                continue
            ns = etree.QName(child).namespace
            typed = False
            if ns == ZEEBE:
                typed = read_zeebe_element(child, fields)
            elif ns in C7_DIALECTS:
                typed = read_c7_element(child, C7_DIALECTS[ns], fields)
            if not typed:
                unknown.append(to_node(child))
    _collect_lists(fields, c7_ns)
    if c7_ns is not None and fields:
        fields["c7_dialect"] = C7_DIALECTS[c7_ns]
    if not fields:
        return NO_EXTENSIONS, tuple(unknown)
    return Extensions(**fields), tuple(unknown)


def _collect_lists(fields: dict[str, Any], c7_ns: str | None) -> None:
    """Turn the repeated elements gathered as lists into the model's tuples."""
    if "listeners_list" in fields:
        fields["listeners"] = tuple(fields.pop("listeners_list"))
    if "forms_list" in fields:
        fields["user_task_forms"] = tuple(fields.pop("forms_list"))
    inputs = tuple(fields.pop("c7_in", ()))
    outputs = tuple(fields.pop("c7_out", ()))
    if inputs or outputs:
        dialect = C7_DIALECTS[c7_ns] if c7_ns is not None else Dialect.CAMUNDA
        called = fields.get("called_element") or CalledElement(dialect=dialect)
        fields["called_element"] = dataclasses.replace(called, inputs=inputs, outputs=outputs)
