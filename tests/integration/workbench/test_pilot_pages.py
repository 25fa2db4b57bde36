"""The workbench's pilot pages (issue #14): start by form, refusals in the error summary, the
dashboard's figures for both versions, adopt and stop by POST, and who may do what."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from civicflow.kpi import Comparison, Interval, Measure, MeasureComparison
from civicflow.pilots import service as pilots
from civicflow.pilots.models import Pilot, PilotAssignment, PilotStatus
from civicflow.runtime import services
from civicflow.runtime.kpi_projection import catch_up
from civicflow.runtime.models import ProcessInstance
from civicflow.security.models import AuditEntry
from civicflow.workbench.views._pilot_dashboard import statement
from support.pilots import PROCESS, deploy_versions
from support.workbench import signed_in, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions(db: Any) -> None:
    deploy_versions()


@pytest.fixture
def admin(db: Any) -> User:
    return staff("paul", "process-admins")


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def test_start_by_form_then_the_list_shows_it(versions: None, admin: User) -> None:
    client = signed_in(admin, csrf=True)
    page = client.get("/workbench/pilots/")
    assert page.status_code == 200
    assert b"There are no pilots yet" in page.content
    assert b'href="/workbench/pilots/" aria-current="page">Pilots</a>' in page.content  # the menu entry
    token = page.cookies["csrftoken"].value
    form = {"process": PROCESS, "candidate": "2", "current": "", "share": "30", "rule": "", "note": "parallel reviews"}
    response = client.post("/workbench/pilots/start", {**form, "csrfmiddlewaretoken": token})
    started = Pilot.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/workbench/pilots/{started.pk}/"
    assert (started.current.version, started.candidate.version, str(started.share)) == (1, 2, "0.3000")
    assert started.started_by == f"user:{admin.pk}"
    assert AuditEntry.objects.get(action="PilotStarted").actor == f"user:{admin.pk}"
    for i in range(20):
        services.start_instance(PROCESS, business_key=f"L-{i}")
    candidate = PilotAssignment.objects.filter(pilot=started, candidate=True).count()
    html = client.get("/workbench/pilots/").content.decode()
    assert f'href="/workbench/pilots/{started.pk}/">{PROCESS}<' in html
    listed = _text(html.encode())
    assert f"{20 - candidate}, {candidate}" in listed  # new cases per version
    assert "30.0%" in listed
    assert "running" in listed


def test_refusals_show_in_the_error_summary(versions: None, admin: User) -> None:
    client = signed_in(admin)
    bad = client.post("/workbench/pilots/start", {"process": PROCESS, "candidate": "two", "share": "130"})
    assert bad.status_code == 400
    assert b"govuk-error-summary" in bad.content
    assert b'href="#candidate"' in bad.content
    tiny = client.post("/workbench/pilots/start", {"process": PROCESS, "candidate": "2", "share": "0.001"})
    assert b"percentage from 0.01 to 100" in tiny.content  # four decimals of a share would round it to none
    assert b'href="#share"' in bad.content
    same = client.post("/workbench/pilots/start", {"process": PROCESS, "candidate": "2", "current": "2", "share": "30"})
    assert same.status_code == 400
    assert b"the candidate and the current version are the same" in same.content
    missing = client.post("/workbench/pilots/start", {"process": PROCESS, "candidate": "9", "share": "30"})
    assert b"no deployed process &#x27;building_permit&#x27; version 9" in missing.content
    rule = client.post("/workbench/pilots/start", {"process": PROCESS, "candidate": "2", "share": "30", "rule": "x ="})
    assert b"the rule is not FEEL" in rule.content
    assert not Pilot.objects.exists()


def test_the_dashboard_shows_both_versions(versions: None) -> None:
    head = staff("hanna", "intake", "intake-head")  # heads read pilots, do not manage them
    pilot = pilots.start(PROCESS, candidate=2, share="0.5", actor="user:analyst")
    started = [services.start_instance(PROCESS, business_key=f"K-{i}") for i in range(30)]
    for instance in started[:20]:
        services.cancel_instance(instance.pk)
    catch_up()
    arms = dict(PilotAssignment.objects.filter(pilot=pilot).values_list("instance_id", "candidate"))
    on_candidate = sum(1 for c in arms.values() if c)
    finished = {i.pk for i in started[:20]}
    finished_candidate = sum(1 for pk in finished if arms[pk])
    response = signed_in(head).get(f"/workbench/pilots/{pilot.pk}/")
    assert response.status_code == 200
    text = _text(response.content)
    assert "version 2 against version 1" in text
    assert f"Current (version 1) {30 - on_candidate}" in text
    assert f"Candidate (version 2) {on_candidate}" in text
    html = response.content.decode()
    incidents = re.search(r'data-measure="incidents">(.*?)</tr>', html, re.S)
    assert incidents is not None
    row = _text(incidents.group(1).encode())
    # cancelled cases are finished: the incident rate is measured on them, per version
    assert f"{20 - finished_candidate}, {finished_candidate}" in row
    assert "two-proportion z (two-sided)" in row
    processing = re.search(r'data-measure="processing">(.*?)</tr>', html, re.S)
    assert processing is not None
    assert "Mann-Whitney U (two-sided)" in processing.group(1)
    assert "Not enough finished cases yet (needs at least 5 finished cases per version)." in processing.group(1)
    assert "<svg" in html
    assert "bar 1 the current version, bar 2 the candidate" in html
    assert "Adopt the candidate" not in html  # a head may not manage pilots
    dutch = signed_in(head, "nl").get(f"/workbench/pilots/{pilot.pk}/").content.decode()
    assert "Bij elk cijfer staat het 95%-interval" in dutch
    assert "Nog niet genoeg afgeronde zaken (minstens 5 afgeronde zaken per versie nodig)." in dutch


def test_adopt_with_migration_and_stop_by_post(versions: None, admin: User) -> None:
    client = signed_in(admin)
    pilot = pilots.start(PROCESS, candidate=2, share="0.5", actor="user:analyst")
    for i in range(12):
        services.start_instance(PROCESS, business_key=f"R-{i}")
    assert ProcessInstance.objects.filter(definition__version=1, status="active").exists()
    page = client.get(f"/workbench/pilots/{pilot.pk}/")
    assert b"Adopt the candidate" in page.content
    assert b"Stop the pilot" in page.content
    response = client.post(f"/workbench/pilots/{pilot.pk}/adopt", {"migrate": "yes"}, follow=True)
    assert response.status_code == 200
    pilot.refresh_from_db()
    assert (pilot.status, pilot.ended_by) == (PilotStatus.ADOPTED, f"user:{admin.pk}")
    assert not ProcessInstance.objects.filter(definition__version=1, status="active").exists()
    text = _text(response.content)
    assert "The candidate is adopted" in text
    assert "running cases moved to it" in text
    assert "adopted by paul on" in text
    assert "Adopt the candidate" not in text
    again = client.post(f"/workbench/pilots/{pilot.pk}/stop", follow=True)
    assert "The pilot was not stopped: pilot" in _text(again.content)
    second = pilots.start(PROCESS, candidate=2, share="0.5", actor="user:analyst")
    stopped = client.post(f"/workbench/pilots/{second.pk}/stop", follow=True)
    assert "The pilot has stopped" in _text(stopped.content)
    second.refresh_from_db()
    assert second.status == PilotStatus.STOPPED
    assert (
        list(AuditEntry.objects.filter(object_type="pilot").values_list("action", flat=True)).count("PilotStopped") == 1
    )
    assert client.post("/workbench/pilots/999999/stop").status_code == 404


def test_a_caseworker_may_not_see_or_change_pilots(versions: None) -> None:
    pilot = pilots.start(PROCESS, candidate=2, share="0.5", actor="user:analyst")
    client = signed_in(staff("ingrid", "intake"))
    assert client.get("/workbench/pilots/").status_code == 403
    assert client.get(f"/workbench/pilots/{pilot.pk}/").status_code == 403
    assert client.post(f"/workbench/pilots/{pilot.pk}/stop").status_code == 403
    assert (
        client.post("/workbench/pilots/start", {"process": PROCESS, "candidate": "2", "share": "30"}).status_code == 403
    )
    assert b"/workbench/pilots/" not in client.get("/workbench/").content  # no menu entry
    pilot.refresh_from_db()
    assert pilot.status == PilotStatus.RUNNING


def _measure(p_value: float | None, current: float, candidate: float, note: str = "") -> MeasureComparison:
    return MeasureComparison(
        measure=Measure.PROCESSING,
        current=Interval(estimate=current, low=None, high=None),
        candidate=Interval(estimate=candidate, low=None, high=None),
        counts=(40, 40),
        test=Comparison(test="Mann-Whitney U (two-sided)", statistic=1.0, p_value=p_value, note=note),
    )


def test_the_statement_says_what_the_difference_means() -> None:
    with translation.override("en"):
        assert statement(_measure(0.003, 5 * 86400, 3 * 86400)) == "The candidate is better (significant, p = 0.003)."
        assert statement(_measure(0.02, 3 * 86400, 5 * 86400)) == "The candidate is worse (significant, p = 0.02)."
        assert statement(_measure(0.41, 5 * 86400, 4 * 86400)) == "No significant difference yet (p = 0.41)."
        assert statement(_measure(0.0001, 5.0, 3.0)) == "The candidate is better (significant, p < 0.001)."
        waiting = _measure(None, 1.0, 2.0, note="needs at least 5 finished cases per version")
        assert statement(waiting) == "Not enough finished cases yet (needs at least 5 finished cases per version)."
    with translation.override("nl"):
        assert statement(_measure(0.41, 5.0, 4.0)) == "Nog geen significant verschil (p = 0,41)."
