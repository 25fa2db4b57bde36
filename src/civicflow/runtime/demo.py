"""``civicflow demo load``: realistic history of the reference services, made by the real runtime.

Nothing is written behind the runtime's back: the reference services are deployed, instances start
through :func:`civicflow.runtime.bulk.start_many`, timers and service jobs run through the worker's
batch path (:func:`civicflow.runtime.worker.run_batch`), user tasks complete through
``services.complete_task`` with plausible form data, messages correlate through
``services.correlate_message`` and the external fire-safety register is answered through the
external-task completion path (:func:`civicflow.runtime.complete_batch.complete_jobs`). All of it
runs on a virtual clock that moves hour by hour: arrivals are spread over ``months`` (mostly
weekdays, 7:00-22:00), and every duration is
drawn from one seeded ``random.Random`` by :mod:`civicflow.runtime.demo_behaviour`, where it
depends on what drives it in a real agency: the department's open work, the case's attributes
(building type, floor area, heritage zone, fee), the season and weekends, and the same applicant's
promptness throughout the case (that module's docstring says which factor drives which duration
and why). Some applications are incomplete (rework), some reviews pass their SLA, some applicants
never send the missing documents or never pay, and so on. The clock stops a week after the last arrival, so
recent cases are still active.

Connectors (``email``, ``http``, ``publish``) are replaced by stand-ins for the duration of the load:
no mail is sent and no bank is called.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Model

from civicflow.engine import VirtualClock
from civicflow.errors import CivicFlowError
from civicflow.runtime import bulk, jobs, services
from civicflow.runtime.clock import using_clock
from civicflow.runtime.complete_batch import complete_jobs
from civicflow.runtime.definitions import graph_for
from civicflow.runtime.demo_behaviour import Behaviour, lognormal_hours
from civicflow.runtime.models import (
    HistoryEvent,
    Job,
    JobKind,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    UserTask,
)
from civicflow.runtime.reference import deploy_reference_services
from civicflow.runtime.rows import columns
from civicflow.runtime.worker import claim, run_batch
from civicflow.runtime.worker._claim import external_topics
from civicflow.services import REFERENCE_SERVICES

__all__ = ["DemoError", "DemoResult", "load"]

Values = dict[str, Any]
Progress = Callable[[int, int], None]
"""Called with (hours simulated, hours in total)."""

_WEIGHTS = {"building_permit": 5, "tax_refund": 3, "record_transfer": 2}
_OWNER = "demo-load"


class DemoError(CivicFlowError):
    """The demo load cannot run with these options."""


@dataclass
class DemoResult:
    cases: int
    completed: int
    active: int
    history_rows: int
    tasks_completed: int
    messages: int
    jobs: int
    first: datetime
    last: datetime
    by_service: dict[str, int] = field(default_factory=dict)


def _arrival(rng: random.Random, start: datetime, days: int) -> datetime:
    while True:
        day = start + timedelta(days=rng.randrange(days))
        if day.weekday() < 5 or rng.random() < 0.15:  # online applications also come in at weekends
            return day + timedelta(hours=rng.uniform(7, 22))


# --- start data -------------------------------------------------------------------------------

_PROVIDERS = ("Huisartsenpraktijk De Linde", "Gezondheidscentrum Noord", "Ziekenhuis Rijnstate", "GGZ Oost")


def _start_values(service_id: str, n: int, rng: random.Random, year: int) -> Values:
    language = "nl" if rng.random() < 0.75 else "en"
    if service_id == "building_permit":
        kind = rng.choices(("extension", "dwelling", "shed", "commercial"), (45, 25, 20, 10))[0]
        area = {"extension": 40, "dwelling": 150, "shed": 12, "commercial": 600}[kind]
        return {
            "caseNumber": f"BP-{year}-{n:05d}",
            "applicantId": f"citizen-{n}",
            "applicantEmail": f"applicant{n}@example.org",
            "language": language,
            "buildingType": kind,
            "floorArea": max(4, round(area * math.exp(rng.gauss(0, 0.5)))),
            "heritageZone": rng.random() < 0.15,
        }
    if service_id == "tax_refund":
        income = round(rng.uniform(18000, 90000), -2)
        return {
            "claimId": f"TR-{year}-{n:05d}",
            "claimNumber": n,
            "claimantEmail": f"claimant{n}@example.org",
            "language": language,
            "residentStatus": "resident" if rng.random() < 0.93 else "non-resident",
            "taxYear": rng.choice((year - 3, year - 2, year - 1, year - 1, year - 6)),
            "taxableIncome": income,
            "deductions": round(income * rng.uniform(0, 0.25), -1),
            "taxPaid": round(income * rng.uniform(0.2, 0.42), -1),
            "iban": "NL91ABNA0417164300",
        }
    source, target = rng.sample(_PROVIDERS, 2)
    return {
        "transferId": f"RT-{year}-{n:05d}",
        "patientId": f"patient-{n}",
        "patientName": f"Patient {n}",
        "patientEmail": f"patient{n}@example.org",
        "language": language,
        "sourceProvider": source,
        "targetProvider": target,
        "urgency": "urgent" if rng.random() < 0.2 else "routine",
    }


# --- connector stand-ins ----------------------------------------------------------------------


def _fake_http(job: Job) -> Values:
    return {"payoutRequestStatus": 202}


def _fake_register(job: Job) -> Values:
    return {"fireRegisterCompliant": (job.key % 17) != 0, "fireRegisterReference": f"FSR-{job.key}"}


@contextmanager
def _stand_ins() -> Iterator[None]:
    saved = dict(jobs.HANDLERS)
    jobs.HANDLERS.update({"email": lambda job: None, "publish": lambda job: None, "http": _fake_http})
    if "fire-safety-register" not in external_topics():
        jobs.HANDLERS["fire-safety-register"] = _fake_register
    try:
        yield
    finally:
        jobs.HANDLERS.clear()
        jobs.HANDLERS.update(saved)


# --- the load ---------------------------------------------------------------------------------


@dataclass
class _Plans:
    behaviour: Behaviour
    tasks: dict[int, tuple[datetime, Values | None, str]] = field(default_factory=dict)
    messages: list[tuple[datetime, int, str, str, Values]] = field(default_factory=list)
    pending: set[tuple[str, str]] = field(default_factory=set)
    external: dict[int, datetime] = field(default_factory=dict)
    last_task: int = 0
    last_subscription: int = 0
    tasks_completed: int = 0
    messages_sent: int = 0
    jobs_run: int = 0


def load(
    cases: int,
    *,
    rng: random.Random,
    service_ids: Sequence[str] | None = None,
    start: datetime | None = None,
    months: int = 6,
    progress: Progress | None = None,
) -> DemoResult:
    """Generate ``cases`` cases of the reference services (all, or ``service_ids``) on a virtual clock."""
    if cases < 1:
        raise DemoError("--cases must be at least 1")
    known = {s.id: s for s in REFERENCE_SERVICES}
    chosen = list(service_ids or known)
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise DemoError(f"unknown service {unknown[0]!r} (known: {', '.join(known)})")
    if months < 1:
        raise DemoError("--months must be at least 1")
    begin = (start or datetime(datetime.now(UTC).year - 1, 1, 1, tzinfo=UTC)).replace(minute=0, second=0, microsecond=0)
    days = months * 30
    arrivals = sorted(
        (_arrival(rng, begin, days), rng.choices(chosen, [_WEIGHTS.get(s, 1) for s in chosen])[0]) for _ in range(cases)
    )
    end = arrivals[-1][0] + timedelta(days=7)
    clock = VirtualClock(begin)
    counts: dict[str, int] = {}
    first_history = HistoryEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started: list[Any] = []
    with using_clock(clock), _stand_ins():
        deploy_reference_services()
        definitions = {s: services.definition_for(known[s].process_id) for s in chosen}
        plans = _Plans(behaviour=Behaviour(rng, _departments(definitions.values())))
        total_hours = int((end - begin).total_seconds() // 3600) + 1
        next_arrival = 0
        for hour in range(total_hours):
            now = begin + timedelta(hours=hour)
            clock.set(now)
            batch: dict[str, list[Values]] = {}
            while next_arrival < len(arrivals) and arrivals[next_arrival][0] <= now:
                service_id = arrivals[next_arrival][1]
                counts[service_id] = counts.get(service_id, 0) + 1
                batch.setdefault(service_id, []).append(_start_values(service_id, next_arrival + 1, rng, begin.year))
                next_arrival += 1
            # Demo only (one process on a virtual clock): the simulated hour commits once, its
            # arrivals, jobs, tasks and messages alike. Every call inside is still its own step in
            # its own atomic block (a savepoint here), and a refused one has written nothing.
            with transaction.atomic():
                for service_id, values in batch.items():
                    started.extend(_start_routed(definitions[service_id], values))
                _work(clock, now, rng, plans)
            if progress is not None:
                progress(hour + 1, total_hours)
    ids = set(started)
    status = ProcessInstance.objects.filter(pk__in=ids).values_list("status", flat=True) if len(ids) < 900 else None
    if status is None:
        rows = ProcessInstance.objects.filter(started__gte=begin).values_list("pk", "status")
        statuses = [s for pk, s in rows if pk in ids]
    else:
        statuses = list(status)
    active = sum(1 for s in statuses if s == "active")
    return DemoResult(
        cases=cases,
        completed=sum(1 for s in statuses if s == "completed"),
        active=active,
        history_rows=HistoryEvent.objects.filter(pk__gt=first_history).count(),
        tasks_completed=plans.tasks_completed,
        messages=plans.messages_sent,
        jobs=plans.jobs_run,
        first=begin,
        last=end,
        by_service=counts,
    )


def _departments(definitions: Iterable[ProcessDefinition]) -> dict[str, str]:
    """Staff task element id -> its department (first candidate group), over the services loaded."""
    return {
        node_id: node.candidate_groups[0]
        for definition in definitions
        for node_id, node in graph_for(definition.pk).nodes.items()
        if node.candidate_groups
    }


def _case_key(values: Mapping[str, Any]) -> str | None:
    found = values.get("caseNumber") or values.get("claimId") or values.get("transferId")
    return None if found is None else str(found)


def _start_routed(definition: ProcessDefinition, batch: Sequence[Values]) -> list[UUID]:
    """Start the batch, each case on the version a running pilot gives it (by its case number).

    Without a pilot every case starts on ``definition``, in one bulk call as before.
    """
    process_id = definition.process_id
    routes = [services.route_version(process_id, _case_key(values), values) for values in batch]
    if all(route is None for route in routes):
        return bulk.start_many(definition, batch)
    started: list[UUID] = []
    for values, route in zip(batch, routes, strict=True):
        target = definition if route is None else services.definition_for(process_id, route.version)
        (instance_id,) = bulk.start_many(target, [values])
        if route is not None:
            route.started(instance_id)
        started.append(instance_id)
    return started


def _run_worker(now: datetime, plans: _Plans) -> None:
    while claimed := claim(_OWNER, 500, now, timedelta(minutes=10)):
        result = run_batch(claimed)
        plans.jobs_run += result.completed
        if result.released:
            Job.objects.filter(pk__in=result.released, lock_owner=_OWNER).update(lock_owner=None, lock_expires_at=None)
            break


def _work(clock: VirtualClock, now: datetime, rng: random.Random, plans: _Plans) -> None:
    _run_worker(now, plans)
    # the fire-safety register answers over the external-task path
    topics = [t for t in external_topics() if t == "fire-safety-register"]  # other topics: their own workers
    if topics:
        for pk in _waiting_external(topics):
            if pk not in plans.external:
                plans.external[pk] = now + lognormal_hours(rng, 6)
        due = [pk for pk, at in plans.external.items() if at <= now]
        if due:
            found = list(Job.objects.filter(pk__in=due).order_by("pk"))
            complete_jobs([(job, _fake_register(job)) for job in found])
            plans.jobs_run += len(found)
            for pk in due:
                del plans.external[pk]
    # new user tasks and message waits get a plan
    new_tasks = _newer(_TASKS, "state = 'created'", plans.last_task)
    new_subs = _newer(_SUBSCRIPTIONS, "instance_id IS NOT NULL", plans.last_subscription)
    if new_tasks or new_subs:
        needed = {t.instance_id for t in new_tasks} | {s.instance_id for s in new_subs}
        values = {pk: _vars(pk) for pk in needed}
        for task in new_tasks:
            at, form = plans.behaviour.task(task.element_id, values[task.instance_id], task.created)
            plans.tasks[task.pk] = (at, form, task.element_id)
        for sub in new_subs:
            key = (sub.name, sub.correlation_key or "")
            if key in plans.pending:
                continue
            comes, message = plans.behaviour.message(sub.name, values[sub.instance_id], now)
            if comes is not None:
                plans.pending.add(key)
                plans.messages.append((comes, sub.pk, key[0], key[1], message))
        plans.last_task = max([plans.last_task, *(t.pk for t in new_tasks)])
        plans.last_subscription = max([plans.last_subscription, *(s.pk for s in new_subs)])
    due_tasks = sorted((at, pk, form, element) for pk, (at, form, element) in plans.tasks.items() if at <= now)
    due_messages = sorted(m for m in plans.messages if m[0] <= now)
    if not due_tasks and not due_messages:
        return
    for at, pk, form, element in due_tasks:
        del plans.tasks[pk]
        plans.behaviour.done(element)
        if form is None:
            continue
        clock.set(at)
        try:
            services.complete_task(pk, form)
            plans.tasks_completed += 1
        except CivicFlowError:
            pass  # closed meanwhile (a timer, a cancellation)
    for item in due_messages:
        plans.messages.remove(item)
        at, _pk, name, correlation, message = item
        plans.pending.discard((name, correlation))
        clock.set(at)
        try:
            services.correlate_message(name, correlation, message)
            plans.messages_sent += 1
        except CivicFlowError:
            pass  # nobody waits any more (withdrawn, cancelled)
    clock.set(now)


# The demo polls for new tasks, subscriptions and external jobs every simulated hour: plain SQL,
# since the ORM's query building cost more than the rest of a quiet hour.
_TASKS = (UserTask, ("id", "instance_id", "element_id", "created"))
_SUBSCRIPTIONS = (MessageSubscription, ("id", "name", "correlation_key", "instance_id"))


def _newer(table: tuple[type[Model], tuple[str, ...]], condition: str, after: int) -> list[Any]:
    """Rows of ``table`` past id ``after`` meeting ``condition``, in id order (only the fields named)."""
    model, names = table
    read = columns(model, names)
    sql = f"SELECT {read.sql} FROM {model._meta.db_table} WHERE id > %s AND {condition} ORDER BY id"  # noqa: S608 - our table; the condition is a literal of this module  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, [after])
        return read.objects(cursor.fetchall())


def _waiting_external(topics: list[str]) -> list[int]:
    """Ids of the unlocked service jobs of ``topics`` (the external register's requests), in id order."""
    marks = ", ".join(["%s"] * len(topics))
    sql = (
        f"SELECT id FROM {Job._meta.db_table} WHERE kind = %s AND type IN ({marks}) "  # noqa: S608 - names are ours  # nosec B608
        "AND lock_owner IS NULL AND id > 0 ORDER BY id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [JobKind.SERVICE.value, *topics])
        return [pk for (pk,) in cursor.fetchall()]


def _vars(instance_id: Any) -> Values:
    try:
        return services.variables(instance_id)
    except CivicFlowError:
        return {}
