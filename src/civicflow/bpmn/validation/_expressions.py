"""Expression checks: FEEL syntax (via civicflow.feel when present), timers, foreign languages."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from civicflow.bpmn.errors import TimerFormatError
from civicflow.bpmn.expressions import Expression
from civicflow.bpmn.model import (
    AdHocSubProcess,
    BaseElement,
    ComplexGateway,
    ConditionalEventDefinition,
    Extensions,
    MultiInstanceLoopCharacteristics,
    ScriptTask,
    SequenceFlow,
    StandardLoopCharacteristics,
    TimerEventDefinition,
)
from civicflow.bpmn.timers import parse_cycle, parse_date_time, parse_duration
from civicflow.bpmn.validation._index import Index, diagnostic, walk
from civicflow.bpmn.validation.diagnostics import Diagnostic

__all__ = ["check_expressions", "feel_checker"]

FeelCheck = Callable[[str], str | None]


def feel_checker() -> FeelCheck | None:
    """A function returning the FEEL syntax error of a text (None if fine), if civicflow.feel has one."""
    try:
        from civicflow import feel
    except ImportError:  # pragma: no cover - the FEEL package is part of this distribution
        return None
    compile_feel = getattr(feel, "compile", None)
    syntax_error = getattr(feel, "FeelSyntaxError", None)
    if compile_feel is None or syntax_error is None:
        return None

    def check(text: str) -> str | None:
        try:
            compile_feel(text)
        except syntax_error as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - a limit or an internal FEEL error must not stop validation
            return f"{type(exc).__name__}: {exc}"
        return None

    return check


def _conditions(element: BaseElement) -> Iterator[tuple[str, Expression]]:
    """Expressions that are always expressions (no static-string reading)."""
    if isinstance(element, SequenceFlow) and element.condition_expression is not None:
        yield "condition", element.condition_expression
    elif isinstance(element, ConditionalEventDefinition) and element.condition is not None:
        yield "condition", element.condition
    elif isinstance(element, ComplexGateway) and element.activation_condition is not None:
        yield "activationCondition", element.activation_condition
    elif isinstance(element, MultiInstanceLoopCharacteristics):
        if element.loop_cardinality is not None:
            yield "loopCardinality", element.loop_cardinality
        if element.completion_condition is not None:
            yield "completionCondition", element.completion_condition
    elif isinstance(element, StandardLoopCharacteristics) and element.loop_condition is not None:
        yield "loopCondition", element.loop_condition
    if isinstance(element, AdHocSubProcess) and element.completion_condition is not None:
        yield "completionCondition", element.completion_condition


def _zeebe_expressions(ext: Extensions) -> Iterator[tuple[str, Expression]]:
    """Zeebe values that are FEEL only when they start with '='."""
    if ext.script is not None:
        yield "zeebe:script expression", ext.script.expression
    if ext.io_mapping is not None:
        for p in (*ext.io_mapping.inputs, *ext.io_mapping.outputs):
            if p.source is not None:
                yield f"mapping source for {p.target!r}", p.source
    for name, value in (
        ("correlationKey", ext.correlation_key),
        ("inputCollection", ext.loop.input_collection if ext.loop else None),
        ("outputElement", ext.loop.output_element if ext.loop else None),
        ("assignee", ext.assignment.assignee if ext.assignment else None),
        ("candidateGroups", ext.assignment.candidate_groups if ext.assignment else None),
        ("candidateUsers", ext.assignment.candidate_users if ext.assignment else None),
        ("dueDate", ext.schedule.due_date if ext.schedule else None),
        ("followUpDate", ext.schedule.follow_up_date if ext.schedule else None),
        ("processId", ext.called_element.process_id if ext.called_element else None),
        ("decisionId", ext.called_decision.decision_id if ext.called_decision else None),
        ("job type", ext.task_definition.type if ext.task_definition else None),
        ("retries", ext.task_definition.retries if ext.task_definition else None),
    ):
        if value is not None:
            yield name, value


def _timer(index: Index, element: TimerEventDefinition, feel: FeelCheck | None) -> Iterator[Diagnostic]:
    values = [
        (name, value, parser)
        for name, value, parser in (
            ("timeDate", element.time_date, parse_date_time),
            ("timeDuration", element.time_duration, parse_duration),
            ("timeCycle", element.time_cycle, parse_cycle),
        )
        if value is not None
    ]
    if not values:
        yield diagnostic("BPMN012", "timer without timeDate, timeDuration or timeCycle", element, index=index)
    for name, value, parser in values:
        text = value.raw.strip()
        if value.is_juel:
            yield diagnostic("BPMN020", f"{name} {text!r} is a JUEL expression, not FEEL", element, index=index)
        elif text.startswith("="):
            error = feel(text[1:]) if feel is not None else None
            if error is not None:
                yield diagnostic("BPMN011", f"{name}: {error}", element, index=index)
        else:
            try:
                parser(text)
            except TimerFormatError as exc:
                yield diagnostic("BPMN012", f"{name}: {exc}", element, index=index)


def _expression(
    index: Index, where: str, value: Expression, element: BaseElement, feel: FeelCheck | None
) -> Iterator[Diagnostic]:
    if not value.is_feel:
        language = "JUEL" if value.is_juel else repr(value.language)
        yield diagnostic("BPMN020", f"{where} {value.raw.strip()!r} is {language}, not FEEL", element, index=index)
        return
    text = value.feel
    if feel is None or not text:
        return
    error = feel(text)
    if error is not None:
        yield diagnostic("BPMN011", f"{where} {value.raw.strip()!r}: {error}", element, index=index)


def check_expressions(index: Index, feel: FeelCheck | None) -> Iterator[Diagnostic]:
    if feel is None:
        yield diagnostic(
            "BPMN026", "civicflow.feel.compile is not available: FEEL syntax was not checked", index.definitions
        )
    for element in walk(index.definitions):
        for where, value in _conditions(element):
            yield from _expression(index, where, value, element, feel)
        for where, value in _zeebe_expressions(element.ext):
            if value.is_juel:
                yield diagnostic("BPMN020", f"{where} {value.raw.strip()!r} is JUEL, not FEEL", element, index=index)
            elif not value.is_static:
                yield from _expression(index, where, value, element, feel)
        if isinstance(element, TimerEventDefinition):
            yield from _timer(index, element, feel)
        if isinstance(element, ScriptTask) and element.script is not None:
            script_format = (element.script_format or "").strip().lower()
            if script_format in {"feel", "text/feel", "application/feel"}:
                yield from _expression(index, "script", Expression(raw=element.script), element, feel)
            else:
                yield diagnostic(
                    "BPMN021", f"script in {element.script_format or 'an unnamed language'!r} will not be run", element
                )
