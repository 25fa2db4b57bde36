"""Small BPMN models written for the simulation tests."""

from __future__ import annotations

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="http://example.org/sim">'
)


def single_task(lane: str = "Desk") -> bytes:
    """start -> one user task in ``lane`` -> end."""
    return (
        _HEAD + '<bpmn:process id="p" isExecutable="true">'
        f'<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="{lane}"><bpmn:flowNodeRef>work</bpmn:flowNodeRef></bpmn:lane>'
        "</bpmn:laneSet>"
        '<bpmn:startEvent id="s"/><bpmn:userTask id="work" name="Work"/><bpmn:endEvent id="e"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="e"/>'
        "</bpmn:process></bpmn:definitions>"
    ).encode()


# the gateway g splits to a (flow fa, with a condition) or b (the default fb); both join at m and end
_A_OR_B = (
    '<bpmn:exclusiveGateway id="g" default="fb"/>'
    '<bpmn:task id="a" name="A"/><bpmn:task id="b" name="B"/>'
    '<bpmn:exclusiveGateway id="m"/><bpmn:endEvent id="e"/>'
    '<bpmn:sequenceFlow id="fa" sourceRef="g" targetRef="a">'
    '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=x</bpmn:conditionExpression>'
    "</bpmn:sequenceFlow>"
    '<bpmn:sequenceFlow id="fb" sourceRef="g" targetRef="b"/>'
    '<bpmn:sequenceFlow id="fa2" sourceRef="a" targetRef="m"/>'
    '<bpmn:sequenceFlow id="fb2" sourceRef="b" targetRef="m"/>'
    '<bpmn:sequenceFlow id="f3" sourceRef="m" targetRef="e"/>'
    "</bpmn:process></bpmn:definitions>"
)


def choice() -> bytes:
    """start -> XOR (a | b) -> end; both tasks without lanes."""
    return (
        _HEAD + '<bpmn:process id="p" isExecutable="true">'
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g"/>' + _A_OR_B
    ).encode()


def sequence_with_timeout() -> bytes:
    """start -> a -> b -> c -> end; ``wait`` has an interrupting 1-hour timer that leads to ``late``."""
    return (
        _HEAD + '<bpmn:process id="p" isExecutable="true">'
        '<bpmn:startEvent id="s"/><bpmn:task id="a" name="A"/><bpmn:task id="b" name="B"/>'
        '<bpmn:task id="c" name="C"/><bpmn:receiveTask id="wait" name="Wait"/>'
        '<bpmn:boundaryEvent id="timeout" attachedToRef="wait"><bpmn:timerEventDefinition>'
        '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
        '<bpmn:endEvent id="e"/><bpmn:endEvent id="late"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="b"/>'
        '<bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="c"/>'
        '<bpmn:sequenceFlow id="f4" sourceRef="c" targetRef="wait"/>'
        '<bpmn:sequenceFlow id="f5" sourceRef="wait" targetRef="e"/>'
        '<bpmn:sequenceFlow id="f6" sourceRef="timeout" targetRef="late"/>'
        "</bpmn:process></bpmn:definitions>"
    ).encode()


def intake_then_choice() -> bytes:
    """start -> intake -> XOR (a | b) -> end: what a case is decides both its intake time and its path."""
    return (
        _HEAD + '<bpmn:process id="p" isExecutable="true">'
        '<bpmn:startEvent id="s"/><bpmn:task id="intake" name="Intake"/>'
        '<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="intake"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="intake" targetRef="g"/>' + _A_OR_B
    ).encode()
