"""The inbox and task page cost a fixed number of queries, however many tasks there are."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicflow.runtime import services
from civicflow.runtime.models import ProcessInstance, UserTask
from support.workbench import signed_in

pytestmark = pytest.mark.django_db

INBOX_QUERIES = 7  # session, user, count, groups (role and departments), notification setting, services, the page
# session, user, groups (the policy's role), task with case, variables, form, candidates, colleagues, documents,
# and the audit entry of the read (savepoint, head row locked, entry, head moved, savepoint released)
TASK_QUERIES = 14


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _more_cases(first: int, last: int) -> None:
    for number in range(first, last):
        services.start_instance(
            "building_permit", business_key=f"BP-{number}", variables={"caseNumber": f"BP-{number}"}
        )


def test_inbox_queries_do_not_grow_with_the_tasks(
    permit_case: ProcessInstance, intake_task: UserTask, caseworker: Any
) -> None:
    client = signed_in(caseworker)
    client.post(reverse("workbench:claim", args=[intake_task.pk]))
    few = _queries(client, "/workbench/")
    _more_cases(2, 40)  # more than a page of 25
    many = _queries(client, "/workbench/")
    assert few == many <= INBOX_QUERIES
    task = UserTask.objects.filter(element_id="check_completeness").exclude(pk=intake_task.pk).first()
    assert task is not None
    assert _queries(client, reverse("workbench:task", args=[task.pk])) <= TASK_QUERIES
    assert _queries(client, reverse("workbench:task", args=[intake_task.pk])) <= TASK_QUERIES


def test_inbox_actions_share_one_form_and_say_which_task(
    permit_case: ProcessInstance, intake_task: UserTask, caseworker: Any
) -> None:
    _more_cases(2, 5)
    client = signed_in(caseworker, csrf=True)
    client.get("/workbench/")
    client.post(
        reverse("workbench:claim", args=[intake_task.pk]), {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    )
    page = client.get("/workbench/?sort=created").content.decode()
    start = page.index('id="inbox-actions"')
    table = page[start : page.index("</form>", start)]
    assert table.count('name="csrfmiddlewaretoken"') == 1
    unclaim = reverse("workbench:unclaim", args=[intake_task.pk])
    assert re.search(rf'formaction="{unclaim}" name="next" value="/workbench/\?sort=created"', table)
    claims = re.findall(
        r'formaction="(/workbench/tasks/\d+/claim)"[^>]*>Claim<span class="govuk-visually-hidden"> ([^<]+)</span>',
        table,
    )
    assert len(claims) == 3
    assert {label.split(", ")[1] for _url, label in claims} == {"BP-2", "BP-3", "BP-4"}
