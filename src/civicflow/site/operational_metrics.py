"""Queue depths, job lag, incidents and backlogs, read from the database when Prometheus scrapes.

Computed at scrape time rather than kept in process memory: the database is the one place that
knows the state of all web processes and workers, so every gunicorn process answers the same
numbers and nothing needs resetting when a process restarts. Each value is one aggregate query
over an indexed column (a few milliseconds); labels are process ids, candidate groups (the
departments), topics and job kinds, never anything about a person or a case.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from civicflow.runtime.models import Incident, IncidentState, Job, JobKind, Outbox, TaskCandidate, TaskState, UserTask
from civicflow.web.models import MailStatus, QueuedMail

__all__ = ["OperationalCollector"]


def _age(now: datetime, oldest: datetime | None) -> float:
    """Seconds since ``oldest`` (0 when nothing waits, and never negative under clock skew)."""
    return max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0


class OperationalCollector(Collector):
    """A prometheus_client collector over the runtime's tables, as they are at ``now``."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.external_topics: tuple[str, ...] = tuple(getattr(settings, "CIVICFLOW_EXTERNAL_TOPICS", ()))

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from self._user_tasks()
        yield from self._jobs()
        yield from self._external_tasks()
        yield from self._incidents()
        yield from self._outbox()
        yield from self._mail()

    def _claimable(self) -> QuerySet[Job]:
        """Jobs a worker could take now: due, and unlocked or their claim expired (dead worker)."""
        unlocked = Q(lock_expires_at__isnull=True) | Q(lock_expires_at__lt=self.now)
        return Job.objects.filter(unlocked, due_at__isnull=False, due_at__lte=self.now)

    def _user_tasks(self) -> Iterator[GaugeMetricFamily]:
        total = GaugeMetricFamily("civicflow_user_tasks_open", "Open user tasks (all queues).")
        total.add_metric([], UserTask.objects.filter(state=TaskState.CREATED).count())
        yield total
        by_group = GaugeMetricFamily(
            "civicflow_user_tasks_open_by_group",
            "Open user tasks offered to each candidate group (department or role); a task offered to "
            "two groups counts in both.",
            labels=("candidate_group",),
        )
        rows = (
            TaskCandidate.objects.filter(kind=TaskCandidate.GROUP, task__state=TaskState.CREATED)
            .values("name")
            .annotate(n=Count("id"))  # one row per task and group (runtime_candidate_unique): no DISTINCT sort
            .order_by("name")
        )
        for row in rows:
            by_group.add_metric([row["name"]], row["n"])
        yield by_group

    def _depth_and_lag(
        self,
        count: tuple[str, str],
        lag: tuple[str, str],
        jobs: QuerySet[Job],
        *,
        label: str,
        field: str,
        keys: Iterable[str],
    ) -> Iterator[GaugeMetricFamily]:
        """Two families over ``jobs`` grouped by ``field`` (as ``label``): how many wait, the oldest one's age.

        Every key of ``keys`` gets a sample, zero included, so an alert always has a series to compare.
        """
        found = {row[field]: row for row in jobs.values(field).annotate(n=Count("id"), oldest=Min("due_at"))}
        depth = GaugeMetricFamily(*count, labels=(label,))
        age = GaugeMetricFamily(*lag, labels=(label,))
        for key in keys:
            row = found.get(key)
            depth.add_metric([key], row["n"] if row else 0)
            age.add_metric([key], _age(self.now, row["oldest"]) if row else 0.0)
        yield depth
        yield age

    def _jobs(self) -> Iterator[GaugeMetricFamily]:
        jobs = self._claimable()
        if self.external_topics:
            jobs = jobs.exclude(kind=JobKind.SERVICE, type__in=self.external_topics)
        yield from self._depth_and_lag(
            (
                "civicflow_jobs_due",
                "Jobs due now that no live worker holds, by kind (external-task topics not included).",
            ),
            (
                "civicflow_job_lag_seconds",
                "Age of the oldest due job no live worker holds, by kind (timers: how late the oldest timer is).",
            ),
            jobs,
            label="kind",
            field="kind",
            keys=JobKind.values,
        )
        stuck = GaugeMetricFamily(
            "civicflow_jobs_waiting_on_incident", "Jobs with no retries left, held until an incident is resolved."
        )
        stuck.add_metric([], Job.objects.filter(due_at__isnull=True).count())
        yield stuck

    def _external_tasks(self) -> Iterator[GaugeMetricFamily]:
        yield from self._depth_and_lag(
            (
                "civicflow_external_tasks_waiting",
                "External tasks due and not locked by an external worker, by topic (CIVICFLOW_EXTERNAL_TOPICS).",
            ),
            (
                "civicflow_external_task_lag_seconds",
                "Age of the oldest external task waiting for fetch-and-lock, by topic.",
            ),
            self._claimable().filter(kind=JobKind.SERVICE, type__in=self.external_topics),
            label="topic",
            field="type",
            keys=sorted(self.external_topics),
        )

    def _incidents(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "civicflow_incidents_open", "Open incidents, by process id (BPMN process element id).", labels=("process",)
        )
        rows = (
            Incident.objects.filter(state=IncidentState.OPEN)
            .values("instance__definition__process_id")
            .annotate(n=Count("id"))
            .order_by("instance__definition__process_id")
        )
        for row in rows:
            family.add_metric([row["instance__definition__process_id"]], row["n"])
        yield family

    def _outbox(self) -> Iterator[GaugeMetricFamily]:
        found = Outbox.objects.filter(published_at__isnull=True).aggregate(n=Count("id"), oldest=Min("created"))
        backlog = GaugeMetricFamily("civicflow_outbox_backlog", "Outbox events not yet published (NATS, webhooks).")
        backlog.add_metric([], found["n"])
        yield backlog
        age = GaugeMetricFamily("civicflow_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox event.")
        age.add_metric([], _age(self.now, found["oldest"]))
        yield age

    def _mail(self) -> Iterator[GaugeMetricFamily]:
        pending = QueuedMail.objects.filter(status=MailStatus.PENDING).aggregate(n=Count("id"), oldest=Min("created"))
        backlog = GaugeMetricFamily("civicflow_mail_backlog", "Queued mail not yet sent (still being tried).")
        backlog.add_metric([], pending["n"])
        yield backlog
        age = GaugeMetricFamily("civicflow_mail_oldest_age_seconds", "Age of the oldest queued mail not yet sent.")
        age.add_metric([], _age(self.now, pending["oldest"]))
        yield age
        dead = GaugeMetricFamily("civicflow_mail_dead", "Mail given up after its last attempt (kept for operators).")
        dead.add_metric([], QueuedMail.objects.filter(status=MailStatus.DEAD).count())
        yield dead
