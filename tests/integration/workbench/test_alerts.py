"""KPI alerts on the real database: due dates to the department queue, stage SLA breaches to the head.

Tasks come from a deployed building permit (the completeness check is due five days after it
is created); stage figures come from hand-made KPI read-model rows, so the compliance rate is
known exactly.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from typer.testing import CliRunner

from civicflow.cli.app import app
from civicflow.runtime import services
from civicflow.runtime.models import KpiCase, KpiStage, UserTask
from civicflow.services import service
from civicflow.web.models import QueuedMail
from civicflow.workbench import alerts_step, check_alerts
from civicflow.workbench._alerts_options import AlertConfigError, AlertOptions
from civicflow.workbench._digest import opt_in
from civicflow.workbench.models import Alert, AlertKind
from support.workbench import APPLICATION, signed_in, staff

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

OPTIONS = AlertOptions()  # 20% of the allowed time left; 80% SLA over 30 days, at least 5 finished


def _member(name: str, group: str, *, notify: bool, email: bool = True) -> User:
    user = staff(name, group)
    if email:
        user.email = f"{name}@example.org"
        user.save()
    if notify:
        opt_in(user, "en")
    return user


def _mails() -> list[QueuedMail]:
    return list(QueuedMail.objects.filter(key__startswith="workbench:alerts:").order_by("id"))


def test_a_task_nearing_its_due_date_alerts_its_department_once(intake_task: UserTask) -> None:
    ingrid = _member("ingrid", "intake", notify=True)
    _member("ivo", "intake", notify=False)  # in the department, did not opt in: no mail
    _member("ines", "intake", notify=True, email=False)  # opted in once, has no address now
    _member("frank", "fire-safety", notify=True)  # opted in, another department
    assert intake_task.due is not None
    allowed = intake_task.due - intake_task.created
    assert abs(allowed - timedelta(days=5)) < timedelta(seconds=5)

    early = check_alerts(OPTIONS, now=intake_task.created + allowed * 0.7)  # 30% left
    assert early.raised == []
    assert Alert.objects.count() == 0

    near = intake_task.created + allowed * 0.9  # 10% left
    run = check_alerts(OPTIONS, now=near)
    (alert,) = Alert.objects.all()
    assert [a.pk for a in run.raised] == [alert.pk]
    assert (alert.kind, alert.department, alert.task_id, alert.case) == (
        AlertKind.TASK_DUE,
        "intake",
        intake_task.pk,
        "BP-1",
    )
    assert alert.resolved is None
    assert "Check completeness" in alert.message
    (mail,) = _mails()
    assert mail.to == ingrid.email
    assert run.mails == [ingrid.email]
    assert "Check completeness" in mail.body
    assert "/workbench/alerts" in mail.body

    again = check_alerts(OPTIONS, now=near + timedelta(minutes=5))
    assert again.raised == []
    assert Alert.objects.count() == 1
    assert len(_mails()) == 1

    services.claim_task(intake_task.pk, "ingrid")
    services.complete_task(intake_task.pk, {"documentsComplete": True}, user="ingrid")
    done = check_alerts(OPTIONS, now=near + timedelta(minutes=10))
    assert [a.pk for a in done.resolved] == [alert.pk]
    alert.refresh_from_db()
    assert alert.resolved == near + timedelta(minutes=10)
    assert len(_mails()) == 1  # a resolution is not mailed


def test_one_mail_per_member_names_twenty_alerts_and_counts_the_rest(permit_case: Any) -> None:
    ingrid = _member("ingrid", "intake", notify=True)
    permit = service("building_permit")
    for n in range(2, 23):  # 21 more cases: 22 tasks in Intake's queue
        services.start_instance(permit.process_id, business_key=f"BP-{n}", variables=APPLICATION)
    latest = max(task.due for task in UserTask.objects.all() if task.due is not None)
    run = check_alerts(OPTIONS, now=latest - timedelta(hours=1))
    assert len(run.raised) == 22
    (mail,) = _mails()
    assert mail.to == ingrid.email
    assert mail.subject == "22 alerts for your departments"
    assert mail.body.count("\n- Task “Check completeness”") == 20
    assert "and 2 more alerts" in mail.body


def test_an_overdue_task_alerts_once_with_overdue_wording(intake_task: UserTask) -> None:
    assert intake_task.due is not None
    check_alerts(OPTIONS, now=intake_task.due + timedelta(hours=1))
    check_alerts(OPTIONS, now=intake_task.due + timedelta(hours=2))
    (alert,) = Alert.objects.all()
    assert "was due" in alert.message
    assert _mails() == []  # nobody opted in


def _stage_rows(count: int, *, late: int, ended: datetime, element: str = "zoning_review") -> None:
    """``count`` finished activations of the building permit's ``element``, ``late`` of them past its 10 days."""
    for n in range(count):
        case = uuid.uuid4()
        took = timedelta(days=12) if n < late else timedelta(days=4)
        KpiCase.objects.create(instance_id=case, service="building_permit", started=ended - took - timedelta(days=1))
        KpiStage.objects.create(
            instance_id=case,
            key=1,
            case_id=case,
            service="building_permit",
            element=element,
            started=ended - took,
            ended=ended,
        )


def _stage_alerts() -> list[Alert]:
    return list(Alert.objects.filter(kind=AlertKind.STAGE_SLA).order_by("id"))


def test_a_stage_below_its_threshold_alerts_its_head_once_per_breach_episode(db: Any) -> None:
    head = _member("hanna", "zoning-head", notify=True)
    _member("zeno", "zoning", notify=True)  # the department, not its head: no stage mail
    now = datetime.now(UTC).replace(microsecond=0)
    _stage_rows(10, late=3, ended=now - timedelta(days=2))  # 7 of 10 within target: 70% < 80%

    run = check_alerts(OPTIONS, now=now)
    (alert,) = _stage_alerts()
    assert [a.pk for a in run.raised] == [alert.pk]
    assert (alert.department, alert.service, alert.element) == ("zoning-head", "building_permit", "zoning_review")
    assert (alert.rate, alert.threshold, alert.finished, alert.window_days) == (0.7, 0.8, 10, 30)
    assert alert.message == (
        "Zoning review (Building permit): 70% of the 10 finished in the last 30 days were within the target, "
        "below the threshold of 80%."
    )
    assert [m.to for m in _mails()] == [head.email]
    page = signed_in(head).get("/workbench/alerts").content.decode()
    assert 'href="/workbench/kpi/building_permit/"' in page  # the stage alert links to the service's figures

    check_alerts(OPTIONS, now=now + timedelta(minutes=1))  # still breaching: the same episode
    assert len(_stage_alerts()) == 1
    assert len(_mails()) == 1

    _stage_rows(10, late=0, ended=now - timedelta(days=1))  # 17 of 20: 85%, recovered
    recovered = check_alerts(OPTIONS, now=now + timedelta(minutes=2))
    assert [a.pk for a in recovered.resolved] == [alert.pk]
    assert recovered.raised == []
    alert.refresh_from_db()
    assert alert.resolved is not None

    _stage_rows(5, late=5, ended=now)  # 17 of 25: 68%, a new breach
    again = check_alerts(OPTIONS, now=now + timedelta(minutes=3))
    first, second = _stage_alerts()
    assert [a.pk for a in again.raised] == [second.pk]
    assert first.key.endswith(":1")
    assert second.key.endswith(":2")
    assert second.resolved is None
    assert second.rate == pytest.approx(17 / 25)
    assert len(_mails()) == 2


def test_stage_thresholds_per_stage_and_the_minimum_sample(db: Any) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    _stage_rows(10, late=3, ended=now - timedelta(days=2))  # 70%
    _stage_rows(4, late=4, ended=now - timedelta(days=2), element="fire_review")  # 0%, but only 4 finished
    lenient = AlertOptions(sla_overrides={"building_permit.zoning_review": 0.6})
    assert check_alerts(lenient, now=now).raised == []
    strict = AlertOptions(sla_overrides={"building_permit": 0.75}, sla_min_completed=4)
    raised = check_alerts(strict, now=now).raised
    assert sorted((a.element, a.department) for a in raised) == [
        ("fire_review", "fire-safety-head"),
        ("zoning_review", "zoning-head"),
    ]


def test_the_command_dry_run_writes_nothing_then_raises(intake_task: UserTask) -> None:
    runner = CliRunner()
    assert intake_task.due is not None
    # the command runs at the wall clock: move the task so that 10% of its time is left now
    now = datetime.now(UTC)
    UserTask.objects.filter(pk=intake_task.pk).update(created=now - timedelta(days=9), due=now + timedelta(days=1))
    dry = runner.invoke(app, ["kpi", "alerts", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would raise task_due for intake: Task “Check completeness” of case BP-1 is due on" in dry.output
    assert "1 raised, 0 resolved, 0 mail(s) (dry run: nothing written)" in dry.output
    assert Alert.objects.count() == 0
    real = runner.invoke(app, ["kpi", "alerts", "--json"])
    assert real.exit_code == 0, real.output
    payload = json.loads(real.output)
    assert [(a["action"], a["kind"], a["group"]) for a in payload["alerts"]] == [("raise", "task_due", "intake")]
    assert Alert.objects.count() == 1


def test_the_worker_runs_the_alert_pass_as_a_periodic_step(intake_task: UserTask) -> None:
    from civicflow.cli._worker import _kpi_steps  # the steps `civicflow worker` is given

    now = datetime.now(UTC)
    UserTask.objects.filter(pk=intake_task.pk).update(created=now - timedelta(days=9), due=now + timedelta(days=1))
    steps = {getattr(step, "__name__", ""): step for step in _kpi_steps()}
    steps["kpi_alerts"]()
    assert Alert.objects.filter(kind=AlertKind.TASK_DUE, task_id=intake_task.pk).count() == 1
    steps["kpi_alerts"]()  # throttled to CIVICFLOW_ALERT_INTERVAL, and idempotent anyway
    assert Alert.objects.count() == 1


def test_bad_settings_stop_the_worker_step_and_the_command_with_one_line() -> None:
    with (
        override_settings(CIVICFLOW_ALERT_SLA_THRESHOLD="80,building_permit.zoning_review=ninety"),
        pytest.raises(AlertConfigError, match="CIVICFLOW_ALERT_SLA_THRESHOLD"),
    ):
        alerts_step()
    with override_settings(CIVICFLOW_ALERT_DUE_PERCENT="0"):
        result = CliRunner().invoke(app, ["kpi", "alerts"])
    assert result.exit_code != 0
    assert result.output.strip().count("\n") == 0
    assert "CIVICFLOW_ALERT_DUE_PERCENT" in result.output


def test_the_alerts_page_shows_the_departments_alerts_with_a_link_to_the_task(intake_task: UserTask) -> None:
    caseworker = _member("ingrid", "intake", notify=False)
    outsider = _member("frank", "fire-safety", notify=False)
    assert intake_task.due is not None
    check_alerts(OPTIONS, now=intake_task.due - timedelta(hours=2))
    page = signed_in(caseworker).get("/workbench/alerts")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'href="/workbench/tasks/{intake_task.pk}"' in text
    assert "Task “Check completeness” of case BP-1 is due on" in text
    dutch = signed_in(caseworker, "nl").get("/workbench/alerts").content.decode()
    assert "Taak “Check completeness” van zaak BP-1" in dutch
    other = signed_in(outsider).get("/workbench/alerts").content.decode()
    assert 'id="no-alerts"' in other
    assert "Check completeness" not in other
    assert signed_in(staff("nina", "intake", is_staff=False)).get("/workbench/alerts").status_code == 403
