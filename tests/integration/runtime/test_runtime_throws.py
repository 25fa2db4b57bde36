"""Messages and signals thrown inside an instance reach other instances through delivery jobs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civicflow.engine import VirtualClock
from civicflow.runtime import jobs, services
from civicflow.runtime.models import BufferedMessage, Job, ProcessInstance

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:message id="M" name="Approved">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=caseId"/></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:signal id="S" name="Alarm"/>
"""
_RECEIVER = (
    _HEAD
    + """  <bpmn:process id="receiver" isExecutable="true">
    <bpmn:startEvent id="r_start"/>
    <bpmn:intermediateCatchEvent id="r_wait"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="r_end"/>
    <bpmn:sequenceFlow id="r1" sourceRef="r_start" targetRef="r_wait"/>
    <bpmn:sequenceFlow id="r2" sourceRef="r_wait" targetRef="r_end"/>
  </bpmn:process>
</bpmn:definitions>
"""
)
_SENDER = (
    _HEAD
    + """  <bpmn:process id="sender" isExecutable="true">
    <bpmn:startEvent id="s_start"/>
    <bpmn:{kind} id="s_throw">
      <bpmn:extensionElements>
        <zeebe:ioMapping><zeebe:input source="=&quot;yes&quot;" target="decision"/></zeebe:ioMapping>
        <zeebe:properties>{properties}</zeebe:properties>
      </bpmn:extensionElements>
      {definition}
    </bpmn:{kind}>
    <bpmn:endEvent id="s_end"/>
    <bpmn:sequenceFlow id="s1" sourceRef="s_start" targetRef="s_throw"/>
    <bpmn:sequenceFlow id="s2" sourceRef="s_throw" targetRef="s_end"/>
  </bpmn:process>
</bpmn:definitions>
"""
)
_MESSAGE = '<bpmn:messageEventDefinition messageRef="M"/>'
_SIGNAL = '<bpmn:signalEventDefinition signalRef="S"/>'
_SIGNAL_WAIT = (
    _HEAD
    + """  <bpmn:process id="alarmed" isExecutable="true">
    <bpmn:startEvent id="a_start"/>
    <bpmn:intermediateCatchEvent id="a_wait"><bpmn:signalEventDefinition signalRef="S"/></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="a_end"/>
    <bpmn:sequenceFlow id="a1" sourceRef="a_start" targetRef="a_wait"/>
    <bpmn:sequenceFlow id="a2" sourceRef="a_wait" targetRef="a_end"/>
  </bpmn:process>
  <bpmn:process id="on_alarm" isExecutable="true">
    <bpmn:startEvent id="o_start"><bpmn:signalEventDefinition signalRef="S"/></bpmn:startEvent>
    <bpmn:endEvent id="o_end"/>
    <bpmn:sequenceFlow id="o1" sourceRef="o_start" targetRef="o_end"/>
  </bpmn:process>
</bpmn:definitions>
"""
)


def _sender(kind: str, definition: str = _MESSAGE, properties: str = "") -> str:
    return _SENDER.format(kind=kind, definition=definition, properties=properties)


def _deliveries() -> list[Job]:
    return list(Job.objects.filter(instance__isnull=True).order_by("id"))


def _drain() -> int:
    """Run delivery jobs until none is due (what a worker does); answers how many ran."""
    ran = 0
    while due := [j for j in _deliveries() if j.due_at is not None]:
        for job in due:
            jobs.execute_job(job)
            ran += 1
    return ran


@pytest.mark.parametrize(
    ("kind", "definition"),
    [("intermediateThrowEvent", _MESSAGE), ("endEvent", _MESSAGE), ("sendTask", "")],
)
def test_a_thrown_message_correlates_after_the_throwing_step_commits(
    clock: VirtualClock, kind: str, definition: str
) -> None:
    sender = _sender(kind, definition)
    if kind == "sendTask":
        sender = sender.replace('<bpmn:sendTask id="s_throw">', '<bpmn:sendTask id="s_throw" messageRef="M">')
    services.deploy([("receiver.bpmn", _RECEIVER), ("sender.bpmn", sender)])
    other = services.start_instance("receiver", variables={"caseId": "C-2"})
    waiting = services.start_instance("receiver", variables={"caseId": "C-1"})
    thrower = services.start_instance("sender", variables={"caseId": "C-1"})

    assert thrower.status == "completed"
    [job] = _deliveries()
    assert (job.kind, job.payload["correlation"], job.payload["source"]) == ("message", "C-1", str(thrower.pk))
    assert services.get_instance(waiting.pk).status == "active"  # not in the thrower's transaction

    assert _drain() == 1
    assert services.get_instance(waiting.pk).status == "completed"
    assert services.variables(waiting.pk)["decision"] == "yes"
    assert services.get_instance(other.pk).status == "active"
    assert not _deliveries()


def test_a_thrown_message_with_a_time_to_live_is_buffered_for_a_later_catch(clock: VirtualClock) -> None:
    prop = '<zeebe:property name="timeToLive" value="PT1H"/>'
    services.deploy([("receiver.bpmn", _RECEIVER), ("sender.bpmn", _sender("intermediateThrowEvent", _MESSAGE, prop))])
    services.start_instance("sender", variables={"caseId": "C-7"})
    _drain()
    assert BufferedMessage.objects.get().correlation_key == "C-7"
    late = services.start_instance("receiver", variables={"caseId": "C-7"})
    assert late.status == "completed"
    assert services.variables(late.pk)["decision"] == "yes"


def test_a_thrown_message_nobody_waits_for_retries_then_stays_with_its_error(clock: VirtualClock) -> None:
    services.deploy([("receiver.bpmn", _RECEIVER), ("sender.bpmn", _sender("endEvent"))])
    services.start_instance("sender", variables={"caseId": "C-9"})
    [job] = _deliveries()
    jobs.execute_job(job)
    job.refresh_from_db()
    assert job.retries == 2
    assert job.due_at is not None
    assert job.due_at > clock.now()
    assert "'Approved'" in job.last_error

    receiver = services.start_instance("receiver", variables={"caseId": "C-9"})  # the receiver catches up
    clock.set(job.due_at)
    jobs.execute_job(job)
    assert services.get_instance(receiver.pk).status == "completed"
    assert not _deliveries()


def test_a_thrown_signal_reaches_every_waiting_instance_and_signal_start_once(clock: VirtualClock) -> None:
    services.deploy([("alarm.bpmn", _SIGNAL_WAIT), ("sender.bpmn", _sender("endEvent", _SIGNAL))])
    waiting = [services.start_instance("alarmed") for _ in range(2)]
    thrower = services.start_instance("sender")
    assert thrower.status == "completed"
    [fan_out] = _deliveries()
    assert (fan_out.kind, fan_out.type) == ("signal", "Alarm")

    jobs.execute_job(fan_out)
    assert len(_deliveries()) == 3  # one per waiting instance, one for the signal start event
    jobs.execute_job(fan_out)  # run twice (a second worker): already done, nothing doubles
    assert len(_deliveries()) == 3
    _drain()
    assert all(services.get_instance(i.pk).status == "completed" for i in waiting)
    started = ProcessInstance.objects.filter(definition__process_id="on_alarm")
    assert started.count() == 1
    assert not _deliveries()


def test_an_external_broadcast_is_not_thrown_again_by_its_receivers(clock: VirtualClock) -> None:
    services.deploy([("alarm.bpmn", _SIGNAL_WAIT)])
    services.start_instance("alarmed")
    reached = services.broadcast_signal("Alarm")
    assert len(reached) == 2  # the waiting instance and one started by the signal start event
    assert not _deliveries()


def test_history_cleanup_keeps_pending_deliveries(clock: VirtualClock) -> None:
    services.deploy([("receiver.bpmn", _RECEIVER), ("sender.bpmn", _sender("endEvent"))])
    services.start_instance("sender", variables={"caseId": "C-3"})
    clock.advance(timedelta(days=40))
    assert services.history_cleanup(timedelta(days=30)).instances == 1
    assert len(_deliveries()) == 1
