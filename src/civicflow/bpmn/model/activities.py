"""Tasks, subprocesses, call activities and loop characteristics (BPMN 2.0.2 §10.3)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from civicflow.bpmn.expressions import Expression
from civicflow.bpmn.model.base import BaseElement, ElementKind, FlowNode
from civicflow.bpmn.model.flows import (
    Artifact,
    DataObject,
    DataObjectReference,
    DataStoreReference,
    LaneSet,
    SequenceFlow,
)

__all__ = [
    "Activity",
    "AdHocOrdering",
    "AdHocSubProcess",
    "BusinessRuleTask",
    "CallActivity",
    "DataItem",
    "FlowElement",
    "LoopCharacteristics",
    "ManualTask",
    "MultiInstanceLoopCharacteristics",
    "ReceiveTask",
    "ScriptTask",
    "SendTask",
    "ServiceTask",
    "StandardLoopCharacteristics",
    "SubProcess",
    "Task",
    "Transaction",
    "UserTask",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class DataItem(BaseElement):
    """The inputDataItem / outputDataItem of a multi-instance activity."""

    name: str | None = None
    item_subject_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MultiInstanceLoopCharacteristics(BaseElement):
    """Parallel or sequential multi-instance; collections may also come from ``ext.loop``."""

    is_sequential: bool = False
    loop_cardinality: Expression | None = None
    loop_data_input_ref: str | None = None
    loop_data_output_ref: str | None = None
    input_data_item: DataItem | None = None
    output_data_item: DataItem | None = None
    completion_condition: Expression | None = None
    behavior: str | None = None
    one_behavior_event_ref: str | None = None
    none_behavior_event_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StandardLoopCharacteristics(BaseElement):
    test_before: bool = False
    loop_maximum: int | None = None
    loop_condition: Expression | None = None


LoopCharacteristics = MultiInstanceLoopCharacteristics | StandardLoopCharacteristics


@dataclass(frozen=True, slots=True, kw_only=True)
class Activity(FlowNode):
    """Base of tasks, subprocesses and call activities."""

    kind: ClassVar[ElementKind]
    is_for_compensation: bool = False
    default: str | None = None
    loop_characteristics: LoopCharacteristics | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Task(Activity):
    kind: ClassVar[ElementKind] = ElementKind.TASK


@dataclass(frozen=True, slots=True, kw_only=True)
class UserTask(Activity):
    kind: ClassVar[ElementKind] = ElementKind.USER_TASK
    implementation: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ManualTask(Activity):
    kind: ClassVar[ElementKind] = ElementKind.MANUAL_TASK


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceTask(Activity):
    kind: ClassVar[ElementKind] = ElementKind.SERVICE_TASK
    implementation: str | None = None
    operation_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScriptTask(Activity):
    """A script: the body (``script_format`` e.g. feel/javascript) or ``ext.script`` (Zeebe)."""

    kind: ClassVar[ElementKind] = ElementKind.SCRIPT_TASK
    script_format: str | None = None
    script: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessRuleTask(Activity):
    kind: ClassVar[ElementKind] = ElementKind.BUSINESS_RULE_TASK
    implementation: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SendTask(Activity):
    kind: ClassVar[ElementKind] = ElementKind.SEND_TASK
    message_ref: str | None = None
    implementation: str | None = None
    operation_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiveTask(Activity):
    kind: ClassVar[ElementKind] = ElementKind.RECEIVE_TASK
    message_ref: str | None = None
    instantiate: bool = False
    implementation: str | None = None
    operation_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SubProcess(Activity):
    """An embedded subprocess; ``triggered_by_event`` makes it an event subprocess."""

    kind: ClassVar[ElementKind] = ElementKind.SUB_PROCESS
    triggered_by_event: bool = False
    lane_sets: tuple[LaneSet, ...] = ()
    flow_elements: tuple[FlowElement, ...] = ()
    artifacts: tuple[Artifact, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Transaction(SubProcess):
    kind: ClassVar[ElementKind] = ElementKind.TRANSACTION
    method: str | None = None


class AdHocOrdering(StrEnum):
    PARALLEL = "Parallel"
    SEQUENTIAL = "Sequential"


@dataclass(frozen=True, slots=True, kw_only=True)
class AdHocSubProcess(SubProcess):
    kind: ClassVar[ElementKind] = ElementKind.AD_HOC_SUB_PROCESS
    completion_condition: Expression | None = None
    ordering: AdHocOrdering | None = None
    cancel_remaining_instances: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallActivity(Activity):
    """``called_element`` is BPMN's attribute; Zeebe's target is in ``ext.called_element``."""

    kind: ClassVar[ElementKind] = ElementKind.CALL_ACTIVITY
    called_element: str | None = None


FlowElement = FlowNode | SequenceFlow | DataObject | DataObjectReference | DataStoreReference
