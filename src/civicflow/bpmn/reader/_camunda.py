"""Camunda 7 extensions (and the same vocabulary under the Activiti and Flowable namespaces)."""

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
    TaskDefinition,
    TaskSchedule,
    VariableMapping,
)
from civicflow.bpmn.namespaces import ACTIVITI, CAMUNDA, FLOWABLE, clark
from civicflow.bpmn.reader._base import ElementReader, parse_bool, to_node

__all__ = ["C7_DIALECTS", "read_c7_attributes", "read_c7_element"]

C7_DIALECTS: dict[str, Dialect] = {CAMUNDA: Dialect.CAMUNDA, ACTIVITI: Dialect.ACTIVITI, FLOWABLE: Dialect.FLOWABLE}


def _expr(value: str | None) -> Expression | None:
    return None if value is None else Expression(raw=value)


def read_c7_attributes(r: ElementReader, ns: str, fields: dict[str, Any]) -> None:
    """Typed Camunda 7 attributes of the element into ``fields`` (Extensions keyword arguments)."""
    dialect = C7_DIALECTS[ns]

    def get(local: str) -> str | None:
        return r.attr(clark(ns, local))

    impl = {k: get(k) for k in ("type", "topic", "class", "delegateExpression", "expression")}
    if any(v is not None for v in impl.values()):
        fields["task_definition"] = TaskDefinition(
            dialect=dialect,
            type=_expr(impl["type"]),
            topic=impl["topic"],
            java_class=impl["class"],
            delegate_expression=impl["delegateExpression"],
            expression=impl["expression"],
        )
    result_variable = get("resultVariable")
    if result_variable is not None:
        fields["result_variable"] = result_variable
    before, after = get("asyncBefore"), get("asyncAfter")
    if before is not None or after is not None:
        fields["async_before"] = parse_bool(before) or False
        fields["async_after"] = parse_bool(after) or False
        fields["async_dialect"] = dialect
    assignee, groups, users = get("assignee"), get("candidateGroups"), get("candidateUsers")
    if assignee is not None or groups is not None or users is not None:
        fields["assignment"] = Assignment(
            dialect=dialect, assignee=_expr(assignee), candidate_groups=_expr(groups), candidate_users=_expr(users)
        )
    due, follow_up = get("dueDate"), get("followUpDate")
    if due is not None or follow_up is not None:
        fields["schedule"] = TaskSchedule(dialect=dialect, due_date=_expr(due), follow_up_date=_expr(follow_up))
    priority = get("priority")
    if priority is not None:
        fields["priority"] = Expression(raw=priority)
        fields["priority_dialect"] = dialect
    form_key, form_ref, form_binding = get("formKey"), get("formRef"), get("formRefBinding")
    if form_key is not None or form_ref is not None:
        fields["form"] = FormRef(dialect=dialect, form_key=form_key, form_id=form_ref, binding=form_binding)
    binding, version, tenant = get("calledElementBinding"), get("calledElementVersion"), get("calledElementTenantId")
    if binding is not None or version is not None or tenant is not None:
        fields["called_element"] = CalledElement(dialect=dialect, binding=binding, version=version, tenant_id=tenant)
    decision = get("decisionRef")
    if decision is not None:
        fields["called_decision"] = CalledDecision(
            dialect=dialect,
            decision_id=Expression(raw=decision),
            map_decision_result=get("mapDecisionResult"),
            binding=get("decisionRefBinding"),
            version=get("decisionRefVersion"),
        )
    collection, element_variable = get("collection"), get("elementVariable")
    if collection is not None or element_variable is not None:
        fields["loop"] = LoopExtension(
            dialect=dialect, input_collection=_expr(collection), input_element=element_variable
        )
    initiator = get("initiator")
    if initiator is not None:
        fields["initiator"] = initiator


def _parameter(el: etree._Element) -> IoParameter:
    value_children = [child for child in el if isinstance(child.tag, str)]
    if value_children:
        return IoParameter(target=str(el.get("name", "")), value=to_node(value_children[0]))
    return IoParameter(target=str(el.get("name", "")), source=Expression(raw=el.text or ""))


def _mapping(el: etree._Element) -> VariableMapping:
    return VariableMapping(
        source=_opt(el, "source"),
        source_expression=_opt(el, "sourceExpression"),
        target=_opt(el, "target"),
        all_variables=el.get("variables") == "all",
        local=parse_bool(_opt(el, "local")) or False,
        business_key=_opt(el, "businessKey"),
    )


def _opt(el: etree._Element, name: str) -> str | None:
    value = el.get(name)
    return None if value is None else str(value)


def _listener(el: etree._Element, dialect: Dialect, scope: str) -> Listener:
    script = el.find(clark(etree.QName(el).namespace or "", "script"))
    return Listener(
        dialect=dialect,
        scope=scope,
        event=_opt(el, "event"),
        java_class=_opt(el, "class"),
        expression=_opt(el, "expression"),
        delegate_expression=_opt(el, "delegateExpression"),
        script=None if script is None else (script.text or ""),
        script_format=None if script is None else _opt(script, "scriptFormat"),
    )


def read_c7_element(el: etree._Element, dialect: Dialect, fields: dict[str, Any]) -> bool:
    """One ``camunda:`` extension element into ``fields``; False when it is not one we type."""
    local = etree.QName(el).localname
    ns = etree.QName(el).namespace or ""
    if local == "inputOutput":
        inputs = tuple(_parameter(p) for p in el.iter(clark(ns, "inputParameter")))
        outputs = tuple(_parameter(p) for p in el.iter(clark(ns, "outputParameter")))
        fields["io_mapping"] = IoMapping(dialect=dialect, inputs=inputs, outputs=outputs)
        return True
    if local in {"in", "out"}:
        key = "c7_in" if local == "in" else "c7_out"
        fields.setdefault(key, []).append(_mapping(el))
        return True
    if local == "properties":
        fields["properties"] = tuple(
            Property(name=str(p.get("name", "")), value=_opt(p, "value")) for p in el.iter(clark(ns, "property"))
        )
        fields["properties_dialect"] = dialect
        return True
    if local in {"executionListener", "taskListener"}:
        scope = "execution" if local == "executionListener" else "task"
        fields.setdefault("listeners_list", []).append(_listener(el, dialect, scope))
        return True
    return False
