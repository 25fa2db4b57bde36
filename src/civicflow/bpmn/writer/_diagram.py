"""BPMNDI output, so written models open in bpmn.io with their layout."""

from __future__ import annotations

from lxml import etree

from civicflow.bpmn.model import Bounds, Diagram, DiagramLabel
from civicflow.bpmn.namespaces import BPMNDI, DC, DI
from civicflow.bpmn.writer._base import Writer, fmt_number

__all__ = ["write_diagram"]


def _bounds(w: Writer, parent: etree._Element, bounds: Bounds | None) -> None:
    if bounds is None:
        return
    el = w.sub(parent, "Bounds", DC)
    el.set("x", fmt_number(bounds.x))
    el.set("y", fmt_number(bounds.y))
    el.set("width", fmt_number(bounds.width))
    el.set("height", fmt_number(bounds.height))


def _label(w: Writer, parent: etree._Element, label: DiagramLabel | None) -> None:
    if label is None:
        return
    el = w.sub(parent, "BPMNLabel", BPMNDI)
    w.set(el, "labelStyle", label.label_style)
    w.attributes(el, label.attributes)
    _bounds(w, el, label.bounds)


def write_diagram(w: Writer, parent: etree._Element, diagram: Diagram) -> None:
    el = w.sub(parent, "BPMNDiagram", BPMNDI)
    w.set(el, "id", diagram.id or None)
    w.set(el, "name", diagram.name)
    w.set(el, "resolution", None if diagram.resolution is None else fmt_number(diagram.resolution))
    w.attributes(el, diagram.attributes)
    plane = diagram.plane
    if plane is not None:
        plane_el = w.sub(el, "BPMNPlane", BPMNDI)
        w.set(plane_el, "id", plane.id or None)
        w.set(plane_el, "bpmnElement", plane.element_ref)
        w.attributes(plane_el, plane.attributes)
        for shape in plane.shapes:
            s = w.sub(plane_el, "BPMNShape", BPMNDI)
            w.set(s, "id", shape.id or None)
            w.set(s, "bpmnElement", shape.element_ref)
            for name, flag in (
                ("isHorizontal", shape.is_horizontal),
                ("isExpanded", shape.is_expanded),
                ("isMarkerVisible", shape.is_marker_visible),
                ("isMessageVisible", shape.is_message_visible),
            ):
                w.set_bool(s, name, flag)
            w.set(s, "participantBandKind", shape.participant_band_kind)
            w.set(s, "choreographyActivityShape", shape.choreography_activity_shape)
            w.attributes(s, shape.attributes)
            _bounds(w, s, shape.bounds)
            _label(w, s, shape.label)
            for node in shape.extension_elements:
                w.node(s, node)
        for edge in plane.edges:
            e = w.sub(plane_el, "BPMNEdge", BPMNDI)
            w.set(e, "id", edge.id or None)
            w.set(e, "bpmnElement", edge.element_ref)
            w.set(e, "sourceElement", edge.source_element)
            w.set(e, "targetElement", edge.target_element)
            w.set(e, "messageVisibleKind", edge.message_visible_kind)
            w.attributes(e, edge.attributes)
            for point in edge.waypoints:
                p = w.sub(e, "waypoint", DI)
                p.set("x", fmt_number(point.x))
                p.set("y", fmt_number(point.y))
            _label(w, e, edge.label)
            for node in edge.extension_elements:
                w.node(e, node)
    for style in diagram.label_styles:
        w.node(el, style)
