"""Timer start events: a definition's timer job starts instances and follows its cycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civicflow.engine import VirtualClock
from civicflow.runtime import jobs, services
from civicflow.runtime.errors import DeploymentError
from civicflow.runtime.models import Job, MessageSubscription, ProcessInstance

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:message id="M" name="Kick"/>
  <bpmn:process id="{process}" isExecutable="true">
    <bpmn:startEvent id="tick">
      <bpmn:timerEventDefinition><bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition>
    </bpmn:startEvent>{extra}
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="tick" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
_MESSAGE_START = """
    <bpmn:startEvent id="kicked"><bpmn:messageEventDefinition messageRef="M"/></bpmn:startEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="kicked" targetRef="end"/>"""


def _deploy(kind: str, value: str, *, process: str = "report", extra: str = "") -> None:
    text = _BPMN.format(process=process, kind=kind, value=value, extra=extra)
    services.deploy([(f"{process}.bpmn", text)])


def _start_timer() -> Job:
    [job] = Job.objects.filter(instance__isnull=True, kind="timer")
    return job


def test_a_cycle_start_timer_starts_an_instance_per_cycle_then_stops(clock: VirtualClock) -> None:
    _deploy("timeCycle", "R2/PT1H")
    job = _start_timer()
    assert job.definition is not None
    assert (job.definition.key, job.element_id, job.due_at) == ("report:1", "tick", clock.now() + timedelta(hours=1))

    clock.advance(timedelta(hours=1))
    first = jobs.execute_job(job)
    assert first is not None
    assert first.instance.status == "completed"
    assert [row.type for row in services.history(first.instance.pk)][:2] == ["InstanceStarted", "ElementActivated"]
    job = _start_timer()
    assert job.due_at == clock.now() + timedelta(hours=1)

    clock.advance(timedelta(hours=1))
    assert jobs.execute_job(job) is not None
    assert ProcessInstance.objects.count() == 2
    assert not Job.objects.exists()  # R2: used up


def test_a_fired_start_timer_job_fires_once(clock: VirtualClock) -> None:
    _deploy("timeCycle", "R/PT10M")
    job = _start_timer()
    clock.advance(timedelta(minutes=10))
    assert jobs.execute_job(job) is not None
    assert jobs.execute_job(job) is None  # the same claimed row again (a second worker): due_at moved on
    assert ProcessInstance.objects.count() == 1


def test_after_an_outage_a_cycle_fires_once_and_keeps_its_phase(clock: VirtualClock) -> None:
    _deploy("timeCycle", "R/PT1H")
    job = _start_timer()
    clock.advance(timedelta(hours=5, minutes=30))
    jobs.execute_job(job)
    assert ProcessInstance.objects.count() == 1
    assert _start_timer().due_at == datetime(2025, 3, 1, 15, 0, tzinfo=UTC)


def test_a_cron_start_timer_follows_the_calendar(clock: VirtualClock) -> None:
    _deploy("timeCycle", "0 0 9 * * MON-FRI")  # the clock starts on Saturday 2025-03-01 09:00
    job = _start_timer()
    assert job.due_at == datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    clock.set(job.due_at)
    jobs.execute_job(job)
    assert _start_timer().due_at == datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "value", "due"),
    [
        ("timeDate", "2025-03-02T08:00:00Z", datetime(2025, 3, 2, 8, 0, tzinfo=UTC)),
        ("timeDuration", "PT30M", datetime(2025, 3, 1, 9, 30, tzinfo=UTC)),
        ("timeDate", '=date and time("2025-04-01T00:00:00Z")', datetime(2025, 4, 1, tzinfo=UTC)),
    ],
)
def test_a_date_or_duration_start_timer_fires_once(clock: VirtualClock, kind: str, value: str, due: datetime) -> None:
    _deploy(kind, value)
    job = _start_timer()
    assert job.due_at == due
    clock.set(due)
    result = jobs.execute_job(job)
    assert result is not None
    assert result.instance.status == "completed"
    assert not Job.objects.exists()


def test_a_new_version_replaces_the_start_timers_and_message_starts_of_the_old(clock: VirtualClock) -> None:
    _deploy("timeCycle", "R/PT1H", extra=_MESSAGE_START)
    old = _start_timer()
    assert MessageSubscription.objects.get().definition.version == 1
    _deploy("timeCycle", "R/PT2H")
    new = _start_timer()
    assert new.definition is not None
    assert (new.definition.version, new.due_at) == (2, clock.now() + timedelta(hours=2))
    assert not MessageSubscription.objects.exists()

    clock.advance(timedelta(hours=1))
    assert jobs.execute_job(old) is None  # the old version's timer is gone: nothing starts
    assert not ProcessInstance.objects.exists()
    _deploy("timeCycle", "R/PT2H")  # same content: same version, the timer is kept
    assert _start_timer().pk == new.pk


def test_a_start_timer_that_cannot_be_scheduled_refuses_the_deployment(clock: VirtualClock) -> None:
    with pytest.raises(DeploymentError, match=r"tick: .*'L'"):
        _deploy("timeCycle", "0 0 0 L * *")
    with pytest.raises(DeploymentError, match="tick"):
        _deploy("timeDate", "next tuesday")
    assert not Job.objects.exists()
    assert not services.instances().exists()
