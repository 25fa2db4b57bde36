"""BPMN diagram interchange (BPMNDI): shapes with bounds, edges with waypoints, labels."""

from __future__ import annotations

from dataclasses import dataclass, field

from civicflow.bpmn.model.xml import Attribute, XmlNode

__all__ = ["Bounds", "Diagram", "DiagramEdge", "DiagramLabel", "DiagramShape", "Plane", "Point"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Bounds:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True, kw_only=True)
class DiagramLabel:
    bounds: Bounds | None = None
    label_style: str | None = None
    attributes: tuple[Attribute, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DiagramShape:
    """``attributes`` keeps colours (bioc:, color:) and other tool attributes."""

    id: str = ""
    element_ref: str | None = None
    bounds: Bounds | None = None
    is_horizontal: bool | None = None
    is_expanded: bool | None = None
    is_marker_visible: bool | None = None
    is_message_visible: bool | None = None
    participant_band_kind: str | None = None
    choreography_activity_shape: str | None = None
    label: DiagramLabel | None = None
    attributes: tuple[Attribute, ...] = ()
    extension_elements: tuple[XmlNode, ...] = ()
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class DiagramEdge:
    id: str = ""
    element_ref: str | None = None
    waypoints: tuple[Point, ...] = ()
    source_element: str | None = None
    target_element: str | None = None
    message_visible_kind: str | None = None
    label: DiagramLabel | None = None
    attributes: tuple[Attribute, ...] = ()
    extension_elements: tuple[XmlNode, ...] = ()
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Plane:
    id: str = ""
    element_ref: str | None = None
    shapes: tuple[DiagramShape, ...] = ()
    edges: tuple[DiagramEdge, ...] = ()
    attributes: tuple[Attribute, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagram:
    """One BPMNDiagram; label styles and other DI extras are kept as XML."""

    id: str = ""
    name: str | None = None
    resolution: float | None = None
    plane: Plane | None = None
    label_styles: tuple[XmlNode, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    line: int | None = field(default=None, compare=False)
