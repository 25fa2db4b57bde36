"""Every workbench page and action through Django's test client, permissions and CSRF included."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicflow.runtime import services
from civicflow.runtime.models import Incident, ProcessInstance, TaskState, UserTask
from civicflow.workbench._departments import reference_department_groups
from civicflow.workbench.models import Comment
from support.workbench import PASSWORD, signed_in, staff

pytestmark = pytest.mark.django_db


def _h1(response: Any) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.DOTALL)
    assert match, response.content.decode()
    return match.group(1).strip()


def _page_urls(task: UserTask) -> list[str]:
    return [
        reverse("workbench:index"),
        reverse("workbench:task", args=[task.pk]),
        reverse("workbench:case", args=[task.instance_id]),
        reverse("workbench:incidents"),
        reverse("workbench:deploy"),
    ]


def test_reference_departments_exist_as_groups() -> None:
    names = set(Group.objects.values_list("name", flat=True))
    assert {"intake", "zoning", "zoning-head", "fire-safety", "permits"} <= names
    assert set(reference_department_groups()) <= names


def test_anonymous_visitors_are_sent_to_sign_in(intake_task: UserTask) -> None:
    for url in _page_urls(intake_task):
        response = Client().get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith(reverse("workbench:login") + "?next=")


def test_signed_in_account_without_staff_flag_is_refused(intake_task: UserTask) -> None:
    citizen = staff("carla", "intake", is_staff=False)
    assert signed_in(citizen).get(reverse("workbench:index")).status_code == 403


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_page_renders_in_both_languages(intake_task: UserTask, caseworker: Any, language: str) -> None:
    # incidents and deploy are the process administrators' (civicflow.security.policy)
    caseworker.groups.add(Group.objects.get_or_create(name="process-admins")[0])
    client = signed_in(caseworker, language)
    for url in _page_urls(intake_task):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}"' in response.content.decode()
    assert _h1(client.get(reverse("workbench:index"))) == {"en": "Inbox", "nl": "Werkvoorraad"}[language]


def test_sign_in_page_and_wrong_password(caseworker: Any) -> None:
    client = Client()
    assert client.get(reverse("workbench:login")).status_code == 200
    wrong = client.post(reverse("workbench:login"), {"username": "ingrid", "password": "nope"})
    assert wrong.status_code == 200
    assert "govuk-error-summary" in wrong.content.decode()
    right = client.post(reverse("workbench:login"), {"username": "ingrid", "password": PASSWORD})
    assert right.status_code == 302
    assert right.headers["Location"] == reverse("workbench:index")
    assert client.get(reverse("workbench:index")).status_code == 200
    out = client.post(reverse("workbench:logout"))
    assert out.status_code == 302
    assert client.get(reverse("workbench:index")).status_code == 302


def test_inbox_lists_the_departments_tasks_only(intake_task: UserTask, caseworker: Any, outsider: Any) -> None:
    mine = signed_in(caseworker).get(reverse("workbench:index")).content.decode()
    assert reverse("workbench:task", args=[intake_task.pk]) in mine
    theirs = signed_in(outsider).get(reverse("workbench:index")).content.decode()
    assert reverse("workbench:task", args=[intake_task.pk]) not in theirs
    assert 'id="no-tasks"' in theirs


def test_other_departments_task_and_case_are_not_found(intake_task: UserTask, outsider: Any) -> None:
    client = signed_in(outsider)
    assert client.get(reverse("workbench:task", args=[intake_task.pk])).status_code == 404
    assert client.get(reverse("workbench:case", args=[intake_task.instance_id])).status_code == 404
    assert client.post(reverse("workbench:claim", args=[intake_task.pk])).status_code == 404
    intake_task.refresh_from_db()
    assert intake_task.assignee is None


def test_a_task_assigned_by_name_is_listed_for_that_user(intake_task: UserTask, outsider: Any) -> None:
    UserTask.objects.filter(pk=intake_task.pk).update(assignee="frank")
    assert reverse("workbench:task", args=[intake_task.pk]) in signed_in(outsider).get("/workbench/").content.decode()


def test_filters_and_sorting(permit_case: ProcessInstance, intake_task: UserTask, caseworker: Any) -> None:
    client = signed_in(caseworker)
    link = reverse("workbench:task", args=[intake_task.pk])
    assert link in client.get("/workbench/?status=unclaimed&service=building_permit").content.decode()
    assert link not in client.get("/workbench/?status=mine").content.decode()
    assert link not in client.get("/workbench/?service=tax_refund").content.decode()
    assert link in client.get("/workbench/?priority=normal&sort=priority").content.decode()
    assert link not in client.get("/workbench/?priority=high&sort=created").content.decode()
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    later = (intake_task.due + timedelta(days=1)).date().isoformat()
    assert link not in client.get(f"/workbench/?due_before={tomorrow}").content.decode()
    assert link in client.get(f"/workbench/?due_before={later}").content.decode()
    # unknown choices fall back instead of failing
    assert client.get("/workbench/?status=bogus&sort=bogus&priority=x").status_code == 200


def test_an_unreadable_due_date_is_an_error_with_a_summary(intake_task: UserTask, caseworker: Any) -> None:
    response = signed_in(caseworker).get("/workbench/?due_before=someday")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#due_before"' in html
    assert "govuk-error-summary" in html


def test_pagination(permit_case: ProcessInstance, intake_task: UserTask, caseworker: Any) -> None:
    for number in range(2, 28):
        services.start_instance(
            "building_permit", business_key=f"BP-{number}", variables={"caseNumber": f"BP-{number}"}
        )
    client = signed_in(caseworker)
    first = client.get("/workbench/?sort=created").content.decode()
    second = client.get("/workbench/?sort=created&page=2").content.decode()
    assert first.count("workbench/tasks/") // 2 >= 25
    assert "27 tasks" in first
    assert 'rel="next"' in first
    assert 'rel="prev"' in second
    assert second.count('class="govuk-table__row"') == 1 + 2  # header + two tasks


def test_claim_unclaim_and_delegate(intake_task: UserTask, caseworker: Any, colleague: Any) -> None:
    client = signed_in(caseworker)
    claim = client.post(reverse("workbench:claim", args=[intake_task.pk]))
    assert claim.status_code == 302
    intake_task.refresh_from_db()
    assert intake_task.assignee == "ingrid"
    # someone else cannot take it over or give it back
    other = signed_in(colleague)
    other.post(reverse("workbench:claim", args=[intake_task.pk]))
    other.post(reverse("workbench:unclaim", args=[intake_task.pk]))
    intake_task.refresh_from_db()
    assert intake_task.assignee == "ingrid"
    client.post(reverse("workbench:unclaim", args=[intake_task.pk]))
    intake_task.refresh_from_db()
    assert intake_task.assignee is None
    client.post(reverse("workbench:delegate", args=[intake_task.pk]), {"colleague": "ivo"})
    intake_task.refresh_from_db()
    assert intake_task.assignee == "ivo"


def test_delegate_only_to_a_colleague_of_the_department(intake_task: UserTask, caseworker: Any, outsider: Any) -> None:
    client = signed_in(caseworker)
    client.post(reverse("workbench:claim", args=[intake_task.pk]))
    response = client.post(reverse("workbench:delegate", args=[intake_task.pk]), {"colleague": "frank"})
    assert response.status_code == 302
    intake_task.refresh_from_db()
    assert intake_task.assignee == "ingrid"


def test_unclaim_does_not_redirect_off_site(intake_task: UserTask, caseworker: Any) -> None:
    client = signed_in(caseworker)
    client.post(reverse("workbench:claim", args=[intake_task.pk]))
    response = client.post(reverse("workbench:unclaim", args=[intake_task.pk]), {"next": "https://evil.example/"})
    assert response.headers["Location"] == reverse("workbench:index")


def test_task_page_shows_the_form_and_case_data(intake_task: UserTask, caseworker: Any) -> None:
    client = signed_in(caseworker)
    before = client.get(reverse("workbench:task", args=[intake_task.pk])).content.decode()
    assert "Claim this task" in before
    assert "floorArea" in before  # the case data
    client.post(reverse("workbench:claim", args=[intake_task.pk]))
    html = client.get(reverse("workbench:task", args=[intake_task.pk])).content.decode()
    assert 'name="documentsComplete"' in html
    assert "Is the application complete?" in html
    dutch = signed_in(caseworker, "nl").get(reverse("workbench:task", args=[intake_task.pk])).content.decode()
    assert "Is de aanvraag volledig?" in dutch


def test_completing_needs_a_claim(intake_task: UserTask, caseworker: Any) -> None:
    client = signed_in(caseworker)
    response = client.post(reverse("workbench:task", args=[intake_task.pk]), {"documentsComplete": "true"})
    assert response.status_code == 302
    intake_task.refresh_from_db()
    assert intake_task.state == TaskState.CREATED


def test_invalid_form_shows_the_error_summary(intake_task: UserTask, caseworker: Any) -> None:
    client = signed_in(caseworker)
    client.post(reverse("workbench:claim", args=[intake_task.pk]))
    response = client.post(reverse("workbench:task", args=[intake_task.pk]), {})
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html
    assert 'href="#field-documentsComplete"' in html
    assert "govuk-error-message" in html
    intake_task.refresh_from_db()
    assert intake_task.state == TaskState.CREATED


def test_complete_a_task_moves_the_case_on(
    permit_case: ProcessInstance, intake_task: UserTask, caseworker: Any
) -> None:
    client = signed_in(caseworker)
    client.post(reverse("workbench:claim", args=[intake_task.pk]))
    response = client.post(reverse("workbench:task", args=[intake_task.pk]), {"documentsComplete": "true"})
    assert response.status_code == 302
    intake_task.refresh_from_db()
    assert intake_task.state == TaskState.COMPLETED
    assert intake_task.completed_by == "ingrid"
    assert services.variables(permit_case.pk)["documentsComplete"] is True
    case = client.get(reverse("workbench:case", args=[permit_case.pk])).content.decode()
    assert "ingrid" in case  # who did what
    assert "Check completeness" in case


def test_case_page_shows_timeline_waits_and_diagram_data(permit_case: ProcessInstance, caseworker: Any) -> None:
    html = signed_in(caseworker).get(reverse("workbench:case", args=[permit_case.pk])).content.decode()
    assert "Case BP-1" in html
    assert "Case started" in html
    waits = re.search(r'<ul class="govuk-list govuk-list--bullet" id="active-elements">(.*?)</ul>', html, re.DOTALL)
    assert waits
    assert "Check completeness" in waits.group(1)
    assert '<script id="case-diagram-data" type="application/json">' in html
    assert "check_completeness" in html
    # no inline script: everything runs from files the CSP allows
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert all("src=" in attributes or 'type="application/json"' in attributes for attributes in scripts)


def test_comments(permit_case: ProcessInstance, caseworker: Any) -> None:
    client = signed_in(caseworker)
    url = reverse("workbench:comment", args=[permit_case.pk])
    empty = client.post(url, {"comment": "  "})
    assert empty.status_code == 400
    assert 'href="#comment"' in empty.content.decode()
    too_long = client.post(url, {"comment": "x" * 5001})
    assert too_long.status_code == 400
    added = client.post(url, {"comment": "Called the applicant <b>today</b>"})
    assert added.status_code == 302
    assert Comment.objects.get().author_name == "ingrid"
    html = client.get(reverse("workbench:case", args=[permit_case.pk])).content.decode()
    assert "Called the applicant &lt;b&gt;today&lt;/b&gt;" in html


def test_incidents_list_and_retry(permit_case: ProcessInstance) -> None:
    incident = Incident.objects.create(
        instance=permit_case,
        key=999,
        element_instance=1,
        element_id="check_completeness",
        kind="job",
        message="connection refused",
        created=timezone.now(),
    )
    assert signed_in(staff("ingrid", "intake")).get(reverse("workbench:incidents")).status_code == 403
    client = signed_in(staff("paul", "process-admins"))
    html = client.get(reverse("workbench:incidents")).content.decode()
    assert "connection refused" in html
    response = client.post(reverse("workbench:retry", args=[incident.pk]))
    assert response.status_code == 302
    assert client.post(reverse("workbench:retry", args=[12345])).status_code == 302
    assert "govuk-notification-banner" in client.get(reverse("workbench:incidents")).content.decode()


def test_deploy_page_versions_and_validation_report(permit_case: ProcessInstance, caseworker: Any) -> None:
    assert signed_in(caseworker).get(reverse("workbench:deploy")).status_code == 403
    client = signed_in(staff("paul", "process-admins"))
    html = client.get(reverse("workbench:deploy")).content.decode()
    assert "building_permit" in html
    nothing = client.post(reverse("workbench:deploy"), {})
    assert nothing.status_code == 400
    assert 'href="#files"' in nothing.content.decode()
    wrong_type = client.post(reverse("workbench:deploy"), {"files": SimpleUploadedFile("x.exe", b"MZ")})
    assert wrong_type.status_code == 400
    broken = SimpleUploadedFile("broken.bpmn", b"<definitions>")
    refused = client.post(reverse("workbench:deploy"), {"files": broken})
    assert refused.status_code == 400
    assert 'id="report"' in refused.content.decode()
    assert "broken.bpmn" in refused.content.decode()
    form = SimpleUploadedFile(
        "note.form", b'{"id": "note", "components": [{"type": "textfield", "key": "n", "label": "N"}]}'
    )
    accepted = client.post(reverse("workbench:deploy"), {"files": form})
    assert accepted.status_code == 200
    assert "govuk-panel" in accepted.content.decode()


def test_posts_without_a_csrf_token_are_refused(intake_task: UserTask, caseworker: Any) -> None:
    client = signed_in(caseworker, csrf=True)
    urls = [
        reverse("workbench:claim", args=[intake_task.pk]),
        reverse("workbench:unclaim", args=[intake_task.pk]),
        reverse("workbench:delegate", args=[intake_task.pk]),
        reverse("workbench:task", args=[intake_task.pk]),
        reverse("workbench:comment", args=[intake_task.instance_id]),
        reverse("workbench:retry", args=[1]),
        reverse("workbench:deploy"),
        reverse("workbench:logout"),
    ]
    for url in urls:
        assert client.post(url, {}).status_code == 403, url
    intake_task.refresh_from_db()
    assert intake_task.assignee is None


def test_create_departments_command_is_idempotent() -> None:
    from django.core.management import call_command

    Group.objects.filter(name="heritage").delete()
    call_command("create_departments")
    assert Group.objects.filter(name="heritage").exists()
    call_command("create_departments")
    assert Group.objects.filter(name="heritage").count() == 1


def test_the_menu_offers_only_what_the_policy_allows(intake_task: UserTask, caseworker: Any) -> None:
    menu_links = re.compile(r'id="workbench-navigation".*?</ul>', re.S)
    deploy, incidents = reverse("workbench:deploy"), reverse("workbench:incidents")
    page = menu_links.search(signed_in(caseworker).get(reverse("workbench:index")).content.decode())
    assert page is not None
    assert f'href="{deploy}"' not in page.group()
    assert f'href="{incidents}"' not in page.group()
    assert f'href="{reverse("workbench:kpi")}"' in page.group()
    caseworker.groups.add(Group.objects.get_or_create(name="process-admins")[0])
    page = menu_links.search(signed_in(caseworker).get(reverse("workbench:index")).content.decode())
    assert page is not None
    assert f'href="{deploy}"' in page.group()
    assert f'href="{incidents}"' in page.group()
