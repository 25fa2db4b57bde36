"""Zeebe (Camunda 8) extension elements."""

from __future__ import annotations

from typing import Any

from lxml import etree

from civicflow.bpmn.expressions import Expression
from civicflow.bpmn.model import (
    Assignment,
    CalledDecision,
    CalledElement,
    Dialect,
    FormRef,
    IoMapping,
    IoParameter,
    Listener,
    LoopExtension,
    Property,
    ScriptExtension,
    TaskDefinition,
    TaskSchedule,
    UserTaskForm,
)
from civicflow.bpmn.namespaces import ZEEBE, clark
from civicflow.bpmn.reader._base import parse_bool

__all__ = ["read_zeebe_element"]

_Z = Dialect.ZEEBE


def _opt(el: etree._Element, name: str) -> str | None:
    value = el.get(name)
    return None if value is None else str(value)


def _expr(el: etree._Element, name: str) -> Expression | None:
    value = el.get(name)
    return None if value is None else Expression(raw=str(value))


def _io(el: etree._Element, local: str) -> tuple[IoParameter, ...]:
    return tuple(
        IoParameter(target=str(p.get("target", "")), source=_expr(p, "source"))
        for p in el.iterchildren(clark(ZEEBE, local))
    )


def _properties(el: etree._Element, local: str, key: str, value: str) -> tuple[Property, ...]:
    return tuple(Property(name=str(p.get(key, "")), value=_opt(p, value)) for p in el.iterchildren(clark(ZEEBE, local)))


def _listeners(el: etree._Element, local: str, scope: str) -> list[Listener]:
    return [
        Listener(dialect=_Z, scope=scope, event=_opt(p, "eventType"), type=_opt(p, "type"), retries=_opt(p, "retries"))
        for p in el.iterchildren(clark(ZEEBE, local))
    ]


def read_zeebe_element(el: etree._Element, fields: dict[str, Any]) -> bool:
    """One ``zeebe:`` extension element into ``fields``; False when it is not one we type."""
    local = etree.QName(el).localname
    if local == "taskDefinition":
        fields["task_definition"] = TaskDefinition(dialect=_Z, type=_expr(el, "type"), retries=_expr(el, "retries"))
    elif local == "ioMapping":
        fields["io_mapping"] = IoMapping(dialect=_Z, inputs=_io(el, "input"), outputs=_io(el, "output"))
    elif local == "taskHeaders":
        fields["task_headers"] = _properties(el, "header", "key", "value")
    elif local == "script":
        fields["script"] = ScriptExtension(
            expression=Expression(raw=str(el.get("expression", ""))), result_variable=_opt(el, "resultVariable")
        )
    elif local == "formDefinition":
        fields["form"] = FormRef(
            dialect=_Z,
            form_key=_opt(el, "formKey"),
            form_id=_opt(el, "formId"),
            external_reference=_opt(el, "externalReference"),
            binding=_opt(el, "bindingType"),
        )
    elif local == "userTaskForm":
        fields.setdefault("forms_list", []).append(UserTaskForm(id=str(el.get("id", "")), body=el.text or ""))
    elif local == "assignmentDefinition":
        fields["assignment"] = Assignment(
            dialect=_Z,
            assignee=_expr(el, "assignee"),
            candidate_groups=_expr(el, "candidateGroups"),
            candidate_users=_expr(el, "candidateUsers"),
        )
    elif local == "taskSchedule":
        fields["schedule"] = TaskSchedule(
            dialect=_Z, due_date=_expr(el, "dueDate"), follow_up_date=_expr(el, "followUpDate")
        )
    elif local == "priorityDefinition":
        fields["priority"] = _expr(el, "priority")
        fields["priority_dialect"] = _Z
    elif local == "calledElement":
        fields["called_element"] = CalledElement(
            dialect=_Z,
            process_id=_expr(el, "processId"),
            propagate_all_child_variables=parse_bool(_opt(el, "propagateAllChildVariables")),
            propagate_all_parent_variables=parse_bool(_opt(el, "propagateAllParentVariables")),
            binding=_opt(el, "bindingType"),
            version=_opt(el, "versionTag"),
        )
    elif local == "calledDecision":
        fields["called_decision"] = CalledDecision(
            dialect=_Z,
            decision_id=Expression(raw=str(el.get("decisionId", ""))),
            result_variable=_opt(el, "resultVariable"),
            binding=_opt(el, "bindingType"),
            version=_opt(el, "versionTag"),
        )
    elif local == "subscription":
        fields["correlation_key"] = _expr(el, "correlationKey")
    elif local == "loopCharacteristics":
        fields["loop"] = LoopExtension(
            dialect=_Z,
            input_collection=_expr(el, "inputCollection"),
            input_element=_opt(el, "inputElement"),
            output_collection=_opt(el, "outputCollection"),
            output_element=_expr(el, "outputElement"),
        )
    elif local == "properties":
        fields["properties"] = _properties(el, "property", "name", "value")
        fields["properties_dialect"] = _Z
    elif local == "executionListeners":
        fields.setdefault("listeners_list", []).extend(_listeners(el, "executionListener", "execution"))
    elif local == "taskListeners":
        fields.setdefault("listeners_list", []).extend(_listeners(el, "taskListener", "task"))
    elif local == "userTask":
        fields["zeebe_user_task"] = True
    else:
        return False
    return True
