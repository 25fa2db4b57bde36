"""Happy paths of every resource: deployments, definitions, instances, messages, signals, tasks,
incidents, history and exports, decisions."""

from __future__ import annotations

from collections.abc import Callable
from xml.etree import ElementTree as ET

import pytest
from rest_framework.test import APIClient

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_deployments_list_get_and_download(admin: APIClient, deployed: dict[str, object], models: object) -> None:
    listed = admin.get("/api/v1/deployments").json()
    assert [d["id"] for d in listed] == [deployed["id"]]
    one = admin.get(f"/api/v1/deployments/{deployed['id']}").json()
    assert {r["name"] for r in one["resources"]} == {"permit.bpmn", "registry.bpmn", "wait.bpmn", "fees.dmn"}
    assert {p["processId"] for p in one["processes"]} == {"permit", "registry", "wait"}
    assert [d["decisionId"] for d in one["decisions"]] == ["PermitFee"]
    resource = next(r for r in one["resources"] if r["name"] == "permit.bpmn")
    content = admin.get(f"/api/v1/deployments/{deployed['id']}/resources/{resource['id']}/content")
    assert content.status_code == 200
    assert content["Content-Type"].startswith("application/xml")
    assert b'<bpmn:process id="permit"' in content.content


def test_process_definitions_and_their_xml(admin: APIClient, deployed: dict[str, object]) -> None:
    listed = admin.get("/api/v1/process-definitions?processId=permit&latest=true").json()
    [permit] = listed
    assert (permit["key"], permit["version"]) == ("permit:1", 1)
    assert admin.get(f"/api/v1/process-definitions/{permit['id']}").json()["processId"] == "permit"
    xml = admin.get(f"/api/v1/process-definitions/{permit['id']}/xml")
    assert ET.fromstring(xml.content).tag.endswith("definitions")


def test_start_query_variables_cancel(client_for: Callable[..., APIClient], deployed: object) -> None:
    starter, reader, admin = client_for("start"), client_for("read"), client_for("admin")
    started = starter.post(
        "/api/v1/process-instances",
        {"processId": "permit", "businessKey": "P-9", "variables": {"area": 40, "owner": {"name": "Ada"}}},
        format="json",
    )
    assert started.status_code == 201
    instance = started.json()
    assert (instance["status"], instance["businessKey"], instance["definitionKey"]) == ("active", "P-9", "permit:1")
    found = reader.get("/api/v1/process-instances?businessKey=P-9&status=active&processId=permit").json()
    assert [i["id"] for i in found] == [instance["id"]]
    assert reader.get("/api/v1/process-instances?status=completed").json() == []
    assert reader.get(f"/api/v1/process-instances/{instance['id']}").json()["id"] == instance["id"]
    variables = reader.get(f"/api/v1/process-instances/{instance['id']}/variables").json()["variables"]
    assert variables == {"area": 40, "owner": {"name": "Ada"}}
    put = admin.put(f"/api/v1/process-instances/{instance['id']}/variables", {"variables": {"area": 41}}, format="json")
    assert put.json()["variables"]["area"] == 41
    canceled = admin.post(f"/api/v1/process-instances/{instance['id']}/cancel", {"reason": "withdrawn"}, format="json")
    assert canceled.json()["status"] == "terminated"
    again = admin.post(f"/api/v1/process-instances/{instance['id']}/cancel", {}, format="json")
    assert again.status_code == 409


def test_the_idempotency_key_replays_the_same_instance(admin: APIClient, deployed: object) -> None:
    start = {"processId": "permit", "variables": {"n": 1}}
    first = admin.post("/api/v1/process-instances", start, format="json", HTTP_IDEMPOTENCY_KEY="req-1")
    second = admin.post("/api/v1/process-instances", start, format="json", HTTP_IDEMPOTENCY_KEY="req-1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    third = admin.post("/api/v1/process-instances", start, format="json", HTTP_IDEMPOTENCY_KEY="req-2")
    assert third.json()["id"] != first.json()["id"]


def test_user_tasks_query_claim_unclaim_complete(admin: APIClient, deployed: object) -> None:
    instance = admin.post("/api/v1/process-instances", {"processId": "permit"}, format="json").json()
    [task] = admin.get("/api/v1/tasks?candidateGroup=legal&unassigned=true&sort=priority").json()
    assert (task["elementId"], task["formKey"], task["candidateGroups"]) == (
        "review",
        "review-form",
        ["legal", "permits"],
    )
    assert admin.get("/api/v1/tasks?candidateGroup=finance").json() == []
    assert admin.get("/api/v1/tasks?dueBefore=2000-01-01T00:00:00Z").json() == []
    assert len(admin.get("/api/v1/tasks?minPriority=10").json()) == 1
    claimed = admin.post(f"/api/v1/tasks/{task['id']}/claim", {"user": "ann"}, format="json").json()
    assert claimed["assignee"] == "ann"
    assert admin.get("/api/v1/tasks?assignee=ann").json()[0]["id"] == task["id"]
    conflict = admin.post(f"/api/v1/tasks/{task['id']}/claim", {"user": "bob"}, format="json")
    assert conflict.status_code == 409
    assert conflict["Content-Type"] == "application/problem+json"
    assert admin.post(f"/api/v1/tasks/{task['id']}/unclaim", {}, format="json").json()["assignee"] is None
    done = admin.post(f"/api/v1/tasks/{task['id']}/complete", {"variables": {"ok": True}, "user": "ann"}, format="json")
    assert done.json()["status"] == "completed"
    assert admin.get(f"/api/v1/process-instances/{instance['id']}/variables").json()["variables"] == {"ok": True}
    assert admin.post(f"/api/v1/tasks/{task['id']}/complete", {}, format="json").status_code == 409


def test_messages_and_signals(admin: APIClient, deployed: object) -> None:
    instance = admin.post(
        "/api/v1/process-instances", {"processId": "wait", "variables": {"caseId": "C-1"}}, format="json"
    )
    instance_id = instance.json()["id"]
    nobody = admin.post("/api/v1/messages", {"name": "documents-received", "correlationKey": "C-2"}, format="json")
    assert nobody.status_code == 409
    buffered = admin.post(
        "/api/v1/messages", {"name": "documents-received", "correlationKey": "C-2", "ttl": "PT1H"}, format="json"
    ).json()
    assert buffered == {"instanceId": None, "started": False, "buffered": True}
    hit = admin.post(
        "/api/v1/messages",
        {"name": "documents-received", "correlationKey": "C-1", "variables": {"docs": 3}},
        format="json",
    ).json()
    assert hit == {"instanceId": instance_id, "started": False, "buffered": False}
    reached = admin.post("/api/v1/signals", {"name": "go"}, format="json").json()
    assert reached["instanceIds"] == [instance_id]
    assert admin.get(f"/api/v1/process-instances/{instance_id}").json()["status"] == "completed"


def test_history_and_exports(admin: APIClient, deployed: object) -> None:
    instance = admin.post(
        "/api/v1/process-instances", {"processId": "permit", "businessKey": "B"}, format="json"
    ).json()
    [task] = admin.get(f"/api/v1/tasks?instanceId={instance['id']}").json()
    admin.post(f"/api/v1/tasks/{task['id']}/complete", {}, format="json")
    events = admin.get(f"/api/v1/process-instances/{instance['id']}/history").json()
    assert [e["seq"] for e in events] == list(range(len(events)))
    assert "TaskCreated" in {e["type"] for e in events}
    xes = admin.get(f"/api/v1/process-instances/{instance['id']}/history/xes")
    root = ET.fromstring(xes.content)
    names = [
        e.get("value") for e in root.iter("{http://www.xes-standard.org/}string") if e.get("key") == "concept:name"
    ]
    assert names[0] == instance["id"]
    assert "review" in names
    ocel = admin.get(f"/api/v1/process-instances/{instance['id']}/history/ocel").json()
    assert {o["type"] for o in ocel["objects"]} == {"process-instance", "user-task"}
    assert any(e["type"] == "review:complete" for e in ocel["events"])
    assert {t["name"] for t in ocel["eventTypes"]} >= {"review:start", "review:complete"}
    definition = instance["definitionId"]
    log = admin.get(f"/api/v1/process-definitions/{definition}/history/ocel").json()
    assert len([o for o in log["objects"] if o["type"] == "process-instance"]) == 1
    assert admin.get(f"/api/v1/process-definitions/{definition}/history/xes").status_code == 200


def test_incidents_list_and_retry(admin: APIClient, deployed: object, settings: object) -> None:
    from civicflow.runtime.models import Job

    instance = admin.post("/api/v1/process-instances", {"processId": "registry"}, format="json").json()
    job = Job.objects.get(instance_id=instance["id"])
    fetched = admin.post(
        "/api/v1/external-tasks/fetch-and-lock",
        {"workerId": "w", "topics": [{"name": "registry-lookup", "lockDuration": 10000}]},
        format="json",
    ).json()
    assert [t["id"] for t in fetched] == [job.pk]
    failed = admin.post(
        f"/api/v1/external-tasks/{job.pk}/failure",
        {"workerId": "w", "errorMessage": "down", "retries": 0},
        format="json",
    )
    assert failed.status_code == 204
    [incident] = admin.get(f"/api/v1/incidents?instanceId={instance['id']}").json()
    assert incident["state"] == "open"
    assert "down" in incident["message"]
    retried = admin.post(f"/api/v1/incidents/{incident['id']}/retry", {"retries": 2}, format="json")
    assert retried.status_code == 200
    assert admin.get("/api/v1/incidents?state=open").json() == []
    assert admin.post(f"/api/v1/incidents/{incident['id']}/retry", {}, format="json").status_code == 409


def test_decisions_evaluate_with_explanation(client_for: Callable[..., APIClient], deployed: object) -> None:
    reader = client_for("read")
    [decision] = reader.get("/api/v1/decision-definitions").json()
    assert decision["key"].startswith("PermitFee")
    for ref in ("PermitFee", decision["key"], "Permit fee"):
        result = reader.post(f"/api/v1/decision-definitions/{ref}/evaluate", {"inputs": {"area": 60}}, format="json")
        assert result.status_code == 200, result.content
        body = result.json()
        assert body["outputs"] == {"Permit fee": 300} or list(body["outputs"].values()) == [300]
        [explained] = body["explanation"]
        assert explained["tables"][0]["matched"][0]["index"] == 2
    missing = reader.post("/api/v1/decision-definitions/Nope/evaluate", {"inputs": {}}, format="json")
    assert missing.status_code == 404


def test_migrate_and_modify(admin: APIClient, deployed: object, models: object) -> None:
    instance = admin.post(
        "/api/v1/process-instances", {"processId": "wait", "variables": {"caseId": "M"}}, format="json"
    )
    instance_id = instance.json()["id"]
    modified = admin.post(
        f"/api/v1/process-instances/{instance_id}/modify", {"activate": ["go"], "terminate": ["docs"]}, format="json"
    )
    assert modified.status_code == 200, modified.content
    result = admin.post(
        "/api/v1/process-instances/migrate", {"fromDefinition": "wait:1", "toDefinition": "wait:1"}, format="json"
    )
    assert result.status_code == 200, result.content
    assert result.json()["migrated"] == [instance_id]
    refused = admin.post(
        "/api/v1/process-instances/migrate",
        {"fromDefinition": "wait:1", "toDefinition": "wait:1", "mapping": {"nope": "go"}},
        format="json",
    )
    assert refused.status_code == 409
    assert refused.json()["errors"]["mapping"]
