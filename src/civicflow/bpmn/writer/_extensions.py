"""Camunda 7 / Zeebe extensions written back in the dialect they were read from."""

from __future__ import annotations

from itertools import groupby

from lxml import etree

from civicflow.bpmn.expressions import Expression
from civicflow.bpmn.model import BaseElement, Dialect, Extensions, IoParameter, Listener, Property, VariableMapping
from civicflow.bpmn.namespaces import ACTIVITI, BPMN, CAMUNDA, FLOWABLE, ZEEBE, clark
from civicflow.bpmn.writer._base import Writer, fmt_bool

__all__ = ["DIALECT_NAMESPACES", "write_extensions"]

DIALECT_NAMESPACES = {
    Dialect.CAMUNDA: CAMUNDA,
    Dialect.ACTIVITI: ACTIVITI,
    Dialect.FLOWABLE: FLOWABLE,
    Dialect.ZEEBE: ZEEBE,
}


def _raw(value: Expression | None) -> str | None:
    return None if value is None else value.raw


def _set(el: etree._Element, ns: str, name: str, value: str | None) -> None:
    if value is not None:
        el.set(clark(ns, name), value)


def _z(parent: etree._Element, local: str, **attrs: str | None) -> etree._Element:
    el = etree.SubElement(parent, clark(ZEEBE, local))
    for name, value in attrs.items():
        if value is not None:
            el.set(name, value)
    return el


def _c7_attributes(el: etree._Element, ext: Extensions) -> None:
    """Camunda 7 attributes live on the element itself."""
    td = ext.task_definition
    if td is not None and td.dialect is not Dialect.ZEEBE:
        ns = DIALECT_NAMESPACES[td.dialect]
        _set(el, ns, "type", _raw(td.type))
        _set(el, ns, "topic", td.topic)
        _set(el, ns, "class", td.java_class)
        _set(el, ns, "delegateExpression", td.delegate_expression)
        _set(el, ns, "expression", td.expression)
    c7 = DIALECT_NAMESPACES[ext.c7_dialect or Dialect.CAMUNDA]
    _set(el, c7, "resultVariable", ext.result_variable)
    _set(el, c7, "initiator", ext.initiator)
    if ext.async_dialect is not None and ext.async_dialect is not Dialect.ZEEBE:
        ns = DIALECT_NAMESPACES[ext.async_dialect]
        el.set(clark(ns, "asyncBefore"), fmt_bool(ext.async_before))
        el.set(clark(ns, "asyncAfter"), fmt_bool(ext.async_after))
    a = ext.assignment
    if a is not None and a.dialect is not Dialect.ZEEBE:
        ns = DIALECT_NAMESPACES[a.dialect]
        _set(el, ns, "assignee", _raw(a.assignee))
        _set(el, ns, "candidateGroups", _raw(a.candidate_groups))
        _set(el, ns, "candidateUsers", _raw(a.candidate_users))
    s = ext.schedule
    if s is not None and s.dialect is not Dialect.ZEEBE:
        ns = DIALECT_NAMESPACES[s.dialect]
        _set(el, ns, "dueDate", _raw(s.due_date))
        _set(el, ns, "followUpDate", _raw(s.follow_up_date))
    if ext.priority is not None and ext.priority_dialect not in (None, Dialect.ZEEBE):
        _set(el, DIALECT_NAMESPACES[ext.priority_dialect or Dialect.CAMUNDA], "priority", ext.priority.raw)
    f = ext.form
    if f is not None and f.dialect is not Dialect.ZEEBE:
        ns = DIALECT_NAMESPACES[f.dialect]
        _set(el, ns, "formKey", f.form_key)
        _set(el, ns, "formRef", f.form_id)
        _set(el, ns, "formRefBinding", f.binding)
    ce = ext.called_element
    if ce is not None and ce.dialect is not Dialect.ZEEBE:
        ns = DIALECT_NAMESPACES[ce.dialect]
        _set(el, ns, "calledElementBinding", ce.binding)
        _set(el, ns, "calledElementVersion", ce.version)
        _set(el, ns, "calledElementTenantId", ce.tenant_id)
    cd = ext.called_decision
    if cd is not None and cd.dialect is not Dialect.ZEEBE:
        ns = DIALECT_NAMESPACES[cd.dialect]
        _set(el, ns, "decisionRef", cd.decision_id.raw)
        _set(el, ns, "mapDecisionResult", cd.map_decision_result)
        _set(el, ns, "decisionRefBinding", cd.binding)
        _set(el, ns, "decisionRefVersion", cd.version)
    lp = ext.loop
    if lp is not None and lp.dialect is not Dialect.ZEEBE:
        ns = DIALECT_NAMESPACES[lp.dialect]
        _set(el, ns, "collection", _raw(lp.input_collection))
        _set(el, ns, "elementVariable", lp.input_element)


def _c7_parameter(w: Writer, parent: etree._Element, ns: str, local: str, p: IoParameter) -> None:
    el = etree.SubElement(parent, clark(ns, local), name=p.target)
    if p.value is not None:
        w.node(el, p.value)
    elif p.source is not None:
        el.text = p.source.raw


def _c7_mapping(parent: etree._Element, ns: str, local: str, m: VariableMapping) -> None:
    el = etree.SubElement(parent, clark(ns, local))
    for name, value in (("source", m.source), ("sourceExpression", m.source_expression), ("target", m.target)):
        if value is not None:
            el.set(name, value)
    if m.all_variables:
        el.set("variables", "all")
    if m.local:
        el.set("local", "true")
    if m.business_key is not None:
        el.set("businessKey", m.business_key)


def _properties(parent: etree._Element, ns: str, props: tuple[Property, ...], names: tuple[str, str, str]) -> None:
    container, item, key = names
    el = etree.SubElement(parent, clark(ns, container))
    for p in props:
        child = etree.SubElement(el, clark(ns, item))
        child.set(key, p.name)
        if p.value is not None:
            child.set("value", p.value)


def _listeners(parent: etree._Element, listeners: tuple[Listener, ...]) -> None:
    # Runs of the same dialect and scope become one group, so order survives a round trip.
    for (dialect, scope), run in groupby(listeners, key=lambda x: (x.dialect, x.scope)):
        if dialect is Dialect.ZEEBE:
            group = _z(parent, "executionListeners" if scope == "execution" else "taskListeners")
            for x in run:
                _z(group, f"{scope}Listener", eventType=x.event, type=x.type, retries=x.retries)
            continue
        ns = DIALECT_NAMESPACES[dialect]
        for x in run:
            el = etree.SubElement(parent, clark(ns, f"{scope}Listener"))
            for name, value in (
                ("event", x.event),
                ("class", x.java_class),
                ("expression", x.expression),
                ("delegateExpression", x.delegate_expression),
            ):
                if value is not None:
                    el.set(name, value)
            if x.script is not None:
                script = etree.SubElement(el, clark(ns, "script"))
                if x.script_format is not None:
                    script.set("scriptFormat", x.script_format)
                script.text = x.script


def _typed_elements(w: Writer, ext_el: etree._Element, ext: Extensions) -> None:
    td = ext.task_definition
    if td is not None and td.dialect is Dialect.ZEEBE:
        _z(ext_el, "taskDefinition", type=_raw(td.type), retries=_raw(td.retries))
    if ext.task_headers:
        _properties(ext_el, ZEEBE, ext.task_headers, ("taskHeaders", "header", "key"))
    io = ext.io_mapping
    if io is not None and io.dialect is Dialect.ZEEBE:
        group = _z(ext_el, "ioMapping")
        for local, params in (("input", io.inputs), ("output", io.outputs)):
            for p in params:
                _z(group, local, source=_raw(p.source), target=p.target)
    elif io is not None:
        ns = DIALECT_NAMESPACES[io.dialect]
        group = etree.SubElement(ext_el, clark(ns, "inputOutput"))
        for p in io.inputs:
            _c7_parameter(w, group, ns, "inputParameter", p)
        for p in io.outputs:
            _c7_parameter(w, group, ns, "outputParameter", p)
    if ext.script is not None:
        _z(ext_el, "script", expression=ext.script.expression.raw, resultVariable=ext.script.result_variable)
    f = ext.form
    if f is not None and f.dialect is Dialect.ZEEBE:
        _z(
            ext_el,
            "formDefinition",
            formKey=f.form_key,
            formId=f.form_id,
            externalReference=f.external_reference,
            bindingType=f.binding,
        )
    for form in ext.user_task_forms:
        _z(ext_el, "userTaskForm", id=form.id).text = form.body
    a = ext.assignment
    if a is not None and a.dialect is Dialect.ZEEBE:
        _z(
            ext_el,
            "assignmentDefinition",
            assignee=_raw(a.assignee),
            candidateGroups=_raw(a.candidate_groups),
            candidateUsers=_raw(a.candidate_users),
        )
    s = ext.schedule
    if s is not None and s.dialect is Dialect.ZEEBE:
        _z(ext_el, "taskSchedule", dueDate=_raw(s.due_date), followUpDate=_raw(s.follow_up_date))
    if ext.priority_dialect is Dialect.ZEEBE:
        _z(ext_el, "priorityDefinition", priority=_raw(ext.priority))
    ce = ext.called_element
    if ce is not None and ce.dialect is Dialect.ZEEBE:
        _z(
            ext_el,
            "calledElement",
            processId=_raw(ce.process_id),
            propagateAllChildVariables=None
            if ce.propagate_all_child_variables is None
            else fmt_bool(ce.propagate_all_child_variables),
            propagateAllParentVariables=None
            if ce.propagate_all_parent_variables is None
            else fmt_bool(ce.propagate_all_parent_variables),
            bindingType=ce.binding,
            versionTag=ce.version,
        )
    elif ce is not None:
        ns = DIALECT_NAMESPACES[ce.dialect]
        for m in ce.inputs:
            _c7_mapping(ext_el, ns, "in", m)
        for m in ce.outputs:
            _c7_mapping(ext_el, ns, "out", m)
    cd = ext.called_decision
    if cd is not None and cd.dialect is Dialect.ZEEBE:
        _z(
            ext_el,
            "calledDecision",
            decisionId=cd.decision_id.raw,
            resultVariable=cd.result_variable,
            bindingType=cd.binding,
            versionTag=cd.version,
        )
    if ext.correlation_key is not None:
        _z(ext_el, "subscription", correlationKey=ext.correlation_key.raw)
    lp = ext.loop
    if lp is not None and lp.dialect is Dialect.ZEEBE:
        _z(
            ext_el,
            "loopCharacteristics",
            inputCollection=_raw(lp.input_collection),
            inputElement=lp.input_element,
            outputCollection=lp.output_collection,
            outputElement=_raw(lp.output_element),
        )
    if ext.properties_dialect is not None:
        _properties(
            ext_el, DIALECT_NAMESPACES[ext.properties_dialect], ext.properties, ("properties", "property", "name")
        )
    _listeners(ext_el, ext.listeners)
    if ext.zeebe_user_task:
        _z(ext_el, "userTask")


def write_extensions(w: Writer, el: etree._Element, element: BaseElement) -> None:
    """Typed extensions and kept unknown extension elements of ``element``."""
    ext = element.ext
    _c7_attributes(el, ext)
    ext_el = etree.Element(clark(BPMN, "extensionElements"))
    _typed_elements(w, ext_el, ext)
    for node in element.extension_elements:
        w.node(ext_el, node)
    if len(ext_el):
        el.append(ext_el)
