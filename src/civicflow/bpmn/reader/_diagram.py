"""BPMNDI: diagrams, planes, shapes, edges and labels."""

from __future__ import annotations

from lxml import etree

from civicflow.bpmn.model import Attribute, Bounds, Diagram, DiagramEdge, DiagramLabel, DiagramShape, Plane, Point
from civicflow.bpmn.namespaces import BPMNDI, DC, DI, clark
from civicflow.bpmn.reader._base import Context, line_of, parse_bool, strip_prefix, to_node

__all__ = ["read_diagram"]

_SHAPE_ATTRS = frozenset(
    {
        "id",
        "bpmnElement",
        "isHorizontal",
        "isExpanded",
        "isMarkerVisible",
        "isMessageVisible",
        "participantBandKind",
        "choreographyActivityShape",
    }
)
_EDGE_ATTRS = frozenset({"id", "bpmnElement", "sourceElement", "targetElement", "messageVisibleKind"})


def _number(ctx: Context, el: etree._Element, name: str) -> float:
    value = el.get(name)
    try:
        return float(str(value))
    except ValueError:
        raise ctx.error(f"{etree.QName(el).localname} {name} is not a number: {value!r}", el) from None


def _bounds(ctx: Context, el: etree._Element | None) -> Bounds | None:
    if el is None:
        return None
    return Bounds(
        x=_number(ctx, el, "x"),
        y=_number(ctx, el, "y"),
        width=_number(ctx, el, "width"),
        height=_number(ctx, el, "height"),
    )


def _rest(el: etree._Element, known: frozenset[str]) -> tuple[Attribute, ...]:
    return tuple((str(k), str(v)) for k, v in el.attrib.items() if str(k) not in known)


def _ref(el: etree._Element, name: str) -> str | None:
    value = el.get(name)
    return None if value is None else strip_prefix(el, str(value).strip())


def _label(ctx: Context, el: etree._Element) -> DiagramLabel | None:
    label = el.find(clark(BPMNDI, "BPMNLabel"))
    if label is None:
        return None
    return DiagramLabel(
        bounds=_bounds(ctx, label.find(clark(DC, "Bounds"))),
        label_style=_ref(label, "labelStyle"),
        attributes=_rest(label, frozenset({"labelStyle"})),
    )


def _extras(el: etree._Element, known: set[str]) -> tuple[etree._Element, ...]:
    return tuple(c for c in el if isinstance(c.tag, str) and c.tag not in known)


def _shape(ctx: Context, el: etree._Element) -> DiagramShape:
    return DiagramShape(
        id=str(el.get("id", "")),
        element_ref=_ref(el, "bpmnElement"),
        bounds=_bounds(ctx, el.find(clark(DC, "Bounds"))),
        is_horizontal=parse_bool(el.get("isHorizontal")),
        is_expanded=parse_bool(el.get("isExpanded")),
        is_marker_visible=parse_bool(el.get("isMarkerVisible")),
        is_message_visible=parse_bool(el.get("isMessageVisible")),
        participant_band_kind=el.get("participantBandKind"),
        choreography_activity_shape=_ref(el, "choreographyActivityShape"),
        label=_label(ctx, el),
        attributes=_rest(el, _SHAPE_ATTRS),
        extension_elements=tuple(to_node(c) for c in _extras(el, {clark(DC, "Bounds"), clark(BPMNDI, "BPMNLabel")})),
        line=line_of(el),
    )


def _edge(ctx: Context, el: etree._Element) -> DiagramEdge:
    waypoint = clark(DI, "waypoint")
    return DiagramEdge(
        id=str(el.get("id", "")),
        element_ref=_ref(el, "bpmnElement"),
        waypoints=tuple(Point(x=_number(ctx, p, "x"), y=_number(ctx, p, "y")) for p in el.iterchildren(waypoint)),
        source_element=_ref(el, "sourceElement"),
        target_element=_ref(el, "targetElement"),
        message_visible_kind=el.get("messageVisibleKind"),
        label=_label(ctx, el),
        attributes=_rest(el, _EDGE_ATTRS),
        extension_elements=tuple(to_node(c) for c in _extras(el, {waypoint, clark(BPMNDI, "BPMNLabel")})),
        line=line_of(el),
    )


def read_diagram(ctx: Context, el: etree._Element) -> Diagram:
    plane_el = el.find(clark(BPMNDI, "BPMNPlane"))
    plane = None
    if plane_el is not None:
        plane = Plane(
            id=str(plane_el.get("id", "")),
            element_ref=_ref(plane_el, "bpmnElement"),
            shapes=tuple(_shape(ctx, s) for s in plane_el.iterchildren(clark(BPMNDI, "BPMNShape"))),
            edges=tuple(_edge(ctx, e) for e in plane_el.iterchildren(clark(BPMNDI, "BPMNEdge"))),
            attributes=_rest(plane_el, frozenset({"id", "bpmnElement"})),
        )
    resolution = el.get("resolution")
    return Diagram(
        id=str(el.get("id", "")),
        name=el.get("name"),
        resolution=None if resolution is None else _number(ctx, el, "resolution"),
        plane=plane,
        label_styles=tuple(to_node(s) for s in el.iterchildren(clark(BPMNDI, "BPMNLabelStyle"))),
        attributes=_rest(el, frozenset({"id", "name", "resolution"})),
        line=line_of(el),
    )
