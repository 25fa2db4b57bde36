"""Direct object references to other people's things fail (issue #11): another citizen's
application, another department's case and task (workbench and API), another topic's external
task; and a staff session in the API sends its CSRF token and acts as itself."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from civicflow.runtime.models import Job, UserTask
from support.authorization_world import World

pytestmark = pytest.mark.django_db


def _post_json(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_a_citizen_cannot_open_another_citizens_application(world: World) -> None:
    reference = world.application.reference
    pages = [
        ("GET", reverse("portal:application", args=[reference])),
        ("GET", reverse("portal:submitted", args=[reference])),
        ("GET", reverse("portal:document", args=[reference, world.issued.pk])),
        ("GET", reverse("portal:upload", args=[reference, world.upload.pk])),
        ("GET", reverse("portal:answer", args=[reference, world.request.pk])),
        ("POST", reverse("portal:answer", args=[reference, world.request.pk])),
        ("GET", reverse("portal:supply", args=[reference])),
        ("POST", reverse("portal:satisfaction", args=[reference])),
    ]
    bert = world.portal_client("other-citizen")
    for method, url in pages:
        response = bert.get(url) if method == "GET" else bert.post(url, {"note": "mine now"})
        assert response.status_code == 404, (method, url, response.status_code)
    # a wrong secret grants nothing either, and answers as an unknown reference does
    lookup = bert.post(reverse("portal:lookup"), {"reference": reference, "secret": "AAAA-AAAA-AAAA"})
    assert lookup.status_code == 404
    assert bert.get(pages[0][1]).status_code == 404
    assert UserTask.objects.get(pk=world.request.pk).state == "created"  # Bert's answer was not taken
    # Anna, and a session that gave the secret, see it
    assert world.portal_client("owner").get(pages[0][1]).status_code == 200
    secret = Client()
    assert (
        secret.post(reverse("portal:lookup"), {"reference": reference, "secret": "ABCD-EFGH-JKMN"}).status_code == 302
    )
    assert secret.get(pages[0][1]).status_code == 200


def test_a_caseworker_cannot_reach_another_departments_case_in_the_workbench(world: World) -> None:
    frank = world.client("caseworker-b")
    case, task, document = world.case, world.task, world.document
    urls = [
        ("GET", reverse("workbench:case", args=[case.pk])),
        ("GET", reverse("workbench:task", args=[task.pk])),
        ("POST", reverse("workbench:claim", args=[task.pk])),
        ("POST", reverse("workbench:comment", args=[case.pk])),
        ("GET", reverse("workbench:document", args=[case.pk, document.pk])),
    ]
    for method, url in urls:
        response = frank.get(url) if method == "GET" else frank.post(url, {"comment": "peek"})
        assert response.status_code in (403, 404), (method, url, response.status_code)
    assert UserTask.objects.get(pk=task.pk).assignee in (None, "")


def test_a_caseworker_cannot_reach_another_departments_task_through_the_api(world: World) -> None:
    frank, ingrid, task = world.client("caseworker-b"), world.client("caseworker-a"), world.task
    assert frank.get(f"/api/v1/tasks/{task.pk}").status_code == 404
    assert _post_json(frank, f"/api/v1/tasks/{task.pk}/claim", {"user": "frank"}).status_code == 404
    assert _post_json(frank, f"/api/v1/tasks/{task.pk}/complete", {"variables": {}}).status_code == 404
    assert UserTask.objects.get(pk=task.pk).assignee in (None, "")
    # the list shows each caseworker their department's tasks only
    assert task.pk not in [row["id"] for row in frank.get("/api/v1/tasks").json()]
    assert task.pk in [row["id"] for row in ingrid.get("/api/v1/tasks").json()]
    # the API's case reads are not filtered by department: only those who see every case read them
    assert ingrid.get(f"/api/v1/process-instances/{world.case.pk}").status_code == 403
    assert world.client("auditor").get(f"/api/v1/process-instances/{world.case.pk}").status_code == 200


def test_a_work_token_cannot_touch_another_topics_external_task(world: World) -> None:
    bearer = {"Authorization": f"Bearer {world.tokens['token-wrong-topic']}"}
    job = world.external
    client = Client()
    done = _post_json(client, f"/api/v1/external-tasks/{job.pk}/complete", {"workerId": "w", "variables": {}}, **bearer)
    assert done.status_code == 403
    assert "work:registry-lookup" in done.json()["detail"]
    many = _post_json(
        client, "/api/v1/external-tasks/complete", {"workerId": "w", "tasks": [{"id": job.pk}]}, **bearer
    ).json()
    assert [result["status"] for result in many["results"]] == [403]
    fetch = {"workerId": "w", "maxTasks": 1, "asyncResponseTimeout": 0}
    fetch["topics"] = [{"name": job.type, "lockDuration": 1000}]
    assert _post_json(client, "/api/v1/external-tasks/fetch-and-lock", fetch, **bearer).status_code == 403
    assert Job.objects.get(pk=job.pk).lock_owner in (None, "")  # untouched: still waiting for its worker
    # the token of the topic does fetch it
    mine = {"Authorization": f"Bearer {world.tokens['token-work']}"}
    fetched = _post_json(client, "/api/v1/external-tasks/fetch-and-lock", fetch, **mine)
    assert [task["id"] for task in fetched.json()] == [job.pk]


def test_a_staff_session_in_the_api_sends_its_csrf_token_and_acts_as_itself(world: World) -> None:
    ingrid = Client(enforce_csrf_checks=True)
    ingrid.cookies[settings.SESSION_COOKIE_NAME] = world.sessions["caseworker-a"]
    claim = f"/api/v1/tasks/{world.task.pk}/claim"
    refused = _post_json(ingrid, claim, {"user": "ingrid"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert UserTask.objects.get(pk=world.task.pk).assignee in (None, "")
    ingrid.get(reverse("workbench:index"))  # a page sets the CSRF cookie
    token = ingrid.cookies[settings.CSRF_COOKIE_NAME].value
    claimed = _post_json(ingrid, claim, {"user": "somebody-else"}, **{"X-CSRFToken": token})
    assert claimed.status_code == 200, claimed.content
    assert UserTask.objects.get(pk=world.task.pk).assignee == "ingrid"  # the session's own account
