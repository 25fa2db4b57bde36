"""Gateways (BPMN 2.0.2 §10.6)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from civicflow.bpmn.expressions import Expression
from civicflow.bpmn.model.base import ElementKind, FlowNode

__all__ = [
    "ComplexGateway",
    "EventBasedGateway",
    "EventBasedGatewayType",
    "ExclusiveGateway",
    "Gateway",
    "GatewayDirection",
    "InclusiveGateway",
    "ParallelGateway",
]


class GatewayDirection(StrEnum):
    UNSPECIFIED = "Unspecified"
    CONVERGING = "Converging"
    DIVERGING = "Diverging"
    MIXED = "Mixed"


class EventBasedGatewayType(StrEnum):
    EXCLUSIVE = "Exclusive"
    PARALLEL = "Parallel"


@dataclass(frozen=True, slots=True, kw_only=True)
class Gateway(FlowNode):
    kind: ClassVar[ElementKind]
    direction: GatewayDirection | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExclusiveGateway(Gateway):
    kind: ClassVar[ElementKind] = ElementKind.EXCLUSIVE_GATEWAY
    default: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelGateway(Gateway):
    kind: ClassVar[ElementKind] = ElementKind.PARALLEL_GATEWAY


@dataclass(frozen=True, slots=True, kw_only=True)
class InclusiveGateway(Gateway):
    kind: ClassVar[ElementKind] = ElementKind.INCLUSIVE_GATEWAY
    default: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplexGateway(Gateway):
    kind: ClassVar[ElementKind] = ElementKind.COMPLEX_GATEWAY
    default: str | None = None
    activation_condition: Expression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EventBasedGateway(Gateway):
    kind: ClassVar[ElementKind] = ElementKind.EVENT_BASED_GATEWAY
    instantiate: bool = False
    event_gateway_type: EventBasedGatewayType = EventBasedGatewayType.EXCLUSIVE
