"""Messages (exactly once, buffered with a time to live), signals, timers and service jobs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from civicflow.engine import VirtualClock
from civicflow.runtime import jobs, services
from civicflow.runtime.errors import MessageNotCorrelatedError
from civicflow.runtime.models import BufferedMessage, Incident, Job, MessageSubscription, SignalSubscription

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_a_message_correlates_by_name_and_key_exactly_once(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "documents.bpmn"])
    a = services.start_instance("documents", variables={"caseId": "A-1"})
    b = services.start_instance("documents", variables={"caseId": 42})
    assert set(MessageSubscription.objects.values_list("correlation_key", flat=True)) == {"A-1", "42"}

    delivered = services.correlate_message("Documents", 42, {"pages": 3})
    assert delivered.instance is not None
    assert delivered.instance.pk == b.pk
    assert delivered.instance.status == "completed"
    assert services.variables(b.pk)["pages"] == 3
    assert services.get_instance(a.pk).status == "active"
    with pytest.raises(MessageNotCorrelatedError, match="'Documents'"):
        services.correlate_message("Documents", 42)
    assert list(MessageSubscription.objects.values_list("correlation_key", flat=True)) == ["A-1"]


def test_a_buffered_message_is_consumed_when_its_subscription_opens(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "documents.bpmn"])
    early = services.correlate_message("Documents", "C-9", {"pages": 7}, ttl=timedelta(hours=1))
    assert early.buffered is not None
    assert early.instance is None

    clock.advance(timedelta(minutes=30))
    instance = services.start_instance("documents", variables={"caseId": "C-9"})
    assert instance.status == "completed"
    assert services.variables(instance.pk)["pages"] == 7
    assert not BufferedMessage.objects.exists()
    assert not MessageSubscription.objects.exists()
    types = [row.type for row in services.history(instance.pk)]
    assert "MessageCorrelated" in types


def test_an_expired_buffered_message_is_not_delivered_and_is_cleaned_up(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "documents.bpmn"])
    services.correlate_message("Documents", "C-9", ttl=timedelta(minutes=10))
    clock.advance(timedelta(minutes=11))
    instance = services.start_instance("documents", variables={"caseId": "C-9"})
    assert instance.status == "active"
    assert services.history_cleanup(timedelta(days=30)).buffered_messages == 1
    assert not BufferedMessage.objects.exists()


def test_a_signal_reaches_every_waiting_instance(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "alarm.bpmn", models / "permit.bpmn"])
    waiting = [services.start_instance("alarm") for _ in range(3)]
    other = services.start_instance("permit")
    reached = services.broadcast_signal("Alarm", {"level": "red"})
    assert sorted(str(i.pk) for i in reached) == sorted(str(i.pk) for i in waiting)
    assert all(services.get_instance(i.pk).status == "completed" for i in waiting)
    assert services.get_instance(other.pk).status == "active"
    assert not SignalSubscription.objects.exists()
    assert services.broadcast_signal("Alarm") == []


def test_a_timer_is_a_due_job_that_fires_through_the_step(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "timer.bpmn"])
    instance = services.start_instance("reminder")
    [job] = Job.objects.all()
    assert (job.kind, job.due_at) == ("timer", clock.now() + timedelta(hours=1))
    clock.advance(timedelta(hours=1))
    result = jobs.execute_job(job)
    assert result.instance.status == "completed"
    assert services.get_instance(instance.pk).status == "completed"
    assert not Job.objects.exists()


def test_a_service_job_completes_or_fails_into_an_incident(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "service.bpmn"])
    ok = services.start_instance("service")
    [job] = Job.objects.filter(instance_id=ok.pk)
    assert (job.kind, job.type, job.retries, job.due_at) == ("service", "noop", 2, clock.now())
    assert jobs.execute_job(job).instance.status == "completed"

    failing = services.start_instance("service")
    [job] = Job.objects.filter(instance_id=failing.pk)

    def broken(job: Job) -> None:
        raise ConnectionError("registry down")

    jobs.execute_job(job, broken)
    job.refresh_from_db()
    assert (job.retries, job.last_error) == (1, "ConnectionError: registry down")
    assert job.due_at == clock.now() + jobs.backoff(0)
    jobs.execute_job(job, broken)
    job.refresh_from_db()
    assert (job.retries, job.due_at) == (0, None)
    [incident] = services.incidents()
    assert (incident.kind, incident.element_id, incident.job_key) == ("job-failed", "call", job.key)
    assert services.get_instance(failing.pk).has_incident

    services.retry_incident(incident.pk, retries=1)
    job.refresh_from_db()
    assert (job.retries, job.due_at) == (1, clock.now())
    assert Incident.objects.get().state == "resolved"
    assert jobs.execute_job(job).instance.status == "completed"
