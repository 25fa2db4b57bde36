"""Shared model pieces: element kinds, kept XML fragments and the base element."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar

from civicflow.bpmn.model.extensions import NO_EXTENSIONS, Extensions
from civicflow.bpmn.model.xml import Attribute, XmlNode

__all__ = ["BaseElement", "ElementKind", "FlowNode"]


class ElementKind(StrEnum):
    """Every flow element and artifact kind, named by its BPMN 2.0 local name."""

    START_EVENT = "startEvent"
    END_EVENT = "endEvent"
    INTERMEDIATE_CATCH_EVENT = "intermediateCatchEvent"
    INTERMEDIATE_THROW_EVENT = "intermediateThrowEvent"
    BOUNDARY_EVENT = "boundaryEvent"
    TASK = "task"
    USER_TASK = "userTask"
    MANUAL_TASK = "manualTask"
    SERVICE_TASK = "serviceTask"
    SCRIPT_TASK = "scriptTask"
    BUSINESS_RULE_TASK = "businessRuleTask"
    SEND_TASK = "sendTask"
    RECEIVE_TASK = "receiveTask"
    SUB_PROCESS = "subProcess"
    TRANSACTION = "transaction"
    AD_HOC_SUB_PROCESS = "adHocSubProcess"
    CALL_ACTIVITY = "callActivity"
    EXCLUSIVE_GATEWAY = "exclusiveGateway"
    PARALLEL_GATEWAY = "parallelGateway"
    INCLUSIVE_GATEWAY = "inclusiveGateway"
    COMPLEX_GATEWAY = "complexGateway"
    EVENT_BASED_GATEWAY = "eventBasedGateway"
    SEQUENCE_FLOW = "sequenceFlow"
    DATA_OBJECT = "dataObject"
    DATA_OBJECT_REFERENCE = "dataObjectReference"
    DATA_STORE_REFERENCE = "dataStoreReference"
    TEXT_ANNOTATION = "textAnnotation"
    ASSOCIATION = "association"
    GROUP = "group"


@dataclass(frozen=True, slots=True, kw_only=True)
class BaseElement:
    """Fields every BPMN element has. ``line`` is excluded from equality."""

    id: str = ""
    documentation: tuple[str, ...] = ()
    ext: Extensions = NO_EXTENSIONS
    attributes: tuple[Attribute, ...] = ()  # untyped attributes (vendor, tool, optional BPMN)
    extension_elements: tuple[XmlNode, ...] = ()  # unknown extensions, kept verbatim
    unmodelled: tuple[XmlNode, ...] = ()  # BPMN children this model does not type
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowNode(BaseElement):
    """An event, activity or gateway."""

    kind: ClassVar[ElementKind]
    name: str | None = None
    incoming: tuple[str, ...] = ()
    outgoing: tuple[str, ...] = ()
