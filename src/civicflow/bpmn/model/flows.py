"""Sequence flows, data, artifacts and lanes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from civicflow.bpmn.expressions import Expression
from civicflow.bpmn.model.base import BaseElement, ElementKind

__all__ = [
    "Artifact",
    "Association",
    "DataObject",
    "DataObjectReference",
    "DataStoreReference",
    "Group",
    "Lane",
    "LaneSet",
    "SequenceFlow",
    "TextAnnotation",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class SequenceFlow(BaseElement):
    kind: ClassVar[ElementKind] = ElementKind.SEQUENCE_FLOW
    name: str | None = None
    source_ref: str = ""
    target_ref: str = ""
    condition_expression: Expression | None = None
    is_immediate: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DataObject(BaseElement):
    kind: ClassVar[ElementKind] = ElementKind.DATA_OBJECT
    name: str | None = None
    is_collection: bool = False
    item_subject_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DataObjectReference(BaseElement):
    kind: ClassVar[ElementKind] = ElementKind.DATA_OBJECT_REFERENCE
    name: str | None = None
    data_object_ref: str | None = None
    item_subject_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DataStoreReference(BaseElement):
    kind: ClassVar[ElementKind] = ElementKind.DATA_STORE_REFERENCE
    name: str | None = None
    data_store_ref: str | None = None
    item_subject_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TextAnnotation(BaseElement):
    kind: ClassVar[ElementKind] = ElementKind.TEXT_ANNOTATION
    text: str | None = None
    text_format: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Association(BaseElement):
    """Links an artifact, or a compensation boundary event to its handler activity."""

    kind: ClassVar[ElementKind] = ElementKind.ASSOCIATION
    source_ref: str = ""
    target_ref: str = ""
    association_direction: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Group(BaseElement):
    kind: ClassVar[ElementKind] = ElementKind.GROUP
    category_value_ref: str | None = None


Artifact = TextAnnotation | Association | Group


@dataclass(frozen=True, slots=True, kw_only=True)
class Lane(BaseElement):
    """A lane; CivicFlow reads lane names as departments."""

    name: str | None = None
    partition_element_ref: str | None = None
    flow_node_refs: tuple[str, ...] = ()
    child_lane_set: LaneSet | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LaneSet(BaseElement):
    name: str | None = None
    lanes: tuple[Lane, ...] = ()
