"""Camunda 7 (and its Activiti/Flowable ancestors) and Zeebe extensions, read into typed fields.

Each typed value remembers its ``dialect`` so the writer can put it back where it came from.
Values that may be expressions are :class:`Expression` (Zeebe: a leading ``=``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from civicflow.bpmn.expressions import Expression
from civicflow.bpmn.model.xml import XmlNode

__all__ = [
    "NO_EXTENSIONS",
    "Assignment",
    "CalledDecision",
    "CalledElement",
    "Dialect",
    "Extensions",
    "FormRef",
    "IoMapping",
    "IoParameter",
    "Listener",
    "LoopExtension",
    "Property",
    "ScriptExtension",
    "TaskDefinition",
    "TaskSchedule",
    "UserTaskForm",
    "VariableMapping",
]


class Dialect(StrEnum):
    """The extension vocabulary a value was written in."""

    CAMUNDA = "camunda"
    ACTIVITI = "activiti"
    FLOWABLE = "flowable"
    ZEEBE = "zeebe"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskDefinition:
    """How a service-like task is implemented: a job type (Zeebe) or a Camunda 7 delegate."""

    dialect: Dialect
    type: Expression | None = None  # zeebe:taskDefinition type; camunda:type (e.g. "external")
    retries: Expression | None = None
    topic: str | None = None  # camunda:topic (external task)
    java_class: str | None = None  # camunda:class (kept, never run)
    delegate_expression: str | None = None
    expression: str | None = None

    @property
    def job_type(self) -> str | None:
        """The worker's job type: Zeebe's ``type`` or Camunda 7's external ``topic``."""
        if self.dialect is Dialect.ZEEBE:
            return self.type.raw if self.type is not None else None
        return self.topic


@dataclass(frozen=True, slots=True, kw_only=True)
class IoParameter:
    """One input or output mapping: ``target`` receives the value of ``source``."""

    target: str
    source: Expression | None = None
    # Camunda 7 list/map/script values, kept as XML.
    value: XmlNode | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IoMapping:
    """zeebe:ioMapping or camunda:inputOutput."""

    dialect: Dialect
    inputs: tuple[IoParameter, ...] = ()
    outputs: tuple[IoParameter, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ScriptExtension:
    """zeebe:script: a FEEL expression whose value goes to ``result_variable``."""

    expression: Expression
    result_variable: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FormRef:
    """A user task's or start event's form: zeebe:formDefinition or camunda:formKey/formRef."""

    dialect: Dialect
    form_key: str | None = None
    form_id: str | None = None
    external_reference: str | None = None
    binding: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UserTaskForm:
    """zeebe:userTaskForm: a form embedded in the process, referenced by form key."""

    id: str
    body: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    """Assignee and candidates; comma-separated lists or expressions, kept as written."""

    dialect: Dialect
    assignee: Expression | None = None
    candidate_groups: Expression | None = None
    candidate_users: Expression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskSchedule:
    """Due and follow-up dates (ISO 8601 or expressions)."""

    dialect: Dialect
    due_date: Expression | None = None
    follow_up_date: Expression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class VariableMapping:
    """camunda:in / camunda:out on a call activity (or a throw event)."""

    source: str | None = None
    source_expression: str | None = None
    target: str | None = None
    all_variables: bool = False  # variables="all"
    local: bool = False
    business_key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CalledElement:
    """The process a call activity starts."""

    dialect: Dialect
    process_id: Expression | None = None  # zeebe:calledElement processId (camunda: bpmn calledElement)
    propagate_all_child_variables: bool | None = None
    propagate_all_parent_variables: bool | None = None
    binding: str | None = None
    version: str | None = None
    tenant_id: str | None = None
    inputs: tuple[VariableMapping, ...] = ()
    outputs: tuple[VariableMapping, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CalledDecision:
    """The DMN decision a business rule task evaluates."""

    dialect: Dialect
    decision_id: Expression
    result_variable: str | None = None
    map_decision_result: str | None = None
    binding: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LoopExtension:
    """Multi-instance collections: zeebe:loopCharacteristics or camunda:collection/elementVariable."""

    dialect: Dialect
    input_collection: Expression | None = None
    input_element: str | None = None
    output_collection: str | None = None
    output_element: Expression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Property:
    """A name/value pair (zeebe:property, camunda:property, zeebe:header)."""

    name: str
    value: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Listener:
    """An execution or task listener: kept for round trips and display, never run."""

    dialect: Dialect
    scope: str  # "execution" or "task"
    event: str | None = None
    java_class: str | None = None
    expression: str | None = None
    delegate_expression: str | None = None
    script: str | None = None
    script_format: str | None = None
    type: str | None = None  # zeebe job type
    retries: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Extensions:
    """Everything CivicFlow reads from ``camunda:``/``zeebe:`` on one element."""

    task_definition: TaskDefinition | None = None
    io_mapping: IoMapping | None = None
    script: ScriptExtension | None = None
    result_variable: str | None = None  # camunda:resultVariable
    form: FormRef | None = None
    user_task_forms: tuple[UserTaskForm, ...] = ()
    assignment: Assignment | None = None
    schedule: TaskSchedule | None = None
    priority: Expression | None = None
    priority_dialect: Dialect | None = None
    called_element: CalledElement | None = None
    called_decision: CalledDecision | None = None
    correlation_key: Expression | None = None  # zeebe:subscription on a message
    loop: LoopExtension | None = None
    properties: tuple[Property, ...] = ()
    properties_dialect: Dialect | None = None
    task_headers: tuple[Property, ...] = ()
    async_before: bool = False
    async_after: bool = False
    async_dialect: Dialect | None = None
    listeners: tuple[Listener, ...] = ()
    initiator: str | None = None  # camunda:initiator on a start event
    c7_dialect: Dialect | None = None  # namespace of the Camunda 7 style attributes above
    zeebe_user_task: bool = False  # <zeebe:userTask/>: a Camunda-8 native user task


NO_EXTENSIONS = Extensions()
