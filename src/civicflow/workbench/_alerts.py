"""KPI alerts: tasks nearing their due date tell their department; a stage below its SLA tells its head.

:func:`check_alerts` is the worker's periodic step and ``civicflow kpi alerts``. A pass plans
(:func:`plan_alerts`: reads only) and then applies the plan in one transaction: new
:class:`~civicflow.workbench.models.Alert` rows, alerts resolved, and one mail per opted-in
member of the alerted groups (the work-notification choice of :mod:`civicflow.workbench._digest`),
queued in the mail queue in that same transaction so it is sent once and never lost.

- A task alerts each of its candidate groups once (``task_due:<task>:<group>``), when at most
  ``due_fraction`` of its allowed time (created .. due) is left, overdue tasks included; the
  alert is resolved when the task is no longer open.
- A stage alerts its head once per breach episode (``stage_sla:<service>:<stage>:<n>``): while
  an episode is open nothing new is raised; compliance back at the threshold resolves it, and
  the next breach is episode ``n + 1``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext

from civicflow.runtime.clock import current_clock
from civicflow.runtime.models import TaskCandidate, TaskState, UserTask
from civicflow.services import REFERENCE_SERVICES
from civicflow.web.mail import queue_mail
from civicflow.workbench._alerts_options import AlertOptions
from civicflow.workbench._alerts_stage import StageFinding, stage_findings
from civicflow.workbench._digest import LISTED, subscribers, workbench_link
from civicflow.workbench.models import Alert, AlertKind

__all__ = ["AlertRun", "apply_plan", "check_alerts", "describe", "plan_alerts"]

_SCAN = 5000  # open tasks with a due date read per query
_NOT_COPIED = frozenset({"id", "key"})


@dataclass(slots=True, kw_only=True)
class AlertRun:
    """What a pass raises and resolves, and (once applied) the mails it queued."""

    raised: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)
    mails: list[str] = field(default_factory=list)  # the addresses mailed (or to mail, in a dry run)


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


def _stage_texts(alert: Alert, language: str) -> tuple[str, str]:
    """The stage's label and its service's title in ``language``, from the reference services."""
    for service in REFERENCE_SERVICES:
        if service.id == alert.service:
            stage = next((s for s in service.kpis.stages if s.element == alert.element), None)
            return (stage.label.get(language) if stage else alert.element), service.title.get(language)
    return alert.element, alert.service


def describe(alert: Alert) -> str:
    """The alert in the active language (the page, the mail; English in ``message``)."""
    if alert.kind == AlertKind.TASK_DUE:
        due = formats.date_format(timezone.localtime(alert.due), "DATETIME_FORMAT") if alert.due else ""
        values = {"task": alert.title or alert.element, "case": alert.case, "due": due}
        if alert.due is not None and alert.due <= alert.created:
            return gettext("Task “%(task)s” of case %(case)s was due on %(due)s and is still open.") % values
        return gettext("Task “%(task)s” of case %(case)s is due on %(due)s.") % values
    stage, service = _stage_texts(alert, translation.get_language() or "en")
    return gettext(
        "%(stage)s (%(service)s): %(rate)s of the %(finished)d finished in the last %(days)d days "
        "were within the target, below the threshold of %(threshold)s."
    ) % {
        "stage": stage,
        "service": service,
        "rate": _percent(alert.rate or 0.0),
        "finished": alert.finished or 0,
        "days": alert.window_days or 0,
        "threshold": _percent(alert.threshold or 0.0),
    }


def _english(alert: Alert) -> Alert:
    with translation.override("en"):
        alert.message = describe(alert)
    return alert


def _due_tasks(now: datetime, options: AlertOptions) -> Iterable[UserTask]:
    """Open tasks with a due date, at most ``due_fraction`` of their allowed time left, not yet alerted."""
    alerted = Alert.objects.filter(kind=AlertKind.TASK_DUE, task_id__isnull=False).values("task_id")
    last = 0
    while True:
        chunk = list(
            UserTask.objects.filter(state=TaskState.CREATED, due__isnull=False, pk__gt=last)
            .exclude(pk__in=alerted)
            .order_by("pk")
            .only("pk", "created", "due")[:_SCAN]
        )
        if not chunk:
            return
        last = chunk[-1].pk
        yield from (
            task
            for task in chunk
            if task.due is not None and task.due - now <= (task.due - task.created) * options.due_fraction
        )


def _task_alerts(now: datetime, options: AlertOptions) -> list[Alert]:
    ids = [task.pk for task in _due_tasks(now, options)]
    groups: dict[int, list[str]] = defaultdict(list)
    for task_id, name in (
        TaskCandidate.objects.filter(task_id__in=ids, kind=TaskCandidate.GROUP)
        .order_by("task_id", "name")
        .values_list("task_id", "name")
    ):
        groups[task_id].append(name)
    alerts = []
    for task in UserTask.objects.filter(pk__in=list(groups)).select_related("instance").order_by("pk"):
        for group in groups[task.pk]:  # a task offered to no group has no department queue to tell
            alert = Alert(
                kind=AlertKind.TASK_DUE,
                key=f"task_due:{task.pk}:{group}"[:200],
                department=group,
                service=task.process_id,
                element=task.element_id,
                task_id=task.pk,
                case=task.instance.business_key or str(task.instance_id),
                title=task.name,
                due=task.due,
                created=now,
            )
            alerts.append(_english(alert))
    return alerts


def _stage_alert(finding: StageFinding, episode: int, now: datetime, options: AlertOptions) -> Alert:
    stage = finding.stage
    return _english(
        Alert(
            kind=AlertKind.STAGE_SLA,
            key=f"stage_sla:{finding.service.id}:{stage.element}:{finding.head}:{episode}"[:200],
            department=finding.head,
            service=finding.service.id,
            element=stage.element,
            rate=stage.sla.value,
            threshold=finding.threshold,
            finished=stage.completed,
            window_days=options.sla_window.days,
            created=now,
        )
    )


def plan_alerts(now: datetime, options: AlertOptions) -> AlertRun:
    """What a pass at ``now`` would raise and resolve; writes nothing."""
    run = AlertRun(raised=_task_alerts(now, options))
    open_tasks = UserTask.objects.filter(state=TaskState.CREATED).values("pk")
    run.resolved += Alert.objects.filter(kind=AlertKind.TASK_DUE, resolved__isnull=True).exclude(task_id__in=open_tasks)
    open_stages = {
        (a.service, a.element, a.department): a
        for a in Alert.objects.filter(kind=AlertKind.STAGE_SLA, resolved__isnull=True)
    }
    episodes = {
        (row["service"], row["element"], row["department"]): row["n"]
        for row in Alert.objects.filter(kind=AlertKind.STAGE_SLA)
        .values("service", "element", "department")
        .annotate(n=Count("id"))
    }
    for finding in stage_findings(now, options):
        ref = (finding.service.id, finding.stage.element, finding.head)
        if finding.breaching and ref not in open_stages:
            run.raised.append(_stage_alert(finding, episodes.get(ref, 0) + 1, now, options))
        elif not finding.breaching and ref in open_stages:
            run.resolved.append(open_stages[ref])
    return run


def _recipients(groups: Iterable[str]) -> dict[int, tuple[str, str, set[str]]]:
    """Opted-in members of ``groups``: user id -> (address, language, their alerted groups)."""
    wanted = set(groups)
    found: dict[int, tuple[str, str, set[str]]] = {}
    for pref in subscribers().filter(user__groups__name__in=wanted).distinct():
        mine = set(pref.user.groups.filter(name__in=wanted).values_list("name", flat=True))
        found[pref.user_id] = (pref.user.email, pref.language, mine)
    return found


def _queue_mails(raised: list[Alert], now: datetime, *, dry_run: bool) -> list[str]:
    sent = []
    for user_id, (address, language, groups) in sorted(_recipients(a.department for a in raised).items()):
        theirs = [a for a in raised if a.department in groups]
        sent.append(address)
        if dry_run:
            continue
        with translation.override(language):
            subject = ngettext(
                "%(count)d alert for your department", "%(count)d alerts for your departments", len(theirs)
            ) % {"count": len(theirs)}
            body = render_to_string(
                "workbench/email/alerts.txt",
                {
                    "alerts": [describe(a) for a in theirs[:LISTED]],
                    "more": max(len(theirs) - LISTED, 0),
                    "link": workbench_link("workbench:alerts"),
                },
            )
        key = f"workbench:alerts:{user_id}:{theirs[0].pk}-{theirs[-1].pk}"
        queue_mail(key=key, to=address, subject=subject, body=body, language=language, now=now)
    return sent


def apply_plan(run: AlertRun, now: datetime, *, dry_run: bool = False) -> AlertRun:
    """Write ``run``: raise its alerts (a key raised meanwhile is skipped), resolve, queue the mails."""
    if dry_run:
        run.mails = _queue_mails(run.raised, now, dry_run=True)
        return run
    with transaction.atomic():
        raised = []
        for alert in run.raised:
            fields = {f.name: getattr(alert, f.name) for f in Alert._meta.concrete_fields if f.name not in _NOT_COPIED}
            row, created = Alert.objects.get_or_create(key=alert.key, defaults=fields)
            if created:
                raised.append(row)
        Alert.objects.filter(pk__in=[a.pk for a in run.resolved], resolved__isnull=True).update(resolved=now)
        run.raised = raised
        run.mails = _queue_mails(raised, now, dry_run=False)
    return run


def check_alerts(
    options: AlertOptions | None = None, *, now: datetime | None = None, dry_run: bool = False
) -> AlertRun:
    """One pass (options default to the alert settings, docs/deployment.md): plan, then apply unless ``dry_run``."""
    at = now or current_clock().now()
    return apply_plan(plan_alerts(at, options or AlertOptions.from_settings(settings)), at, dry_run=dry_run)
